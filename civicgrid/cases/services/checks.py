"""Shared checks and writes of every step: the transition table, 管监分离, scope, the history row."""

import re
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import Role
from civicgrid.cases import notifications
from civicgrid.cases import signals as case_signals
from civicgrid.cases.choices import (
    CaseAction,
    CaseSource,
)
from civicgrid.cases.models import (
    CallIn,
    Case,
    CaseEvent,
    ExtensionRequest,
)
from civicgrid.cases.permissions import handled_by, may_act_on, on_handling_side
from civicgrid.cases.workflow import TRANSITIONS
from civicgrid.core.lean import compiled
from civicgrid.workcalendar.services import (
    Deadline,
)

MAX_DESCRIPTION = 2000
MAX_NOTE = 2000
MAX_EXTENSION_DAYS = 30
VERIFICATION_LIMIT_HOURS = 1
PHONE_RE = re.compile(r"^\+?[0-9][0-9\- ]{5,19}$")

# Sources each role may report from; the first is the default. 走访 comes from the people who
# visit households (grid staff; 居委 staff visit too, civicgrid.fieldwork lets them), 物业报修
# from the desks that take a repair request in (the 居委's 物管家 "一口式受理", the 城运中心).
SOURCES_BY_ROLE = {
    Role.RESIDENT: [CaseSource.RESIDENT],
    # 主动发现: a finding on a proactive patrol task (civicgrid.proactive.services); it stays in
    # the list because the finding reports as the worker, through this check. The intake
    # surfaces (the API's `source`, the desk's 受理渠道) refuse it from a client
    # (choices.SOURCES_NOT_BY_HAND): the dashboard shows 主动发现 by itself.
    Role.GRID_WORKER: [CaseSource.GRID_PATROL, CaseSource.VISIT, CaseSource.PROACTIVE],
    Role.GRID_LEADER: [CaseSource.GRID_PATROL, CaseSource.VISIT, CaseSource.PROACTIVE],
    Role.COMMUNITY_STAFF: [
        CaseSource.GRID_PATROL,
        CaseSource.RESIDENT,
        CaseSource.PROPERTY_REPAIR,
        CaseSource.VISIT,
    ],
    Role.DEPT_HANDLER: [CaseSource.DEPARTMENT],
    Role.OPERATOR: [
        CaseSource.RESIDENT,
        CaseSource.PHONE_CALL,
        CaseSource.WALK_IN,
        CaseSource.HOTLINE_12345,
        CaseSource.SUPERVISION,
        CaseSource.GRID_PATROL,
        CaseSource.DEPARTMENT,
        CaseSource.PROPERTY_REPAIR,
    ],
}
SOURCES_BY_ROLE[Role.ADMIN] = [
    *SOURCES_BY_ROLE[Role.OPERATOR],
    CaseSource.OPEN311,
    CaseSource.VISIT,
]
SOURCES_BY_ROLE[Role.SHIFT_CHIEF] = SOURCES_BY_ROLE[Role.OPERATOR]
SOURCES_BY_ROLE[Role.AREA_HEAD] = SOURCES_BY_ROLE[Role.COMMUNITY_STAFF]


@dataclass(frozen=True)
class Done:
    """What every `do_*` returns: the case as the step left it and the history row it wrote.

    A step that creates something besides the row says so: `extension` (延期申请 and its
    decision), `call_in` (基层约请 and its outcome). `photos` are the attachments stored with the
    step (cases.services.photos), in the order they were given.
    """

    case: Case
    event: CaseEvent
    extension: ExtensionRequest | None = None
    call_in: CallIn | None = None
    photos: tuple = ()


class IllegalTransition(Exception):
    """The action is not allowed from the case's current state (nothing was changed)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _action_label(action: str) -> str:
    return str(CaseAction(action).label)


def _locking(pks):
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("category")
        .filter(pk__in=pks)
        .order_by("pk")
    )


def _lock_rows(pks) -> dict:
    """The cases `pks`, locked in primary-key order (so two steps on the same pair can never
    deadlock), with their categories: {pk: case}."""
    ordered = sorted(set(pks))
    # Compiled once per thread and count (core.lean.compiled): from one step to the next only
    # the ids change, not the statement of the case's 112 columns and its category.
    key = ("cases.lock", len(ordered))
    rows = {c.pk: c for c in compiled(key, _locking, ordered)}
    if len(rows) < len(ordered):
        # Waiting for another step's commit, PostgreSQL re-reads only the locked row: when that
        # step changed its category (立案 with a corrected category, pressed twice), the row no
        # longer joins the category read before the wait and is left out. Asked again, both
        # are read as committed; a case that is not there is still not there.
        rows = {c.pk: c for c in compiled(key, _locking, ordered)}
    for case in rows.values():
        case_signals.remember_stored(case)
    return rows


def _lock(case: Case) -> Case:
    pk = case.pk if isinstance(case, Case) else case
    try:
        return _lock_rows([pk])[pk]
    except KeyError:
        raise Case.DoesNotExist("Case matching query does not exist.") from None


def _check(case: Case, action: str, user) -> None:
    """Transition table, suspension, role and scope — in that order, before any write."""
    rule = TRANSITIONS[action]
    if case.status not in rule.sources:
        raise IllegalTransition(
            _("案件%(number)s当前状态为“%(status)s”，不能%(action)s")
            % {
                "number": case.number,
                "status": case.get_status_display(),
                "action": _action_label(action),
            }
        )
    if case.is_suspended and not rule.while_suspended:
        raise IllegalTransition(
            _("案件%(number)s已挂起，请先恢复再%(action)s")
            % {"number": case.number, "action": _action_label(action)}
        )
    if user is None:
        return
    if user.effective_role not in rule.roles:
        raise PermissionDenied(
            _("您的角色（%(role)s）不能对案件执行“%(action)s”")
            % {"role": Role(user.effective_role).label, "action": _action_label(action)}
        )
    _check_separation(case, action, user)
    if not may_act_on(user, case, action):
        raise PermissionDenied(
            _("案件%(number)s不在您的处置范围内，不能%(action)s")
            % {"number": case.number, "action": _action_label(action)}
        )


def _check_separation(case: Case, action: str, user) -> None:
    """管监分离, with its own words: the handler never checks their own handling, and nobody on
    the handling side rates the case."""
    if user is None:
        return
    if action in (CaseAction.VERIFY_PASS, CaseAction.VERIFY_FAIL) and handled_by(user, case):
        raise PermissionDenied(
            _("管监分离：您处置了案件%(number)s，不能再核查它，请由其他人员核查")
            % {"number": case.number}
        )
    if action == CaseAction.RATE and on_handling_side(user, case):
        raise PermissionDenied(
            _("处置方工作人员不能评价案件%(number)s：评价只来自报告人或12345回访")
            % {"number": case.number}
        )


def _required_text(value, field: str, label: str, max_length: int = MAX_NOTE) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError({field: _("请填写%(label)s") % {"label": label}})
    if len(text) > max_length:
        raise ValidationError(
            {field: _("%(label)s不能超过%(n)s个字") % {"label": label, "n": max_length}}
        )
    return text


def _optional_text(value, field: str, label: str, max_length: int = MAX_NOTE) -> str:
    text = (value or "").strip()
    if len(text) > max_length:
        raise ValidationError(
            {field: _("%(label)s不能超过%(n)s个字") % {"label": label, "n": max_length}}
        )
    return text


def _record(case, action, user, from_status, note="", data=None, at=None) -> CaseEvent:
    event = CaseEvent.objects.create(
        case=case,
        actor=user,
        at=at or timezone.now(),
        action=action,
        from_status=from_status,
        to_status=case.status,
        note=note,
        data=data or {},
    )
    if action == CaseAction.REPORT:
        # The report has just inserted the case (cases.signals: the one place besides _step).
        case_signals.send_case_changed(case, case_signals.NEW)
    return event


def _step(case, action, user, *, note="", data=None, at=None, notify_extra=None) -> CaseEvent:
    """Move to the action's target state, write the history row, schedule the messages; returns
    the row."""
    from_status = case.status
    target = TRANSITIONS[action].target
    if target is not None:
        case.status = target
    before = case_signals.stored_state(case)
    case.save()
    case_signals.remember_stored(case)
    case_signals.send_case_changed(case, before)
    event = _record(case, action, user, from_status, note, data, at)
    notifications.schedule(
        notifications.messages_for(case, action, **(notify_extra or {})), at=event.at
    )
    return event


def _set_deadline(case, field: str, deadline: Deadline | None):
    if deadline is None:
        setattr(case, field, None)
        return
    setattr(case, field, deadline.at)
    # The running clock decides the flag: the latest deadline set is the one being watched.
    case.calendar_published = deadline.calendar_published
