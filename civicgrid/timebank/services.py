"""Every change of the time bank (爱心银行).

Each `do_*` is atomic, locks the rows it changes (select_for_update; on SQLite the IMMEDIATE
transaction serialises writers), checks the transition table (timebank.workflow), the user's
role (accounts.policy) and scope (timebank.scoping), writes its history row and returns what it
did. `user=None` is a trusted caller (a command, the demo). Bad input raises ValidationError
(field → Chinese message) and nothing is written; a wrong state raises IllegalTransition; a role
or scope problem PermissionDenied.

Coins are kept in minutes (60 minutes = 1 时间币). A verified service record earns its duration
rounded to the rules' step (half-hour by default, half up: 44 min → 30, 45 min → 60), capped so
that one volunteer's verified time of one local day stays within the daily cap (8 hours); a
service to one's own household earns nothing and is refused when recorded. A gift goes only to a
declared relative; a redemption needs the holder to be 65 or over on the day (age from the
registry's birth date, or the ID number's). The rules are data (Rules, newest in force).
"""

import datetime
import functools
import time

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.policy import (
    TIMEBANK_EDIT_ROLES,
    TIMEBANK_RESIDENT_ROLES,
    TIMEBANK_VIEW_ROLES,
)
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.text import field_text as _text
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.registry.models import Resident
from civicgrid.registry.validators import id_birth_date
from civicgrid.timebank.choices import (
    AccountKind,
    PartnerKind,
    ProjectKind,
    RecordState,
    RequestState,
    TransferKind,
)
from civicgrid.timebank.models import (
    Account,
    HelpRequest,
    Partner,
    Project,
    RecordEvent,
    Relative,
    RequestEvent,
    Rules,
    ServiceRecord,
    Team,
    Transfer,
    Volunteer,
)
from civicgrid.timebank.scoping import may_see_community, scope_rows
from civicgrid.timebank.workflow import RECORD_TRANSITIONS, REQUEST_TRANSITIONS

MAX_SERVICE_MINUTES = 12 * 60  # one record: a longer stretch is a typing error
MAX_TRANSFER_MINUTES = 1000 * 60
MAX_PHOTO_BYTES = 10 * 1024 * 1024


# --- checks ----------------------------------------------------------------------------------


def _is_resident(user) -> bool:
    return user is not None and user.effective_role in TIMEBANK_RESIDENT_ROLES


def _may_edit(user, community_id):
    if user is None:
        return
    if user.effective_role not in TIMEBANK_EDIT_ROLES:
        raise PermissionDenied(_("您的角色不能维护爱心银行"))
    if not may_see_community(user, community_id):
        raise PermissionDenied(_("该居村不在您的管辖范围内"))


def _may_view(user, community_id):
    if user is None:
        return
    if user.effective_role not in TIMEBANK_VIEW_ROLES or not may_see_community(user, community_id):
        raise PermissionDenied(_("该居村不在您的管辖范围内"))


def _raise(errors):
    if errors:
        raise ValidationError(errors)


def _community_of(value, errors, field="community"):
    if not isinstance(value, Grid) or value.level != GridLevel.COMMUNITY:
        errors[field] = _("请选择居村")
        return None
    return value


def _household_community_id(resident) -> int:
    return resident.household.address.micro_grid.parent_id


def _step(table, action, state):
    sources, target = table[action]
    if state not in sources:
        raise IllegalTransition(_("当前状态不能进行此操作"))
    return target


RETRIES = 20


def _retryable(error) -> bool:
    if connection.in_atomic_block:
        return False
    if connection.vendor == "sqlite":
        return "locked" in str(error)
    cause = error.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return code in ("40P01", "40001")  # deadlock detected, serialization failure


def _serialised(function):
    """A ledger step in one transaction, tried again when it lost a race for the lock outside a
    caller's transaction: in a shared-cache SQLite database (the tests') the busy timeout does
    not wait for another writer's table lock; on PostgreSQL two posts waiting on each other end
    in a detected deadlock. The retried step reads the balance afresh, so it never overdraws."""

    @functools.wraps(function)
    def wrapper(*args, **kwargs):
        for attempt in range(RETRIES):
            try:
                with transaction.atomic():
                    return function(*args, **kwargs)
            except OperationalError as error:
                if not _retryable(error) or attempt == RETRIES - 1:
                    raise
                time.sleep(0.02 * (attempt + 1))
        raise AssertionError("unreachable")

    return wrapper


# --- rules (规则) ------------------------------------------------------------------------------


def rules() -> Rules:
    """The rules in force: the newest version, or the defaults before any was saved."""
    return Rules.objects.order_by("-at", "-id").first() or Rules(at=timezone.now())


def do_save_rules(user, **fields) -> Rules:
    """A new version of the rules (the older ones stay, as history)."""
    if user is not None and user.effective_role not in TIMEBANK_EDIT_ROLES - {"community_staff"}:
        raise PermissionDenied(_("只有街道可以修改爱心银行规则"))
    current = rules()
    values = {
        name: fields.get(name, getattr(current, name))
        for name in (
            "rounding_minutes",
            "daily_cap_minutes",
            "redeem_age",
            "credit_own_household",
            "gifts_to_relatives_only",
        )
    }
    errors = {}
    for name, low, high in (
        ("rounding_minutes", 1, 60),
        ("daily_cap_minutes", 30, 1440),
        ("redeem_age", 50, 100),
    ):
        try:
            values[name] = int(values[name])
        except (TypeError, ValueError):
            errors[name] = _("须为整数")
            continue
        if not low <= values[name] <= high:
            errors[name] = _("须在 %(low)d 到 %(high)d 之间") % {"low": low, "high": high}
    _raise(errors)
    return Rules.objects.create(**values, by=user, at=timezone.now())


def round_minutes(minutes: int, step: int) -> int:
    """`minutes` to the nearest multiple of `step`, half up (30: 44 → 30, 45 → 60)."""
    return (minutes + step // 2) // step * step


def age_on(resident, day: datetime.date) -> int | None:
    """Full years of age on `day` (None without a birth date or a resident ID number)."""
    born = resident.birth_date or (
        id_birth_date(resident.id_number) if resident.id_number else None
    )
    if born is None:
        return None
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


# --- partners, teams, projects, volunteers ---------------------------------------------------


@transaction.atomic
def do_save_partner(user, *, name, kind, joined_on, community=None, contact="", partner=None):
    errors = {}
    name = _text(name, "name", _("名称"), 100, required=True, errors=errors)
    contact = _text(contact, "contact", _("联系人"), 50, errors=errors)
    if kind not in PartnerKind.values:
        errors["kind"] = _("请选择类别")
    if community is not None:
        _community_of(community, errors)
    _raise(errors)
    if community is not None:
        _may_edit(user, community.pk)
    else:
        _may_edit_street(user)
    if Partner.objects.filter(name=name).exclude(pk=getattr(partner, "pk", None)).exists():
        raise ValidationError({"name": _("该公益伙伴已登记")})
    partner = partner or Partner()
    partner.name, partner.kind, partner.community = name, kind, community
    partner.contact, partner.joined_on = contact, joined_on
    partner.save()
    return partner


def _may_edit_street(user):
    if user is not None and user.effective_role not in TIMEBANK_EDIT_ROLES - {"community_staff"}:
        raise PermissionDenied(_("您的角色不能维护爱心银行"))


@transaction.atomic
def do_save_team(user, *, name, community, partner=None) -> Team:
    errors = {}
    name = _text(name, "name", _("队伍名称"), 100, required=True, errors=errors)
    _community_of(community, errors)
    _raise(errors)
    _may_edit(user, community.pk)
    if Team.objects.filter(name=name).exists():
        raise ValidationError({"name": _("该队伍已存在")})
    return Team.objects.create(name=name, community=community, partner=partner)


@transaction.atomic
def do_save_project(
    user, *, name, kind, community, coordinator, started_on, partners=(), project=None
) -> Project:
    errors = {}
    name = _text(name, "name", _("项目名称"), 100, required=True, errors=errors)
    if kind not in ProjectKind.values:
        errors["kind"] = _("请选择类别")
    _community_of(community, errors)
    if coordinator is None:
        errors["coordinator"] = _("请指定协调人")
    _raise(errors)
    _may_edit(user, community.pk)
    if Project.objects.filter(name=name).exclude(pk=getattr(project, "pk", None)).exists():
        raise ValidationError({"name": _("该项目已存在")})
    project = project or Project()
    project.name, project.kind, project.community = name, kind, community
    project.coordinator, project.started_on = coordinator, started_on
    project.save()
    project.partners.set(partners)
    return project


@transaction.atomic
def do_register_volunteer(
    user,
    *,
    community,
    joined_on,
    name="",
    phone="",
    resident=None,
    team=None,
    skills=(),
    double_report=False,
    unit="",
    login=None,
    name_consent=False,
) -> Volunteer:
    """志愿者注册: a registry resident (name from the registry) or someone from outside (name and
    phone given). `login` links a resident account to the volunteer's time account;
    `name_consent` records their consent to be named on an honour roll (dated today)."""
    errors = {}
    if resident is not None:
        name = resident.name
    name = _text(name, "name", _("姓名"), 50, required=True, errors=errors)
    phone = _text(phone, "phone", _("手机号"), 32, errors=errors)
    if phone and not (phone.isdigit() and len(phone) == 11):
        errors["phone"] = _("手机号须为 11 位数字")
    _community_of(community, errors)
    skills = [_text(s, "skills", _("技能"), 20, errors=errors) for s in skills if str(s).strip()][
        :10
    ]
    unit = _text(unit, "unit", _("报到单位"), 100, errors=errors)
    if double_report and not unit:
        errors["unit"] = _("双报到的志愿者请填写报到单位")
    if team is not None and community is not None and team.community_id != community.pk:
        errors["team"] = _("队伍不属于该居村")
    if login is not None and login.effective_role not in TIMEBANK_RESIDENT_ROLES:
        errors["login"] = _("只能关联居民账号")
    _raise(errors)
    _may_edit(user, community.pk)
    if resident is not None and Volunteer.objects.filter(resident=resident).exists():
        raise ValidationError({"resident": _("该居民已是志愿者")})
    if not isinstance(joined_on, datetime.date):
        raise ValidationError({"joined_on": _("请填写注册日期")})
    # One transaction: a refused login link must not leave the volunteer behind.
    with transaction.atomic():
        volunteer = Volunteer.objects.create(
            name=name,
            phone="" if resident is not None else phone,
            resident=resident,
            community=community,
            team=team,
            skills=skills,
            double_report=bool(double_report),
            unit=unit,
            joined_on=joined_on,
            name_consent=bool(name_consent),
            name_consent_on=timezone.localdate() if name_consent else None,
        )
        account = person_account(volunteer=volunteer)
        if login is not None:
            if Account.objects.filter(user=login).exclude(pk=account.pk).exists():
                raise ValidationError({"login": _("该账号已关联其他时间账户")})
            Account.objects.filter(pk=account.pk).update(user=login)
    return volunteer


def do_set_name_consent(user, volunteer, consent: bool, *, on=None) -> Volunteer:
    """公开姓名同意: the volunteer's consent to be named on an honour roll or in the 社区报, given
    (dated `on`, today by default) or withdrawn (the date cleared). Only named volunteers who
    consented appear on an honour roll (notices.generate)."""
    if not isinstance(volunteer, Volunteer):
        raise ValidationError({"volunteer": _("没有这位志愿者")})
    dated = on is not None
    on = on or timezone.localdate()
    if consent and (not isinstance(on, datetime.date) or on > timezone.localdate()):
        raise ValidationError({"name_consent_on": _("同意日期不能晚于今天")})
    _may_edit(user, volunteer.community_id)
    with transaction.atomic():
        volunteer = Volunteer.objects.select_for_update(of=("self",)).get(pk=volunteer.pk)
        # Consent given again keeps the date it was first given, unless a date is stated.
        if consent and (dated or not volunteer.name_consent):
            volunteer.name_consent, volunteer.name_consent_on = True, on
        elif not consent:
            volunteer.name_consent, volunteer.name_consent_on = False, None
        volunteer.save(update_fields=["name_consent", "name_consent_on"])
    return volunteer


def consenting_volunteer_ids(ids) -> set[int]:
    """Which of the volunteers `ids` consented to be named (for an honour roll)."""
    return set(
        Volunteer.objects.filter(pk__in=list(ids), name_consent=True).values_list("pk", flat=True)
    )


# --- accounts --------------------------------------------------------------------------------


def bank_account(kind) -> Account:
    try:
        with transaction.atomic():
            account, _created = Account.objects.get_or_create(
                kind=kind, resident=None, volunteer=None, defaults={"opened_at": timezone.now()}
            )
    except IntegrityError:
        account = Account.objects.get(kind=kind)
    return account


def person_account(*, volunteer=None, resident=None) -> Account:
    """One account per person: a registry resident's (whether or not they volunteer), or an
    outside volunteer's."""
    if volunteer is not None and volunteer.resident_id:
        resident = volunteer.resident
    lookup = {"resident": resident} if resident is not None else {"volunteer": volunteer}
    account = Account.objects.filter(**lookup).first()
    if account is None:
        community_id = (
            _household_community_id(resident) if resident is not None else volunteer.community_id
        )
        try:
            with transaction.atomic():
                account = Account.objects.create(
                    kind=AccountKind.PERSON,
                    community_id=community_id,
                    opened_at=timezone.now(),
                    **lookup,
                )
        except IntegrityError:
            account = Account.objects.get(**lookup)
    return account


def volunteer_of(account):
    if account.volunteer_id:
        return account.volunteer
    if account.resident_id:
        return Volunteer.objects.filter(resident_id=account.resident_id).first()
    return None


def account_of_user(user):
    if user is None or not user.is_authenticated:
        return None
    return Account.objects.select_related("volunteer", "resident").filter(user=user).first()


@transaction.atomic
def do_link_login(user, account, login) -> Account:
    """Links a resident account (checked at the 居委) to a time account."""
    _may_edit(user, account.community_id)
    if login.effective_role not in TIMEBANK_RESIDENT_ROLES:
        raise ValidationError({"login": _("只能关联居民账号")})
    if Account.objects.filter(user=login).exclude(pk=account.pk).exists():
        raise ValidationError({"login": _("该账号已关联其他时间账户")})
    Account.objects.filter(pk=account.pk).update(user=login)
    account.refresh_from_db()
    return account


@transaction.atomic
def do_declare_relative(user, account, resident, relation, *, now=None) -> Relative:
    """亲属登记: `resident` is a relative of the account's holder (checked by the 居委)."""
    relation = _text(relation, "relation", _("关系"), 20, required=True)
    _may_edit(user, account.community_id)
    if account.kind != AccountKind.PERSON or account.resident_id == resident.pk:
        raise ValidationError({"resident": _("不能登记本人为亲属")})
    if Relative.objects.filter(account=account, resident=resident).exists():
        raise ValidationError({"resident": _("该亲属已登记")})
    return Relative.objects.create(
        account=account, resident=resident, relation=relation, by=user, at=now or timezone.now()
    )


def _minutes(value, field="minutes") -> int:
    try:
        minutes = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: _("时长须为整数分钟")}) from None
    if not 0 < minutes <= MAX_TRANSFER_MINUTES:
        raise ValidationError(
            {field: _("时长须在 1 到 %(n)d 分钟之间") % {"n": MAX_TRANSFER_MINUTES}}
        )
    return minutes


def _post(debit, credit, minutes, kind, *, user, now, record=None, reverses=None, note=""):
    """One transfer: both accounts locked (in id order, so two posts never deadlock), the
    debit's balance checked, both balances moved and the row written, in one transaction."""
    if debit.pk == credit.pk:
        raise ValidationError({"minutes": _("同一账户之间不能转时间币")})
    with transaction.atomic():
        locked = {
            a.pk: a
            for a in Account.objects.select_for_update()
            .filter(pk__in=[debit.pk, credit.pk])
            .order_by("pk")
        }
        debit, credit = locked[debit.pk], locked[credit.pk]
        if debit.kind != AccountKind.ISSUED and debit.balance < minutes:
            raise ValidationError(
                {
                    "minutes": _("时间币不足：余额 %(have)s 小时，需 %(want)s 小时")
                    % {"have": _hours(debit.balance), "want": _hours(minutes)}
                }
            )
        Account.objects.filter(pk=debit.pk).update(balance=F("balance") - minutes)
        Account.objects.filter(pk=credit.pk).update(balance=F("balance") + minutes)
        return Transfer.objects.create(
            debit=debit,
            credit=credit,
            minutes=minutes,
            kind=kind,
            record=record,
            reverses=reverses,
            note=note,
            by=user,
            at=now,
        )


def _hours(minutes) -> str:
    return f"{minutes / 60:g}"


def _holder_or_staff(user, account):
    if user is None:
        return
    if _is_resident(user):
        if account.user_id != user.pk:
            raise PermissionDenied(_("只能操作本人的时间账户"))
        return
    _may_edit(user, account.community_id)


@_serialised
def do_gift(user, account, relative, minutes, *, note="", now=None) -> Transfer:
    """赠与: coins to a declared relative (a registry resident), into their own account."""
    now = now or timezone.now()
    minutes = _minutes(minutes)
    note = _text(note, "note", _("说明"), 200)
    _holder_or_staff(user, account)
    if (
        rules().gifts_to_relatives_only
        and not Relative.objects.filter(account=account, resident=relative).exists()
    ):
        raise ValidationError({"relative": _("只能赠与已登记的亲属")})
    target = person_account(resident=relative)
    return _post(account, target, minutes, TransferKind.GIFT, user=user, now=now, note=note)


@_serialised
def do_donate(user, account, minutes, *, note="", now=None) -> Transfer:
    """捐赠: coins into the bank's pool (公益池), which serves elders with no coins."""
    now = now or timezone.now()
    minutes = _minutes(minutes)
    note = _text(note, "note", _("说明"), 200)
    _holder_or_staff(user, account)
    return _post(
        account,
        bank_account(AccountKind.POOL),
        minutes,
        TransferKind.DONATE,
        user=user,
        now=now,
        note=note,
    )


@_serialised
def do_redeem(user, account, minutes, *, note, now=None, from_pool=False) -> Transfer:
    """兑换: an elder of the redemption age (65) on the day spends coins on a service, from
    their own account, or (by staff, `from_pool`) from the pool for them."""
    now = now or timezone.now()
    minutes = _minutes(minutes)
    note = _text(note, "note", _("兑换服务"), 200, required=True)
    if account.resident_id is None:
        raise ValidationError({"account": _("只有登记在册的居民可以兑换服务")})
    age = age_on(account.resident, timezone.localdate(now))
    limit = rules().redeem_age
    if age is None or age < limit:
        raise ValidationError({"account": _("年满 %(n)d 周岁方可兑换服务") % {"n": limit}})
    if from_pool:
        if user is not None and _is_resident(user):
            raise PermissionDenied(_("公益池由居委代为兑换"))
        _may_edit(user, account.community_id)
        debit = bank_account(AccountKind.POOL)
    else:
        _holder_or_staff(user, account)
        debit = account
    return _post(
        debit,
        bank_account(AccountKind.REDEEMED),
        minutes,
        TransferKind.REDEEM,
        user=user,
        now=now,
        note=note,
    )


@_serialised
def do_reverse(user, transfer, *, note, now=None) -> Transfer:
    """冲正: the opposite transfer of a mistaken one (once); never an edit of the row."""
    now = now or timezone.now()
    note = _text(note, "note", _("冲正原因"), 200, required=True)
    if user is not None and user.effective_role not in TIMEBANK_EDIT_ROLES:
        raise PermissionDenied(_("您的角色不能冲正"))
    if user is not None:
        _may_edit(user, (transfer.credit.community_id or transfer.debit.community_id))
    if (
        transfer.kind == TransferKind.REVERSAL
        or Transfer.objects.filter(reverses=transfer).exists()
    ):
        raise IllegalTransition(_("该分录已冲正或本身是冲正分录"))
    try:
        return _post(
            transfer.credit,
            transfer.debit,
            transfer.minutes,
            TransferKind.REVERSAL,
            user=user,
            now=now,
            reverses=transfer,
            record=transfer.record,
            note=note,
        )
    except IntegrityError:
        raise IllegalTransition(_("该分录已冲正或本身是冲正分录")) from None


def ledger_sum() -> int:
    """The sum of every line of every transfer (−minutes and +minutes): always 0."""
    rows = Transfer.objects.aggregate(s=Sum("minutes"))["s"] or 0
    return rows - rows


def balance_from_lines(account) -> int:
    credits = Transfer.objects.filter(credit=account).aggregate(s=Sum("minutes"))["s"] or 0
    debits = Transfer.objects.filter(debit=account).aggregate(s=Sum("minutes"))["s"] or 0
    return credits - debits


# --- requests (求助) ---------------------------------------------------------------------------


def _request_event(request, action, source, user, now, note=""):
    RequestEvent.objects.create(
        request=request,
        action=action,
        from_state=source,
        to_state=request.state,
        note=note,
        by=user,
        at=now,
    )


def may_ask_for(user, elder) -> bool:
    """A resident account asks for an elder of its holder's household or a declared relative."""
    account = account_of_user(user)
    if account is None:
        return False
    if account.resident_id and account.resident.household_id == elder.household_id:
        return True
    return Relative.objects.filter(account=account, resident=elder).exists()


def do_ask_help(
    user, *, elder, project, wanted_on, description, contact_phone="", now=None
) -> HelpRequest:
    """求助: an elder's family (their resident account) or staff ask help for an elder."""
    now = now or timezone.now()
    errors = {}
    description = _text(
        description, "description", _("需求说明"), 300, required=True, errors=errors
    )
    contact_phone = _text(contact_phone, "contact_phone", _("联系电话"), 32, errors=errors)
    if contact_phone and not (contact_phone.isdigit() and len(contact_phone) == 11):
        errors["contact_phone"] = _("手机号须为 11 位数字")
    if not isinstance(elder, Resident):
        errors["elder"] = _("请选择老人")
    if not isinstance(project, Project) or not project.is_active:
        errors["project"] = _("请选择进行中的项目")
    if not isinstance(wanted_on, datetime.date):
        errors["wanted_on"] = _("请填写希望日期")
    elif wanted_on < timezone.localdate(now):
        errors["wanted_on"] = _("希望日期不能早于今天")
    _raise(errors)
    community_id = _household_community_id(elder)
    if _is_resident(user):
        if not may_ask_for(user, elder):
            raise PermissionDenied(_("只能为本户或已登记亲属的老人求助"))
    else:
        _may_edit(user, community_id)
    with transaction.atomic():
        request = HelpRequest.objects.create(
            elder=elder,
            project=project,
            community_id=community_id,
            wanted_on=wanted_on,
            description=description,
            contact_phone=contact_phone,
            asked_by=user,
            created_at=now,
        )
        _request_event(request, "ask", "", user, now)
    return request


def _may_coordinate(user, project):
    if user is None or user.pk == project.coordinator_id:
        return
    _may_edit(user, project.community_id)


def do_match(request, user, volunteer, *, now=None) -> HelpRequest:
    now = now or timezone.now()
    with transaction.atomic():
        request = HelpRequest.objects.select_for_update().get(pk=request.pk)
        _may_coordinate(user, request.project)
        target = _step(REQUEST_TRANSITIONS, "match", request.state)
        if not isinstance(volunteer, Volunteer) or not volunteer.is_active:
            raise ValidationError({"volunteer": _("请选择在册的志愿者")})
        source = request.state
        request.state, request.volunteer = target, volunteer
        request.save(update_fields=["state", "volunteer"])
        _request_event(request, "match", source, user, now, volunteer.name)
    return request


def do_close_request(request, user, action, *, note="", now=None) -> HelpRequest:
    """`done` (served) or `cancel` (by staff, or by whoever asked)."""
    now = now or timezone.now()
    note = _text(note, "note", _("说明"), 200)
    if action not in ("done", "cancel"):
        raise IllegalTransition(_("当前状态不能进行此操作"))
    with transaction.atomic():
        request = HelpRequest.objects.select_for_update().get(pk=request.pk)
        if not (action == "cancel" and user is not None and request.asked_by_id == user.pk):
            _may_coordinate(user, request.project)
        target = _step(REQUEST_TRANSITIONS, action, request.state)
        source = request.state
        request.state = target
        request.save(update_fields=["state"])
        _request_event(request, action, source, user, now, note)
    return request


# --- service records (服务记录) ----------------------------------------------------------------


def _record_event(record, action, source, user, now, note=""):
    RecordEvent.objects.create(
        record=record,
        action=action,
        from_state=source,
        to_state=record.state,
        note=note,
        by=user,
        at=now,
    )


def _check_photo(photo, errors):
    if photo is None:
        return None
    if photo.size > MAX_PHOTO_BYTES:
        errors["photo"] = _("照片不能超过 10 MB")
        return None
    try:
        return forms.ImageField().clean(photo)
    except ValidationError:
        errors["photo"] = _("请上传有效的图片")
        return None


def do_record_service(
    user,
    *,
    volunteer,
    project,
    started_at,
    ended_at,
    recipient=None,
    activity="",
    confirmation="",
    photo=None,
    request=None,
    note="",
    submit=True,
    now=None,
) -> ServiceRecord:
    """服务记录: by the volunteer (their resident account) or staff; with the elder's
    confirmation (their name as they said it) or a photo. `submit`: straight to the
    coordinator (otherwise a draft)."""
    now = now or timezone.now()
    errors = {}
    activity = _text(activity, "activity", _("集体活动"), 100, errors=errors)
    confirmation = _text(confirmation, "confirmation", _("服务对象确认"), 100, errors=errors)
    note = _text(note, "note", _("说明"), 200, errors=errors)
    if not isinstance(project, Project) or not project.is_active:
        errors["project"] = _("请选择进行中的项目")
    if not isinstance(volunteer, Volunteer) or not volunteer.is_active:
        errors["volunteer"] = _("请选择在册的志愿者")
    if recipient is None and not activity:
        errors["recipient"] = _("请选择服务对象，或填写集体活动名称")
    if not isinstance(started_at, datetime.datetime) or not isinstance(ended_at, datetime.datetime):
        errors["started_at"] = _("请填写开始和结束时间")
    elif ended_at <= started_at:
        errors["ended_at"] = _("结束时间须晚于开始时间")
    elif (ended_at - started_at).total_seconds() > MAX_SERVICE_MINUTES * 60:
        errors["ended_at"] = _("一次服务不能超过 12 小时")
    elif ended_at > now + datetime.timedelta(minutes=5):
        errors["ended_at"] = _("不能记录尚未结束的服务")
    photo = _check_photo(photo, errors)
    if recipient is not None and not confirmation and photo is None:
        errors["confirmation"] = _("请填写服务对象确认，或上传服务照片")
    if (
        recipient is not None
        and "volunteer" not in errors
        and volunteer.resident_id
        and not rules().credit_own_household
        and Resident.objects.filter(
            pk=volunteer.resident_id, household_id=recipient.household_id
        ).exists()
    ):
        errors["recipient"] = _("为本户家人服务不计入时间币")
    _raise(errors)
    if _is_resident(user):
        account = account_of_user(user)
        if account is None or volunteer_of(account) != volunteer:
            raise PermissionDenied(_("只能记录本人的服务"))
    else:
        _may_edit(user, project.community_id)
    with transaction.atomic():
        record = ServiceRecord.objects.create(
            project=project,
            volunteer=volunteer,
            recipient=recipient,
            activity=activity,
            request=request,
            community_id=project.community_id,
            started_at=started_at,
            ended_at=ended_at,
            confirmation=confirmation,
            note=note,
            created_by=user,
            created_at=now,
            state=RecordState.SUBMITTED if submit else RecordState.DRAFT,
        )
        if photo is not None:
            record.photo.save(photo.name, photo, save=False)
            ServiceRecord.objects.filter(pk=record.pk).update(photo=record.photo.name)
        _record_event(record, "record", "", user, now)
    return record


def do_submit(record, user, *, now=None) -> ServiceRecord:
    now = now or timezone.now()
    with transaction.atomic():
        record = ServiceRecord.objects.select_for_update().get(pk=record.pk)
        if _is_resident(user):
            account = account_of_user(user)
            if account is None or volunteer_of(account) != record.volunteer:
                raise PermissionDenied(_("只能提交本人的服务"))
        else:
            _may_edit(user, record.community_id)
        target = _step(RECORD_TRANSITIONS, "submit", record.state)
        source, record.state = record.state, target
        record.save(update_fields=["state"])
        _record_event(record, "submit", source, user, now)
    return record


def credit_for(record, the_rules=None) -> int:
    """Minutes a record earns: its duration rounded, then what is left of the volunteer's daily
    cap on the record's local day (other verified records of that day counted)."""
    the_rules = the_rules or rules()
    earned = round_minutes(record.minutes, the_rules.rounding_minutes)
    day = timezone.localdate(record.started_at)
    start = timezone.make_aware(datetime.datetime.combine(day, datetime.time()))
    end = start + datetime.timedelta(days=1)
    used = (
        ServiceRecord.objects.filter(
            volunteer_id=record.volunteer_id,
            state=RecordState.VERIFIED,
            started_at__gte=start,
            started_at__lt=end,
        )
        .exclude(pk=record.pk)
        .aggregate(s=Sum("credited_minutes"))["s"]
        or 0
    )
    return max(0, min(earned, the_rules.daily_cap_minutes - used))


def do_verify(record, user, *, now=None) -> ServiceRecord:
    """审核通过: the coordinator (or the 居委) verifies; the credit is posted from the bank's
    issued account to the volunteer's."""
    now = now or timezone.now()
    with transaction.atomic():
        record = (
            ServiceRecord.objects.select_for_update().select_related("project").get(pk=record.pk)
        )
        _may_coordinate(user, record.project)
        target = _step(RECORD_TRANSITIONS, "verify", record.state)
        account = person_account(volunteer=record.volunteer)
        # The volunteer's account is locked before the day's credit is read: two verifications
        # of one volunteer's day cannot both see room under the cap.
        Account.objects.select_for_update().get(pk=account.pk)
        credit = credit_for(record)
        source = record.state
        record.state, record.credited_minutes = target, credit
        record.save(update_fields=["state", "credited_minutes"])
        note = "" if credit == record.minutes else _("计入 %(n)s 小时") % {"n": _hours(credit)}
        _record_event(record, "verify", source, user, now, note)
        if credit:
            _post(
                bank_account(AccountKind.ISSUED),
                account,
                credit,
                TransferKind.EARN,
                user=user,
                now=now,
                record=record,
            )
    return record


def do_reject(record, user, *, note, now=None) -> ServiceRecord:
    now = now or timezone.now()
    note = _text(note, "note", _("退回原因"), 200, required=True)
    with transaction.atomic():
        record = (
            ServiceRecord.objects.select_for_update().select_related("project").get(pk=record.pk)
        )
        _may_coordinate(user, record.project)
        target = _step(RECORD_TRANSITIONS, "reject", record.state)
        source, record.state = record.state, target
        record.save(update_fields=["state"])
        _record_event(record, "reject", source, user, now, note)
    return record


# --- what a user sees -------------------------------------------------------------------------


def pending_for(user):
    """The submitted records a user may verify (their projects, or their 居村 for the 居委)."""
    qs = ServiceRecord.objects.filter(state=RecordState.SUBMITTED)
    if user.effective_role in TIMEBANK_EDIT_ROLES:
        return scope_rows(qs, user) | qs.filter(project__coordinator=user)
    return qs.filter(project__coordinator=user)


def q_open_requests():
    return Q(state__in=[RequestState.OPEN, RequestState.MATCHED])
