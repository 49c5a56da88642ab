"""The duty roster (值班表) and 督办: every change through a do_* here (atomic, checked, with its
messages); `on_duty` answers who holds a post at a time.

Approvals: refusals to file, extensions, suspensions, merges, the 复杂 12345 limit and the 退单 of
a 12345 ticket are the 值班长's (accounts.policy.APPROVER_ROLES) — the desk asks the chief on
duty, who takes the step under their own name, so the history shows who approved. What reaches
the chief as a request (a handler's extension request) is notified to the 值班长 on duty
(`approver_recipients`, handed to cases.notifications), or to every 值班长 when nobody is on
the roster for the hour.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.policy import (
    DISPATCH_ROLES,
    DUTY_ROSTER_EDIT_ROLES,
    LIAISON_ROLES,
    STAFFING_EDIT_ROLES,
    SUPERVISE_ROLES,
)
from civicgrid.cases import notifications
from civicgrid.cases.choices import CaseStatus
from civicgrid.cases.models import Case
from civicgrid.cases.permissions import on_handling_side, scope_cases
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.text import field_text
from civicgrid.duty.choices import DutyRole, SupervisionStatus
from civicgrid.duty.models import DutyShift, Liaison, Supervision

MAX_SHIFT_HOURS = 24
MAX_SUPERVISION_DAYS = 30
MAX_TEXT = 1000
# A case may be supervised while someone still has to act on it.
SUPERVISABLE = frozenset(
    {
        CaseStatus.REPORTED,
        CaseStatus.FILED,
        CaseStatus.DISPATCHED,
        CaseStatus.ACCEPTED,
        CaseStatus.RETURNED,
        CaseStatus.HANDLED,
    }
)


# --- the roster -------------------------------------------------------------------------------


def on_duty(role: str, at: datetime.datetime | None = None):
    """Active users holding the post `role` (DutyRole) at `at` (default now), by shift start."""
    from civicgrid.accounts.models import User

    at = at or timezone.now()
    return (
        User.objects.filter(
            is_active=True,
            role=role,
            duty_shifts__role=role,
            duty_shifts__starts_at__lte=at,
            duty_shifts__ends_at__gt=at,
        )
        .distinct()
        .order_by("pk")
    )


def _text(value, field: str, label: str, *, required: bool = True) -> str:
    return field_text(value, field, label, MAX_TEXT, required=required)


def check_shift(*, user, role: str, starts_at, ends_at) -> None:
    """The roster's rules for a new shift (ValidationError by field; writes nothing): the person
    holds that role, the shift ends after it starts and lasts at most 24 hours, and the person is
    not on another shift at the same time."""
    if role not in DutyRole.values:
        raise ValidationError({"role": _("未知的值班岗位“%(r)s”") % {"r": role}})
    if user is None or user.role != role or not user.is_active:
        raise ValidationError(
            {"user": _("值班人员须是在岗的%(role)s") % {"role": DutyRole(role).label}}
        )
    if starts_at is None or ends_at is None or ends_at <= starts_at:
        raise ValidationError({"ends_at": _("结束时间须晚于开始时间")})
    if ends_at - starts_at > datetime.timedelta(hours=MAX_SHIFT_HOURS):
        raise ValidationError({"ends_at": _("一个班次不能超过%(n)d小时") % {"n": MAX_SHIFT_HOURS}})
    if DutyShift.objects.filter(user=user, starts_at__lt=ends_at, ends_at__gt=starts_at).exists():
        raise ValidationError({"starts_at": _("该人员在这段时间已有班次")})


def do_add_shift(by, *, user, role: str, starts_at, ends_at, note: str = "") -> DutyShift:
    """Put `user` on the roster as `role` from `starts_at` to `ends_at` (check_shift's rules)."""
    if by is not None and by.effective_role not in DUTY_ROSTER_EDIT_ROLES:
        raise PermissionDenied(_("只有系统管理员和值班长可以排班"))
    note = _text(note, "note", _("备注"), required=False)
    if len(note) > 200:
        raise ValidationError(
            {"note": _("%(label)s不能超过%(n)d个字") % {"label": _("备注"), "n": 200}}
        )
    with transaction.atomic():
        if user is not None:
            # The person's row is the lock: two shifts added for them at once are checked in turn.
            list(type(user).objects.select_for_update().filter(pk=user.pk).values("pk"))
        check_shift(user=user, role=role, starts_at=starts_at, ends_at=ends_at)
        return DutyShift.objects.create(
            role=role,
            user=user,
            starts_at=starts_at,
            ends_at=ends_at,
            note=note,
            created_by=by,
        )


def approver_recipients() -> list:
    """The 值班长 on duty now, as notification recipients (cases.notifications.use_approvers)."""
    return [
        notifications.Recipient("staff", user_id=u.pk, phone=u.phone, email=u.email)
        for u in on_duty(DutyRole.SHIFT_CHIEF)
    ]


# --- 督办 -----------------------------------------------------------------------------------


def do_supervise(case, user, *, instruction, deadline, now=None) -> Supervision:
    """督办: the 带班领导 instructs the handling side of `case`, to be answered by `deadline`;
    the handler (department or grid; the 城运中心 before dispatch) is notified."""
    now = now or timezone.now()
    if user is None or user.effective_role not in SUPERVISE_ROLES:
        raise PermissionDenied(_("只有带班领导可以督办案件"))
    instruction = _text(instruction, "instruction", _("督办意见"))
    if not isinstance(deadline, datetime.datetime):
        raise ValidationError({"deadline": _("请填写办理时限")})
    if deadline <= now:
        raise ValidationError({"deadline": _("办理时限须晚于现在")})
    if deadline > now + datetime.timedelta(days=MAX_SUPERVISION_DAYS):
        raise ValidationError(
            {"deadline": _("办理时限不能超过%(n)d天") % {"n": MAX_SUPERVISION_DAYS}}
        )
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=case.pk)
        if case.status not in SUPERVISABLE:
            raise IllegalTransition(
                _("案件%(n)s当前状态为“%(s)s”，不能督办")
                % {"n": case.number, "s": case.get_status_display()}
            )
        supervision = Supervision.objects.create(
            case=case, by=user, instruction=instruction, deadline=deadline, created_at=now
        )
        recipient = notifications.assignee(case) or notifications.Recipient("operator")
        text = _("案件%(n)s被督办：%(i)s（请于%(d)s前答复）") % {
            "n": case.number,
            "i": instruction,
            "d": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M"),
        }
        notifications.schedule(
            [notifications.Message("supervise", case.number, recipient, str(text))]
        )
    return supervision


def may_answer(user, supervision: Supervision) -> bool:
    """The handling side of the case, or the street's desk, answers a 督办."""
    if user is None or not user.is_authenticated:
        return False
    return user.effective_role in DISPATCH_ROLES or on_handling_side(user, supervision.case)


def do_answer_supervision(supervision, user, *, answer, now=None) -> Supervision:
    """The handler answers a 督办 (once); the 带班领导 who gave it is told."""
    now = now or timezone.now()
    answer = _text(answer, "answer", _("答复"))
    with transaction.atomic():
        supervision = (
            Supervision.objects.select_for_update().select_related("case").get(pk=supervision.pk)
        )
        if not may_answer(user, supervision):
            raise PermissionDenied(_("只有案件的处置方或城运中心可以答复督办"))
        if supervision.status != SupervisionStatus.OPEN:
            raise IllegalTransition(_("该督办已答复"))
        supervision.status = SupervisionStatus.ANSWERED
        supervision.answer = answer
        supervision.answered_at = now
        supervision.answered_by = user
        supervision.save(update_fields=["status", "answer", "answered_at", "answered_by"])
        leader = supervision.by
        text = _("案件%(n)s的督办已答复：%(a)s") % {"n": supervision.case.number, "a": answer}
        notifications.schedule(
            [
                notifications.Message(
                    "supervise_answer",
                    supervision.case.number,
                    notifications.Recipient(
                        "staff", user_id=leader.pk, phone=leader.phone, email=leader.email
                    ),
                    str(text),
                )
            ]
        )
    return supervision


def scoped_supervisions(user, queryset=None):
    """督办件 of the cases the user may see (cases.permissions.scope_cases)."""
    queryset = Supervision.objects.all() if queryset is None else queryset
    return queryset.filter(case__in=scope_cases(Case.objects.all(), user).values("pk"))


def supervised_counts(cases, key_field: str | None) -> dict:
    """督办件数 for cases.indicators: cohort cases with at least one 督办, by the group's key
    (one query). `cases` is the indicator's cohort queryset."""
    rows = cases.filter(Q(supervisions__isnull=False))
    if key_field is None:
        return {None: rows.values("pk").distinct().count()}
    return {
        row[key_field]: row["n"]
        for row in rows.values(key_field).annotate(n=Count("pk", distinct=True)).order_by()
    }


# --- liaisons (联系居委) ------------------------------------------------------------------------

MAX_LIAISON_COMMUNITIES = 2


def check_liaison(*, user, community) -> None:
    """A department's staff member, a 居村, and at most two 居村 per person (ValidationError)."""
    from civicgrid.grids.choices import GridLevel

    if user is None or user.role not in LIAISON_ROLES or not user.is_active:
        raise ValidationError({"user": _("联系人须是在岗的部门工作人员")})
    if community is None or community.level != GridLevel.COMMUNITY:
        raise ValidationError({"community": _("请选择一个居村")})
    links = Liaison.objects.filter(user=user)
    if links.filter(community=community).exists():
        raise ValidationError({"community": _("该人员已联系这个居村")})
    if links.count() >= MAX_LIAISON_COMMUNITIES:
        raise ValidationError(
            {"user": _("每人最多联系%(n)d个居村") % {"n": MAX_LIAISON_COMMUNITIES}}
        )


def do_link_liaison(by, *, user, community, since=None) -> Liaison:
    """Link a department's staff member to a 居村 they keep in touch with."""
    if by is not None and by.effective_role not in STAFFING_EDIT_ROLES:
        raise PermissionDenied(_("只有系统管理员和城运中心可以设置联系居委"))
    with transaction.atomic():
        if user is not None:
            list(type(user).objects.select_for_update().filter(pk=user.pk).values("pk"))
        check_liaison(user=user, community=community)
        return Liaison.objects.create(
            user=user, community=community, since=since or timezone.localdate()
        )


def do_unlink_liaison(by, liaison: Liaison) -> None:
    if by is not None and by.effective_role not in STAFFING_EDIT_ROLES:
        raise PermissionDenied(_("只有系统管理员和城运中心可以设置联系居委"))
    Liaison.objects.filter(pk=liaison.pk).delete()


def scoped_liaisons(user, queryset=None):
    """Liaisons of the 居村 the user may see (grids.scoping); a department's staff their own."""
    from civicgrid.grids.scoping import visible_grids

    queryset = Liaison.objects.all() if queryset is None else queryset
    if user is None or not user.is_authenticated:
        return queryset.none()
    if user.sees_whole_street:
        return queryset
    mine = Q(user=user)
    if user.effective_role in LIAISON_ROLES:
        return queryset.filter(mine)
    return queryset.filter(Q(community__in=visible_grids(user).values("pk")) | mine)
