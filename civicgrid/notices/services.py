"""Every change of the public notices (公示公告), relocations (征收) and nominations (身边好人).

Each `do_*` is atomic, locks the row it changes (select_for_update), checks the transition table
(notices.workflow), the user's role (accounts.policy) and scope (the notice's grid), writes its
history row and returns what it did. `user=None` is a trusted caller (a generator, a command, the
demo). Bad input raises ValidationError (field → Chinese message) and nothing is written; a wrong
state raises IllegalTransition; a role or scope problem PermissionDenied.

A 公示's objection period is counted in working days on the street's calendar (workcalendar):
it ends at the close of the N-th working day after the day of publication (the day of
publication is not counted), CIVICGRID_NOTICES_OBJECTION_DAYS (5) unless the notice says
otherwise. A correction of a 公示 is a new version and gives the public a full period again.
"""

import datetime
import os
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.access import require_role
from civicgrid.accounts.policy import (
    NOTICES_APPROVE_ROLES,
    NOTICES_EDIT_ROLES,
    NOTICES_RESIDENT_ROLES,
    NOTICES_SUMMARY_ROLES,
    NOTICES_VIEW_ROLES,
)
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.text import field_text
from civicgrid.estates.models import Estate
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import visible_micro_grids
from civicgrid.notices.choices import (
    Audience,
    NoticeKind,
    NoticeSource,
    NoticeState,
    ScopeLevel,
    SigningStatus,
)
from civicgrid.notices.models import (
    HonourEntry,
    HouseholdLogin,
    Nomination,
    NominationEvent,
    Notice,
    NoticeAttachment,
    NoticeEvent,
    NoticeVersion,
    Objection,
    ObjectionAnswer,
    Relocation,
    RelocationEvent,
    RelocationHousehold,
)
from civicgrid.notices.workflow import (
    CORRECTABLE_STATES,
    LIVE_STATES,
    NOMINATION_TRANSITIONS,
    NOTICE_TRANSITIONS,
    SHOWN_STATES,
)
from civicgrid.registry.models import Household
from civicgrid.workcalendar.services import add_working_days

MAX_TITLE = 200
MAX_BODY = 20000
MAX_NOTE = 500
MAX_OBJECTION = 2000
MAX_OBJECTION_DAYS = 30
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ATTACHMENT_TYPES = {".pdf", ".jpg", ".jpeg", ".png", ".xlsx", ".docx"}


# --- checks ----------------------------------------------------------------------------------


def _now(now):
    return now or timezone.now()


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _step(table, action, state):
    sources, target = table[action]
    if state not in sources:
        raise IllegalTransition(_("当前状态不能进行此操作"))
    return target


def _is_resident(user) -> bool:
    return user is not None and user.effective_role in NOTICES_RESIDENT_ROLES


def _grid_in_scope(user, grid) -> bool:
    """Whether a staff user may act on a notice of the grid: every micro-grid below a street or
    片区 grid must be theirs (a 居委 does not write for the whole street); for a 居村, one."""
    micro = visible_micro_grids(user)
    if micro is None:
        return True
    below = Grid.objects.filter(level=GridLevel.MICRO_GRID, path__startswith=grid.path)
    if grid.level in (GridLevel.STREET, GridLevel.AREA):
        return below.exists() and not below.exclude(pk__in=micro.values("pk")).exists()
    return micro.filter(path__startswith=grid.path).exists()


def _require(user, roles, grid=None, message=None):
    """The role check, then the grid's scope (a notice's own rule: every micro-grid below)."""
    require_role(user, roles, message)
    if user is not None and grid is not None and not _grid_in_scope(user, grid):
        raise PermissionDenied(_("该范围不在您的管辖范围内"))


def may_edit(user) -> bool:
    return user is not None and user.effective_role in NOTICES_EDIT_ROLES and not user.is_read_only


def may_approve(user) -> bool:
    return (
        user is not None and user.effective_role in NOTICES_APPROVE_ROLES and not user.is_read_only
    )


def scope_notices(queryset, user):
    """The notices a staff user works with: those whose grid meets their micro-grids."""
    if user is None:
        return queryset
    if user.effective_role not in NOTICES_VIEW_ROLES:
        return queryset.none()
    micro = visible_micro_grids(user)
    if micro is None:
        return queryset
    paths = list(micro.values_list("path", flat=True))
    codes = {code for p in paths for code in p.strip("/").split("/")}
    return queryset.filter(grid__code__in=codes)


def scope_communities(queryset, user, field="community"):
    """Rows that carry their 居村 (relocations, nominations), as a staff user sees them."""
    if user is None:
        return queryset
    if user.effective_role not in NOTICES_VIEW_ROLES:
        return queryset.none()
    micro = visible_micro_grids(user)
    if micro is None:
        return queryset
    return queryset.filter(**{f"{field}__in": micro.values("parent_id")})


def household_ids_of(user) -> list[int]:
    """The households a resident account acts for."""
    if user is None or not user.is_authenticated:
        return []
    return list(HouseholdLogin.objects.filter(user=user).values_list("household_id", flat=True))


def _household_paths(household_ids) -> list[str]:
    return list(
        Household.objects.filter(pk__in=household_ids).values_list(
            "address__micro_grid__path", flat=True
        )
    )


def audience_q(user) -> Q:
    """Which shown notices a visitor (anonymous or resident) may read: the public ones, those for
    the residents of a scope their household lives in, those naming their household."""
    condition = Q(audience=Audience.PUBLIC)
    if user is None or not user.is_authenticated:
        return condition
    households = household_ids_of(user)
    if not households:
        return condition
    codes = {c for p in _household_paths(households) if p for c in p.strip("/").split("/")}
    estates = Household.objects.filter(pk__in=households).values("address__estate_id")
    in_scope = Q(grid__code__in=codes) & (Q(estate__isnull=True) | Q(estate_id__in=estates))
    in_scope &= Q(relocation__isnull=True) | Q(relocation__households__household_id__in=households)
    condition |= Q(audience=Audience.RESIDENTS) & in_scope
    condition |= Q(audience=Audience.HOUSEHOLDS, households__in=households)
    return condition


def shown_notices(user=None):
    """The notices a visitor sees on the public pages (never a draft or one under review)."""
    qs = Notice.objects.filter(state__in=SHOWN_STATES)
    if user is not None and user.is_authenticated and user.effective_role in NOTICES_VIEW_ROLES:
        return scope_notices(qs, user) | qs.filter(audience=Audience.PUBLIC)
    return qs.filter(pk__in=qs.filter(audience_q(user)).values("pk"))


def may_read(user, notice) -> bool:
    if notice.state in SHOWN_STATES and shown_notices(user).filter(pk=notice.pk).exists():
        return True
    return (
        user is not None
        and user.is_authenticated
        and scope_notices(Notice.objects.filter(pk=notice.pk), user).exists()
    )


def _grid_ancestry(grid) -> list[str]:
    return grid.path.strip("/").split("/")


def kiosk_notices(grid, now=None):
    """What the kiosk of a grid rotates: the live public notices of the grid, of the grids above
    it (a street notice shows at every 居村) and below it, not expired."""
    now = _now(now)
    return (
        Notice.objects.filter(state__in=LIVE_STATES, audience=Audience.PUBLIC)
        .filter(Q(grid__code__in=_grid_ancestry(grid)) | Q(grid__path__startswith=grid.path))
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .select_related("grid", "estate", "relocation", "approver")
        .order_by("-published_at", "-id")
    )


# --- history ---------------------------------------------------------------------------------


def _event(notice, action, user, now, from_state="", to_state="", note=""):
    return NoticeEvent.objects.create(
        notice=notice,
        action=action,
        from_state=from_state,
        to_state=to_state,
        note=note[:MAX_NOTE],
        by=user,
        at=now,
    )


def _move(notice, action, user, now, note=""):
    target = _step(NOTICE_TRANSITIONS, action, notice.state)
    _event(notice, action, user, now, notice.state, target, note)
    notice.state = target
    notice.updated_at = now
    return target


def _locked(notice) -> Notice:
    return Notice.objects.select_for_update(of=("self",)).get(pk=notice.pk)


# --- notices ---------------------------------------------------------------------------------


def _scope(scope_level, grid, estate, relocation, errors):
    """The grid a notice hangs off, from its scope."""
    levels = {
        ScopeLevel.STREET: GridLevel.STREET,
        ScopeLevel.AREA: GridLevel.AREA,
        ScopeLevel.COMMUNITY: GridLevel.COMMUNITY,
    }
    if scope_level in levels:
        if not isinstance(grid, Grid) or grid.level != levels[scope_level]:
            errors["grid"] = _("请选择与范围一致的网格")
            return None
        return grid
    if scope_level == ScopeLevel.ESTATE:
        if not isinstance(estate, Estate):
            errors["estate"] = _("请选择小区")
            return None
        return estate.community
    if scope_level == ScopeLevel.PROJECT:
        if not isinstance(relocation, Relocation):
            errors["relocation"] = _("请选择征收项目")
            return None
        return relocation.community
    errors["scope_level"] = _("请选择公示范围")
    return None


def _households_in_scope(households, scope_level, grid, estate, relocation, errors) -> list:
    """The named households of a notice: each a registry household inside the notice's scope
    (under its grid; in its estate; in its relocation project)."""
    ids = {h.pk if isinstance(h, Household) else h for h in households}
    if not ids:
        errors["households"] = _("请指定住户")
        return []
    if not all(isinstance(pk, int) and not isinstance(pk, bool) for pk in ids):
        errors["households"] = _("请选择登记在册的住户")
        return []
    households = list(Household.objects.filter(pk__in=ids))
    if len(households) != len(ids):
        errors["households"] = _("请选择登记在册的住户")
        return []
    if grid is None:
        return households
    inside = Household.objects.filter(pk__in=ids, address__micro_grid__path__startswith=grid.path)
    if scope_level == ScopeLevel.ESTATE:
        inside = inside.filter(address__estate=estate)
    elif scope_level == ScopeLevel.PROJECT:
        inside = inside.filter(pk__in=relocation.households.values("household_id"))
    if inside.count() != len(ids):
        errors["households"] = _("指定住户须在公告范围内")
    return households


def _objection_days(kind, value, errors):
    if kind != NoticeKind.DISCLOSURE:
        return 0
    if value in (None, ""):
        return settings.CIVICGRID_NOTICES_OBJECTION_DAYS
    try:
        days = int(value)
    except (TypeError, ValueError):
        days = -1
    if not 1 <= days <= MAX_OBJECTION_DAYS:
        errors["objection_days"] = _("公示异议期须为1至%(n)s个工作日") % {"n": MAX_OBJECTION_DAYS}
    return days


def do_draft_notice(
    user,
    *,
    kind,
    scope_level,
    title,
    body,
    department_name,
    grid=None,
    estate=None,
    relocation=None,
    audience=Audience.PUBLIC,
    households=(),
    department=None,
    objection_days=None,
    expires_at=None,
    source=NoticeSource.MANUAL,
    source_key="",
    entries=(),
    review_note="",
    now=None,
) -> Notice:
    """起草: a new notice in draft. `entries` (name, citation[, nomination]) make an honour roll;
    `review_note` is a word for the reviewer (kept on the draft's history row, never published).
    The audience 指定住户 names households inside the notice's scope. An emergency response's
    summary (source EMERGENCY_SUMMARY) may be drafted by the 城运中心's command as well."""
    now = _now(now)
    errors = {}
    if kind not in NoticeKind.values:
        errors["kind"] = _("请选择公告类型")
    if audience not in Audience.values:
        errors["audience"] = _("请选择公开对象")
    title = field_text(title, "title", _("标题"), MAX_TITLE, required=True, errors=errors)
    body = field_text(body, "body", _("正文"), MAX_BODY, required=True, errors=errors)
    department_name = field_text(
        department_name or (department.name if department else ""),
        "department_name",
        _("发布单位"),
        100,
        required=True,
        errors=errors,
    )
    the_grid = _scope(scope_level, grid, estate, relocation, errors)
    days = _objection_days(kind, objection_days, errors)
    if audience == Audience.HOUSEHOLDS:
        households = _households_in_scope(
            households, scope_level, the_grid, estate, relocation, errors
        )
    else:
        households = []
    if expires_at is not None and expires_at <= now:
        errors["expires_at"] = _("下架时间须晚于现在")
    entries = list(entries)
    if kind == NoticeKind.HONOUR_ROLL and not entries and source != NoticeSource.MANUAL:
        errors["entries"] = _("光荣榜没有可公布的人选")
    _raise(errors)
    roles = (
        NOTICES_SUMMARY_ROLES if source == NoticeSource.EMERGENCY_SUMMARY else NOTICES_EDIT_ROLES
    )
    _require(user, roles, the_grid)
    with transaction.atomic():
        notice = Notice.objects.create(
            kind=kind,
            scope_level=scope_level,
            grid=the_grid,
            estate=estate if scope_level == ScopeLevel.ESTATE else None,
            relocation=relocation if scope_level == ScopeLevel.PROJECT else None,
            audience=audience,
            title=title,
            body=body,
            department=department,
            department_name=department_name,
            author=user,
            objection_days=days,
            expires_at=expires_at,
            source=source,
            source_key=source_key,
            created_at=now,
            updated_at=now,
        )
        if households:
            notice.households.set(households)
        for position, entry in enumerate(entries, start=1):
            name, citation, *rest = entry
            HonourEntry.objects.create(
                notice=notice,
                position=position,
                name=str(name)[:100],
                citation=str(citation)[:300],
                nomination=rest[0] if rest else None,
            )
        _event(notice, "draft", user, now, "", NoticeState.DRAFT, review_note)
    return notice


def notice_for_source(source_key) -> Notice | None:
    """The notice already drafted from a source object (one per `source_key`), if any."""
    return Notice.objects.filter(source_key=source_key).first() if source_key else None


def do_edit_draft(user, notice, *, title, body, expires_at=None, now=None) -> Notice:
    """修改草稿: only a draft's text changes in place; a published text never does."""
    now = _now(now)
    errors = {}
    title = field_text(title, "title", _("标题"), MAX_TITLE, required=True, errors=errors)
    body = field_text(body, "body", _("正文"), MAX_BODY, required=True, errors=errors)
    _raise(errors)
    _require(user, NOTICES_EDIT_ROLES, notice.grid)
    with transaction.atomic():
        notice = _locked(notice)
        if notice.state != NoticeState.DRAFT:
            raise IllegalTransition(_("只有草稿可以修改；已发布的公告请发布更正版本"))
        notice.title, notice.body, notice.expires_at, notice.updated_at = (
            title,
            body,
            expires_at,
            now,
        )
        notice.save(update_fields=["title", "body", "expires_at", "updated_at"])
        _event(notice, "edit", user, now)
    return notice


def do_attach(user, notice, *, upload, name="", now=None) -> NoticeAttachment:
    """附件: a file added to a draft or a notice under review."""
    now = _now(now)
    errors = {}
    extension = os.path.splitext(getattr(upload, "name", "") or "")[1].lower()
    if upload is None or extension not in ATTACHMENT_TYPES:
        errors["upload"] = _("附件须为PDF、图片、Excel或Word文件")
    elif upload.size > MAX_ATTACHMENT_BYTES:
        errors["upload"] = _("附件不能超过20MB")
    name = field_text(
        name or getattr(upload, "name", ""), "name", _("附件名称"), 200, errors=errors
    )
    _raise(errors)
    _require(user, NOTICES_EDIT_ROLES, notice.grid)
    with transaction.atomic():
        notice = _locked(notice)
        if notice.state not in (NoticeState.DRAFT, NoticeState.REVIEW):
            raise IllegalTransition(_("已发布的公告不能再添加附件"))
        attachment = NoticeAttachment(notice=notice, name=name, uploaded_by=user, uploaded_at=now)
        attachment.file.save(os.path.basename(upload.name), upload, save=False)
        attachment.save()
        _event(notice, "attach", user, now, note=name)
    return attachment


def do_submit(user, notice, *, now=None) -> Notice:
    """送审: a draft goes to the approver."""
    now = _now(now)
    _require(user, NOTICES_EDIT_ROLES, notice.grid)
    with transaction.atomic():
        notice = _locked(notice)
        _move(notice, "submit", user, now)
        notice.save(update_fields=["state", "updated_at"])
    return notice


def do_return(user, notice, *, note, now=None) -> Notice:
    """退回修改: the approver sends it back with a note."""
    now = _now(now)
    note = field_text(note, "note", _("退回意见"), MAX_NOTE, required=True)
    _require(user, NOTICES_APPROVE_ROLES, notice.grid)
    with transaction.atomic():
        notice = _locked(notice)
        _move(notice, "return", user, now, note)
        notice.publish_at = None
        notice.save(update_fields=["state", "publish_at", "updated_at"])
    return notice


def _freeze(notice, user, now, note=""):
    notice.version += 1
    NoticeVersion.objects.create(
        notice=notice,
        number=notice.version,
        title=notice.title,
        body=notice.body,
        correction_note=note,
        published_by=user,
        published_at=now,
    )
    if notice.kind == NoticeKind.DISCLOSURE:
        notice.objection_until = add_working_days(now, notice.objection_days).at


def _go_live(notice, user, now):
    """The notice becomes public now: version 1 frozen, a 公示's objection period counted from
    this moment, an honour roll's nominations marked published."""
    notice.published_at = now
    _freeze(notice, user, now)
    notice.save()
    if notice.kind == NoticeKind.HONOUR_ROLL:
        ids = list(notice.entries.exclude(nomination=None).values_list("nomination", flat=True))
        for nomination in Nomination.objects.select_for_update(of=("self",)).filter(pk__in=ids):
            _nomination_step(nomination, "publish", user, now, notice.title)


def do_publish(user, notice, *, publish_at=None, now=None) -> Notice:
    """审核发布: the approver publishes; the text becomes version 1 and a 公示's objection
    period starts. With a later `publish_at` the approved notice waits, not public, as 定时待发布
    until the periodic sweep publishes it (its objection period then counts from that moment)."""
    now = _now(now)
    if publish_at is not None and (
        not isinstance(publish_at, datetime.datetime) or publish_at <= now
    ):
        raise ValidationError({"publish_at": _("定时发布时间须晚于现在")})
    _require(user, NOTICES_APPROVE_ROLES, notice.grid, _("您无权审核发布公告"))
    with transaction.atomic():
        notice = _locked(notice)
        go_live = publish_at or now
        if notice.expires_at is not None and notice.expires_at <= go_live:
            _step(NOTICE_TRANSITIONS, "publish", notice.state)
            if publish_at is not None:
                raise ValidationError({"publish_at": _("定时发布时间须早于下架时间")})
            raise ValidationError({"expires_at": _("下架时间已过，请先退回修改")})
        notice.approver = user
        if publish_at is not None:
            _move(
                notice,
                "schedule",
                user,
                now,
                timezone.localtime(publish_at).strftime("%Y-%m-%d %H:%M"),
            )
            notice.publish_at = publish_at
            notice.save(update_fields=["state", "approver", "publish_at", "updated_at"])
            return notice
        _move(notice, "publish", user, now)
        _go_live(notice, user, now)
    return notice


def do_release(notice, *, now=None) -> Notice:
    """定时发布: a scheduled notice whose time has come goes public (the periodic sweep); the
    approver who scheduled it is its publisher."""
    now = _now(now)
    with transaction.atomic():
        notice = _locked(notice)
        if notice.publish_at is None or notice.publish_at > now:
            raise IllegalTransition(_("尚未到定时发布时间"))
        _move(notice, "release", None, now)
        _go_live(notice, notice.approver, now)
    return notice


def do_correct(user, notice, *, title, body, note, now=None) -> Notice:
    """发布更正: a new version of a published notice; the earlier versions stay as they were. A
    corrected 公示 runs a full objection period again."""
    now = _now(now)
    errors = {}
    title = field_text(title, "title", _("标题"), MAX_TITLE, required=True, errors=errors)
    body = field_text(body, "body", _("正文"), MAX_BODY, required=True, errors=errors)
    note = field_text(note, "note", _("更正说明"), MAX_NOTE, required=True, errors=errors)
    _raise(errors)
    _require(user, NOTICES_APPROVE_ROLES, notice.grid, _("您无权更正公告"))
    with transaction.atomic():
        notice = _locked(notice)
        if notice.state not in CORRECTABLE_STATES:
            raise IllegalTransition(_("只有已发布的公告可以更正"))
        if title == notice.title and body == notice.body:
            raise ValidationError({"body": _("更正内容与当前版本相同")})
        notice.title, notice.body, notice.updated_at = title, body, now
        _freeze(notice, user, now, note)
        _event(notice, "correct", user, now, notice.state, NoticeState.PUBLISHED, note)
        notice.state = NoticeState.PUBLISHED
        notice.save()
    return notice


def do_close_objections(user, notice, *, now=None) -> Notice:
    """异议期结束: a 公示 closes once its period is over (not before)."""
    now = _now(now)
    _require(user, NOTICES_EDIT_ROLES, notice.grid)
    with transaction.atomic():
        notice = _locked(notice)
        if notice.kind != NoticeKind.DISCLOSURE:
            raise IllegalTransition(_("只有公示有异议期"))
        if notice.objection_until and now < notice.objection_until:
            raise IllegalTransition(_("异议期尚未结束"))
        _move(notice, "close", user, now)
        notice.save(update_fields=["state", "updated_at"])
    return notice


def do_archive(user, notice, *, now=None) -> Notice:
    """归档: a notice leaves the boards; a 公示 only after its objection period closed."""
    now = _now(now)
    _require(user, NOTICES_EDIT_ROLES, notice.grid)
    with transaction.atomic():
        notice = _locked(notice)
        if notice.kind == NoticeKind.DISCLOSURE and notice.state == NoticeState.PUBLISHED:
            raise IllegalTransition(_("公示须在异议期结束后归档"))
        _move(notice, "archive", user, now)
        notice.save(update_fields=["state", "updated_at"])
    return notice


def do_withdraw(user, notice, *, reason, now=None) -> Notice:
    """撤回: a published notice withdrawn, with a reason the public reads."""
    now = _now(now)
    reason = field_text(reason, "reason", _("撤回原因"), MAX_NOTE, required=True)
    _require(user, NOTICES_APPROVE_ROLES, notice.grid, _("您无权撤回公告"))
    with transaction.atomic():
        notice = _locked(notice)
        _move(notice, "withdraw", user, now, reason)
        notice.withdraw_reason = reason
        notice.save(update_fields=["state", "withdraw_reason", "updated_at"])
    return notice


def sweep(now=None) -> dict:
    """The periodic pass: scheduled notices whose time has come are published, 公示 whose period
    is over close, expired notices are archived."""
    now = _now(now)
    closed = archived = released = 0
    for notice in Notice.objects.filter(state=NoticeState.SCHEDULED, publish_at__lte=now):
        do_release(notice, now=now)
        released += 1
    for notice in Notice.objects.filter(
        kind=NoticeKind.DISCLOSURE, state=NoticeState.PUBLISHED, objection_until__lte=now
    ):
        do_close_objections(None, notice, now=now)
        closed += 1
    expired = Notice.objects.filter(state__in=LIVE_STATES, expires_at__lte=now).exclude(
        kind=NoticeKind.DISCLOSURE, state=NoticeState.PUBLISHED
    )
    for notice in expired:
        do_archive(None, notice, now=now)
        archived += 1
    return {"released": released, "closed": closed, "archived": archived}


# --- objections ------------------------------------------------------------------------------


def objection_open(notice, now=None) -> bool:
    return (
        notice.kind == NoticeKind.DISCLOSURE
        and notice.state == NoticeState.PUBLISHED
        and notice.objection_until is not None
        and _now(now) < notice.objection_until
    )


def do_object(user, notice, *, text, now=None) -> Objection:
    """提出异议: a signed-in resident objects to a 公示 within its period."""
    now = _now(now)
    if user is None or not user.is_authenticated or not _is_resident(user):
        raise PermissionDenied(_("请以居民账户登录后提出异议"))
    text = field_text(text, "text", _("异议内容"), MAX_OBJECTION, required=True)
    if len(text) < 5:
        raise ValidationError({"text": _("请写明异议的具体内容（至少5个字）")})
    if not may_read(user, notice):
        raise PermissionDenied(_("您不能查看此公告"))
    with transaction.atomic():
        notice = _locked(notice)
        if not objection_open(notice, now):
            raise IllegalTransition(_("该公示不在异议期内"))
        objection = Objection.objects.create(
            notice=notice, version=notice.version, user=user, text=text, created_at=now
        )
        _event(notice, "object", user, now)
    return objection


def do_answer(user, objection, *, text, now=None) -> ObjectionAnswer:
    """答复异议: the publisher answers an objection, once; both are kept."""
    now = _now(now)
    text = field_text(text, "text", _("答复内容"), MAX_OBJECTION, required=True)
    _require(user, NOTICES_EDIT_ROLES, objection.notice.grid)
    with transaction.atomic():
        notice = _locked(objection.notice)
        if ObjectionAnswer.objects.filter(objection=objection).exists():
            raise IllegalTransition(_("该异议已答复"))
        answer = ObjectionAnswer.objects.create(objection=objection, text=text, by=user, at=now)
        _event(notice, "answer", user, now, note=text)
    return answer


# --- households, relocation ------------------------------------------------------------------


def _community_of_household(household) -> Grid:
    return household.address.micro_grid.parent


def do_link_household(user, *, login, household) -> HouseholdLogin:
    """住户账户: the 居委 links a resident account to its household after checking it."""
    if login is None or login.effective_role not in NOTICES_RESIDENT_ROLES:
        raise ValidationError({"login": _("请选择居民账户")})
    _require(user, NOTICES_EDIT_ROLES, _community_of_household(household))
    link, _created = HouseholdLogin.objects.get_or_create(user=login, household=household)
    return link


def do_save_relocation(
    user, *, name, community, starts_on, headquarters="", basis=""
) -> Relocation:
    """征收项目: a relocation project of a 居村."""
    errors = {}
    name = field_text(name, "name", _("项目名称"), 100, required=True, errors=errors)
    headquarters = field_text(headquarters, "headquarters", _("动迁指挥部"), 100, errors=errors)
    basis = field_text(basis, "basis", _("征收口径"), MAX_BODY, errors=errors)
    if not isinstance(community, Grid) or community.level != GridLevel.COMMUNITY:
        errors["community"] = _("请选择居村")
    if not isinstance(starts_on, datetime.date):
        errors["starts_on"] = _("请填写签约开始日期")
    _raise(errors)
    _require(user, NOTICES_EDIT_ROLES, community)
    return Relocation.objects.create(
        name=name, community=community, starts_on=starts_on, headquarters=headquarters, basis=basis
    )


def _amount(value, field, label, errors):
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount >= Decimal("1e9"):
        errors[field] = _("%(label)s须为正数") % {"label": label}
        return None
    return amount.quantize(Decimal("0.01"))


def do_add_relocation_households(user, relocation, rows) -> list[RelocationHousehold]:
    """征收户: the households of a project with their 认定面积 and 评估 (many at once). Every row is
    checked before any is written."""
    _require(user, NOTICES_EDIT_ROLES, relocation.community)
    errors, objects, seen = {}, [], set()
    existing = set(relocation.households.values_list("household_id", flat=True))
    for i, row in enumerate(rows):
        household = row.get("household")
        if not isinstance(household, Household):
            errors[f"rows.{i}.household"] = _("请选择户")
            continue
        if household.pk in seen or household.pk in existing:
            errors[f"rows.{i}.household"] = _("该户已在征收项目中")
        seen.add(household.pk)
        area = _amount(
            row.get("recognised_area"), f"rows.{i}.recognised_area", _("认定面积"), errors
        )
        value = _amount(row.get("valuation"), f"rows.{i}.valuation", _("评估金额"), errors)
        objects.append(
            RelocationHousehold(
                relocation=relocation,
                household=household,
                recognised_area=area,
                valuation=value,
                party_member=bool(row.get("party_member")),
            )
        )
    _raise(errors)
    with transaction.atomic():
        return RelocationHousehold.objects.bulk_create(objects)


def _relocation_event(rh, action, on, user, now, note=""):
    return RelocationEvent.objects.create(
        household=rh, action=action, on=on, note=note[:MAX_NOTE], by=user, at=now
    )


def do_record_visit(user, rh, *, on, note, now=None) -> RelocationEvent:
    """走访: a visit to a relocation household."""
    now = _now(now)
    note = field_text(note, "note", _("走访情况"), MAX_NOTE, required=True)
    if not isinstance(on, datetime.date) or on > timezone.localdate(now):
        raise ValidationError({"on": _("走访日期不能晚于今天")})
    _require(user, NOTICES_EDIT_ROLES, rh.relocation.community)
    with transaction.atomic():
        return _relocation_event(rh, "visit", on, user, now, note)


def _sign(rh, on, user, now):
    if rh.status == SigningStatus.SIGNED:
        raise IllegalTransition(_("该户已签约"))
    if not isinstance(on, datetime.date) or on > timezone.localdate(now):
        raise ValidationError({"on": _("签约日期不能晚于今天")})
    if on < rh.relocation.starts_on:
        raise ValidationError({"on": _("签约日期不能早于签约开始日期")})
    rh.status, rh.signed_on = SigningStatus.SIGNED, on
    rh.save(update_fields=["status", "signed_on"])
    _relocation_event(rh, "sign", on, user, now)


def do_sign(user, rh, *, on, now=None) -> RelocationHousehold:
    """签约: a household signs its agreement."""
    now = _now(now)
    _require(user, NOTICES_EDIT_ROLES, rh.relocation.community)
    with transaction.atomic():
        rh = (
            RelocationHousehold.objects.select_for_update(of=("self",))
            .select_related("relocation")
            .get(pk=rh.pk)
        )
        _sign(rh, on, user, now)
    return rh


def do_sign_many(user, relocation, signings, *, now=None) -> int:
    """签约 of many households at once ({household pk: date}); all checked, then all written."""
    now = _now(now)
    _require(user, NOTICES_EDIT_ROLES, relocation.community)
    with transaction.atomic():
        rows = RelocationHousehold.objects.select_for_update(of=("self",)).filter(
            relocation=relocation, household_id__in=list(signings)
        )
        rows = {rh.household_id: rh for rh in rows.select_related("relocation")}
        if set(rows) != set(signings):
            raise ValidationError({"households": _("有的户不在该征收项目中")})
        for household_id, on in signings.items():
            _sign(rows[household_id], on, user, now)
    return len(rows)


def signing_figures(relocation) -> dict:
    """The totals every affected household sees: households, signed, rate, and the signing
    rate over time (one point per day someone signed)."""
    rows = list(
        relocation.households.values_list("status", "signed_on", "party_member").order_by(
            "signed_on"
        )
    )
    total = len(rows)
    signed_days = sorted(on for status, on, _p in rows if status == SigningStatus.SIGNED)
    series, count = [], 0
    for day in sorted(set(signed_days)):
        count += signed_days.count(day)
        series.append({"on": day, "signed": count, "rate": round(100 * count / total, 1)})
    signed = len(signed_days)
    party = [on for status, on, member in rows if member and status == SigningStatus.SIGNED]
    return {
        "households": total,
        "signed": signed,
        "pending": total - signed,
        "rate": round(100 * signed / total, 1) if total else 0.0,
        "cleared": total > 0 and signed == total,
        "first_day": signed_days[0] if signed_days else None,
        "party_signed": len(party),
        "series": series,
    }


def my_relocations(user) -> list[dict]:
    """A signed-in household's relocations: the project's totals and its OWN figures only."""
    households = household_ids_of(user)
    if not households or not _is_resident(user):
        return []
    own = (
        RelocationHousehold.objects.filter(household_id__in=households)
        .select_related("relocation", "household__address")
        .order_by("relocation_id", "id")
    )
    out = {}
    for rh in own:
        entry = out.setdefault(
            rh.relocation_id,
            {"relocation": rh.relocation, "figures": signing_figures(rh.relocation), "own": []},
        )
        entry["own"].append(rh)
    return list(out.values())


# --- nominations -----------------------------------------------------------------------------


def _nomination_step(nomination, action, user, now, note=""):
    nomination.state = _step(NOMINATION_TRANSITIONS, action, nomination.state)
    nomination.save(update_fields=["state", "review_note"])
    NominationEvent.objects.create(
        nomination=nomination, action=action, note=note[:MAX_NOTE], by=user, at=now
    )


def do_nominate(user, *, community, nominee, deed, consent, now=None) -> Nomination:
    """推荐身边好人: a signed-in resident nominates a neighbour."""
    now = _now(now)
    if user is not None and not _is_resident(user):
        raise PermissionDenied(_("请以居民账户登录后推荐"))
    errors = {}
    nominee = field_text(nominee, "nominee", _("被推荐人"), 50, required=True, errors=errors)
    deed = field_text(deed, "deed", _("事迹"), MAX_OBJECTION, required=True, errors=errors)
    if not isinstance(community, Grid) or community.level != GridLevel.COMMUNITY:
        errors["community"] = _("请选择居村")
    _raise(errors)
    with transaction.atomic():
        nomination = Nomination.objects.create(
            community=community,
            nominee=nominee,
            deed=deed,
            consent=bool(consent),
            nominated_by=user,
            created_at=now,
        )
        NominationEvent.objects.create(nomination=nomination, action="nominate", by=user, at=now)
    return nomination


def do_review_nomination(user, nomination, *, approve: bool, note="", now=None) -> Nomination:
    """居委审核: approve or reject a nomination (a rejection says why)."""
    now = _now(now)
    note = field_text(note, "note", _("审核意见"), MAX_NOTE, required=not approve)
    _require(user, NOTICES_EDIT_ROLES, nomination.community)
    with transaction.atomic():
        nomination = Nomination.objects.select_for_update(of=("self",)).get(pk=nomination.pk)
        nomination.review_note = note
        _nomination_step(nomination, "approve" if approve else "reject", user, now, note)
    return nomination


# --- read side for the bulletin and the dashboard ---------------------------------------------


def published_between(first, last, *, kinds=None) -> list[dict]:
    """Public notices published in the days first..last (for the bulletin): no personal data."""
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
    end = timezone.make_aware(
        datetime.datetime.combine(last + datetime.timedelta(1), datetime.time())
    )
    qs = Notice.objects.filter(
        state__in=SHOWN_STATES - {NoticeState.WITHDRAWN},
        audience=Audience.PUBLIC,
        published_at__gte=start,
        published_at__lt=end,
    )
    if kinds:
        qs = qs.filter(kind__in=kinds)
    qs = qs.annotate(
        objection_count=Count("objections", distinct=True),
        answered_count=Count("objections__answer", distinct=True),
    ).select_related("grid")
    return [
        {
            "id": n.pk,
            "kind": n.kind,
            "kind_label": n.get_kind_display(),
            "title": n.title,
            "scope": n.grid.name,
            "department": n.department_name,
            "published_at": n.published_at,
            "version": n.version,
            "objections": n.objection_count,
            "answered": n.answered_count,
        }
        for n in qs.order_by("published_at", "id")
    ]


def honour_rolls_between(first, last) -> list[dict]:
    """Honour rolls published in the days first..last, with their entries (all consented)."""
    rolls = published_between(first, last, kinds=[NoticeKind.HONOUR_ROLL])
    entries = {}
    for notice_id, name, citation in HonourEntry.objects.filter(
        notice_id__in=[r["id"] for r in rolls]
    ).values_list("notice_id", "name", "citation"):
        entries.setdefault(notice_id, []).append({"name": name, "citation": citation})
    return [{**roll, "entries": entries.get(roll["id"], [])} for roll in rolls]


def dashboard_tile(micro_ids, first, last, now) -> dict:
    """The tile: live notices, 公示 in their objection period, notices waiting for review,
    objections waiting for an answer — over the notices of the scope's grids and the grids above
    them (two queries, whatever the scope)."""
    qs = Notice.objects.all()
    if micro_ids is not None:
        micro = Grid.objects.filter(pk__in=micro_ids)
        qs = qs.filter(
            Q(grid__in=micro.values("parent_id"))
            | Q(grid__in=micro.values("parent__parent_id"))
            | Q(grid__in=micro.values("parent__parent__parent_id"))
        )
    figures = qs.aggregate(
        live=Count("pk", filter=Q(state__in=LIVE_STATES)),
        objection_open=Count(
            "pk",
            filter=Q(
                kind=NoticeKind.DISCLOSURE, state=NoticeState.PUBLISHED, objection_until__gt=now
            ),
        ),
        review=Count("pk", filter=Q(state=NoticeState.REVIEW)),
    )
    figures["unanswered"] = Objection.objects.filter(
        notice__in=qs.values("pk"), answer__isnull=True
    ).count()
    figures["has_data"] = bool(figures["live"] or figures["review"])
    return figures
