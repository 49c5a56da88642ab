"""Every change of shared parking (错峰共享停车).

Each `do_*` runs in one transaction, checks the role (accounts.policy), the scope
(parking.scoping) or, for a resident, that they act for the household (Member), and the booking
table (parking.workflow) before writing; a booking's every step writes an immutable BookingEvent.
Bad input raises ValidationError (field → Chinese message), a refused user PermissionDenied, a
wrong state IllegalTransition; nothing is written then. `user=None` is a trusted caller (the
sweep, the demo builder).

No two bookings of one space overlap. On PostgreSQL the exclusion constraint
`parking_booking_no_overlap` (migration 0002) is the guarantee; a booking first locks its space's
row, so racers for one slot queue there and the later ones' overlap check sees the winner (an
insert past the service that still overlaps fails the constraint, and its IntegrityError becomes
“该时段已被预约”). On SQLite the booking's transaction begins IMMEDIATE
(settings), so it holds the write lock before the overlap check and bookings are serialised. A
writer that loses such a race to a lock (SQLite's shared cache does not wait for it) or to a
deadlock (PostgreSQL) tries again, and its overlap check then sees the winner.

The 业委会's rules in force for the booker's estate decide the slot length, the weekly cap per
household and what an overstay costs: a notice to the space's holder and the estate's 物业 (the
outbox), a strike for the booker, and `strikes_to_suspend` strikes within `strike_window_days`
suspend the booker's household for `suspend_days`.
"""

import datetime
import re
import time
from collections import defaultdict
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.access import require_role
from civicgrid.accounts.choices import Role
from civicgrid.accounts.policy import (
    PARKING_EDIT_ROLES,
    PARKING_GATE_ROLES,
    PARKING_RESIDENT_ROLES,
)
from civicgrid.cases import notifications
from civicgrid.cases import services as cases
from civicgrid.cases.choices import CaseSource, CategoryFamily
from civicgrid.cases.models import Category
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.text import field_text as _text
from civicgrid.estates.models import Estate, OwnersCommittee
from civicgrid.meetings import services as meetings
from civicgrid.meetings.choices import MeetingKind
from civicgrid.messaging.messages import Message, Recipient
from civicgrid.parking.choices import (
    RELEASED_STATES,
    BookingState,
    Days,
    EscalationKind,
    SpaceKind,
)
from civicgrid.parking.models import (
    Booking,
    BookingEvent,
    CongestionReport,
    Escalation,
    Member,
    Offer,
    RuleSet,
    Space,
    Vehicle,
)
from civicgrid.parking.scoping import may_see_community
from civicgrid.parking.workflow import may_change
from civicgrid.registry.models import Household
from civicgrid.workcalendar.services import get_calendar

OVERLAP_CONSTRAINT = "parking_booking_no_overlap"
PARKING_CATEGORY = (CategoryFamily.COMMUNITY, "0114")  # 社区扩展 01 社区治理 › 0114 停车难
PLATE_RE = r"^[\u4e00-\u9fa5][A-Z][A-Z0-9]{5,6}$"
MAX_OFFER_DAYS = 366
ARRIVE_EARLY = datetime.timedelta(minutes=15)
MAX_TEXT = 300
RETRIES = 50


# --- checks --------------------------------------------------------------------------------------


def _scope(user, community_id):
    if user is not None and not may_see_community(user, community_id):
        raise PermissionDenied(_("该居村不在您的管辖范围内"))


def _local(moment) -> datetime.datetime:
    return timezone.localtime(moment)


def _at(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


def my_households(user):
    """The households a resident account acts for (Member rows)."""
    if user is None or not user.is_authenticated:
        return Household.objects.none()
    return Household.objects.filter(parking_members__user=user)


def acts_for(user, household_id) -> bool:
    """Whether `user` is a resident member of the household (or a trusted caller)."""
    if user is None:
        return True
    return Member.objects.filter(user=user, household_id=household_id).exists()


def _is_staff_in_scope(user, roles, community_id) -> bool:
    return (
        user.effective_role in roles
        and not user.is_read_only
        and may_see_community(user, community_id)
    )


def _household_estate(household) -> Estate:
    estate = household.address.estate if household.address_id else None
    if estate is None:
        raise ValidationError({"household": _("该户的地址不属于任何小区")})
    return estate


# --- spaces, vehicles, members, rules -------------------------------------------------------------


def do_save_space(
    user, *, code, kind, estate=None, unit_name="", community=None, holder=None, space=None
) -> Space:
    """A space of an estate, or of an outside unit (named, in a 居村) shared at night. A fixed
    space (产权, 租赁) has a holder household of its estate."""
    require_role(user, PARKING_EDIT_ROLES, _("您的角色不能维护车位"))
    errors = {}
    code = _text(code, "code", _("车位编号"), 30, required=True)
    unit_name = _text(unit_name, "unit_name", _("外部单位"), 100)
    if kind not in SpaceKind.values:
        errors["kind"] = _("请选择车位类型")
    if (estate is None) == (not unit_name):
        errors["estate"] = _("请选择小区，或填写外部单位名称（二者选一）")
    if estate is not None:
        community = estate.community
    elif community is None:
        errors["community"] = _("外部单位的车位须选择所在居村")
    if kind in (SpaceKind.OWNED, SpaceKind.LEASED):
        if holder is None and estate is not None:
            errors["holder"] = _("固定车位须填写持有户")
        elif holder is not None and estate is not None and holder.address.estate_id != estate.pk:
            errors["holder"] = _("持有户不在该小区")
    elif holder is not None:
        errors["holder"] = _("公共车位和访客车位没有持有户")
    if errors:
        raise ValidationError(errors)
    _scope(user, community.pk)
    fields = {
        "code": code,
        "kind": kind,
        "estate": estate,
        "unit_name": "" if estate is not None else unit_name,
        "community": community,
        "holder": holder,
    }
    with transaction.atomic():
        if space is None:
            space = Space(**fields)
        else:
            space = Space.objects.select_for_update().get(pk=space.pk)
            for key, value in fields.items():
                setattr(space, key, value)
        try:
            with transaction.atomic():
                space.save()
        except IntegrityError:
            raise ValidationError({"code": _("该车位编号已存在")}) from None
    return space


def clean_plate(value) -> str:
    """A plate upper-cased without spaces or dots (沪A12345; 8 characters for a new-energy car);
    ValidationError on the field "plate" otherwise."""
    text = (value or "").strip().upper().replace(" ", "").replace("·", "").replace("-", "")
    if not re.match(PLATE_RE, text):
        raise ValidationError({"plate": _("车牌号格式不正确（如“沪A12345”，新能源车为8位）")})
    return text


def do_register_vehicle(user, *, household, plate, since) -> Vehicle:
    """在册车辆: a household's car, counted for its estate."""
    require_role(user, PARKING_EDIT_ROLES, _("您的角色不能登记车辆"))
    plate = clean_plate(plate)
    if not isinstance(since, datetime.date):
        raise ValidationError({"since": _("请填写登记日期")})
    estate = _household_estate(household)
    _scope(user, estate.community_id)
    try:
        with transaction.atomic():
            return Vehicle.objects.create(
                plate=plate,
                household=household,
                estate=estate,
                community_id=estate.community_id,
                since=since,
            )
    except IntegrityError:
        raise ValidationError({"plate": _("该车牌号已登记")}) from None


def do_enrol_member(user, *, account, household) -> Member:
    """A resident account may act for a household (checked by the 居委 or the 物业)."""
    require_role(user, PARKING_EDIT_ROLES, _("您的角色不能登记共享停车住户"))
    if account is None or account.effective_role != Role.RESIDENT:
        raise ValidationError({"account": _("只能登记居民账户")})
    estate = _household_estate(household)
    _scope(user, estate.community_id)
    member, _created = Member.objects.get_or_create(
        user=account,
        household=household,
        defaults={"estate": estate, "community_id": estate.community_id},
    )
    return member


def rules_for(estate, day: datetime.date) -> RuleSet | None:
    """The version of the estate's rules in force on `day`."""
    return (
        RuleSet.objects.filter(estate=estate, effective_from__lte=day)
        .order_by("-effective_from", "-version")
        .first()
    )


def launch_day(estate) -> datetime.date | None:
    """The scheme's launch: the first version's date."""
    first = RuleSet.objects.filter(estate=estate).order_by("version").first()
    return first.effective_from if first else None


RULE_LIMITS = {
    "slot_minutes": (15, 720),
    "weekly_cap_hours": (1, 168),
    "grace_minutes": (0, 240),
    "strikes_to_suspend": (1, 20),
    "strike_window_days": (1, 366),
    "suspend_days": (1, 366),
}


def do_adopt_rules(user, *, estate, committee, effective_from, overstay_notice, now=None, **values):
    """A new version of the estate's rules, adopted by its 业委会 in office on `effective_from`.
    Versions are immutable; a later one replaces an earlier one from its date."""
    require_role(user, PARKING_EDIT_ROLES, _("您的角色不能录入停车共享规则"))
    now = now or timezone.now()
    errors = {}
    cleaned = {}
    for field, (low, high) in RULE_LIMITS.items():
        raw = values.get(field)
        try:
            number = int(raw)
        except (TypeError, ValueError):
            errors[field] = _("请填写整数")
            continue
        if not low <= number <= high:
            errors[field] = _("应在 %(low)d 到 %(high)d 之间") % {"low": low, "high": high}
        cleaned[field] = number
    if "slot_minutes" in cleaned and not errors.get("slot_minutes"):
        if 60 % cleaned["slot_minutes"] and cleaned["slot_minutes"] % 60:
            errors["slot_minutes"] = _("时段长度须能整除或为 60 分钟的整数倍")
    unknown = set(values) - set(RULE_LIMITS)
    if unknown:
        errors["rules"] = _("未知的规则项：%(names)s") % {"names": "、".join(sorted(unknown))}
    try:
        overstay_notice = _text(
            overstay_notice, "overstay_notice", _("超时处理说明"), MAX_TEXT, required=True
        )
    except ValidationError as error:
        errors.update(error.message_dict)
    if not isinstance(effective_from, datetime.date):
        errors["effective_from"] = _("请填写生效日期")
    elif not isinstance(committee, OwnersCommittee) or committee.estate_id != estate.pk:
        errors["committee"] = _("请选择本小区的业委会")
    elif not committee.term_start <= effective_from <= committee.term_end:
        errors["committee"] = _("生效日期不在该业委会任期内")
    if errors:
        raise ValidationError(errors)
    _scope(user, estate.community_id)
    with transaction.atomic():
        Estate.objects.select_for_update().get(pk=estate.pk)
        latest = RuleSet.objects.filter(estate=estate).order_by("-version").first()
        if latest is not None and effective_from < latest.effective_from:
            raise ValidationError(
                {
                    "effective_from": _("生效日期不能早于上一版规则（%(d)s）")
                    % {"d": latest.effective_from}
                }
            )
        return RuleSet.objects.create(
            estate=estate,
            committee=committee,
            version=(latest.version + 1) if latest else 1,
            effective_from=effective_from,
            overstay_notice=overstay_notice,
            adopted_at=now,
            adopted_by=user,
            **cleaned,
        )


# --- offers -------------------------------------------------------------------------------------


def _may_offer(user, space) -> bool:
    if user is None:
        return True
    if user.effective_role in PARKING_RESIDENT_ROLES:
        return space.holder_id is not None and acts_for(user, space.holder_id)
    return _is_staff_in_scope(user, PARKING_EDIT_ROLES, space.community_id)


def do_offer(
    user,
    *,
    space,
    first_day,
    last_day,
    days,
    start_time,
    end_time,
    estates=None,
    auto_confirm=True,
    now=None,
) -> Offer:
    """The holder (or, for a public space or an outside unit's, the 居委) shares a space in a
    window that recurs on `days` from `first_day` to `last_day`. `estates` may book it (default:
    the space's own estate; an outside unit's space must name them)."""
    now = now or timezone.now()
    if not _may_offer(user, space):
        raise PermissionDenied(_("只有车位持有户或居委可以发布共享时段"))
    errors = {}
    today = _local(now).date()
    if not isinstance(first_day, datetime.date):
        errors["first_day"] = _("请填写开始日期")
    elif first_day < today:
        errors["first_day"] = _("开始日期不能早于今天")
    if not isinstance(last_day, datetime.date):
        errors["last_day"] = _("请填写结束日期")
    elif isinstance(first_day, datetime.date):
        if last_day < first_day:
            errors["last_day"] = _("结束日期不能早于开始日期")
        elif (last_day - first_day).days >= MAX_OFFER_DAYS:
            errors["last_day"] = _("一次最多发布 %(n)d 天") % {"n": MAX_OFFER_DAYS}
    if days not in Days.values:
        errors["days"] = _("请选择重复方式")
    if not isinstance(start_time, datetime.time):
        errors["start_time"] = _("请填写每日开始时间")
    if not isinstance(end_time, datetime.time):
        errors["end_time"] = _("请填写每日结束时间")
    elif isinstance(start_time, datetime.time) and end_time == start_time:
        errors["end_time"] = _("结束时间不能与开始时间相同")
    if not space.is_active:
        errors["space"] = _("该车位已停用")
    estates = list(estates or ([space.estate] if space.estate_id else []))
    if not estates:
        errors["estates"] = _("请选择可预约的小区")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        Space.objects.select_for_update().get(pk=space.pk)
        offer = Offer.objects.create(
            space=space,
            community_id=space.community_id,
            first_day=first_day,
            last_day=last_day,
            days=days,
            start_time=start_time,
            end_time=end_time,
            auto_confirm=bool(auto_confirm),
            offered_by=user,
            created_at=now,
        )
        offer.estates.set(estates)
    return offer


def do_withdraw_offer(user, offer, *, now=None) -> int:
    """The holder withdraws an offer: bookings not yet started are cancelled (each with its
    history row). Returns how many were cancelled."""
    now = now or timezone.now()
    if not _may_offer(user, offer.space):
        raise PermissionDenied(_("只有车位持有户或居委可以撤回共享时段"))
    with transaction.atomic():
        offer = Offer.objects.select_for_update().get(pk=offer.pk)
        if offer.withdrawn_at is not None:
            raise IllegalTransition(_("该共享时段已撤回"))
        offer.withdrawn_at = now
        offer.save(update_fields=["withdrawn_at"])
        pending = Booking.objects.select_for_update().filter(
            offer=offer,
            state__in=(BookingState.REQUESTED, BookingState.CONFIRMED),
            starts_at__gt=now,
        )
        n = 0
        for booking in pending:
            _step(booking, BookingState.CANCELLED, user, now, note=_("共享时段已撤回"))
            n += 1
    return n


def runs_on(offer, day: datetime.date, calendar=None) -> bool:
    if offer.withdrawn_at is not None or not offer.first_day <= day <= offer.last_day:
        return False
    if offer.days == Days.EVERY:
        return True
    working = (calendar or get_calendar()).is_workday(day)
    return working if offer.days == Days.WORKING else not working


def window(offer, day: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    """The window that starts on `day` (its end the next morning when it runs over midnight)."""
    start = _at(day, offer.start_time)
    end_day = day + datetime.timedelta(days=1) if offer.overnight else day
    return start, _at(end_day, offer.end_time)


def windows_between(offer, first: datetime.date, last: datetime.date, calendar=None):
    """Every window of the offer starting on a day in first..last."""
    calendar = calendar or get_calendar()
    day = max(first, offer.first_day)
    end = min(last, offer.last_day)
    while day <= end:
        if runs_on(offer, day, calendar):
            yield window(offer, day)
        day += datetime.timedelta(days=1)


def _window_holding(offer, starts_at, ends_at):
    local_start = _local(starts_at)
    for day in (local_start.date(), local_start.date() - datetime.timedelta(days=1)):
        if runs_on(offer, day):
            start, end = window(offer, day)
            if start <= starts_at and ends_at <= end:
                return start, end
    return None


def _taken(space_ids, start, end) -> dict:
    """space id → the (start, end) of its bookings overlapping start..end, in order."""
    rows = (
        Booking.objects.filter(space_id__in=space_ids, starts_at__lt=end, ends_at__gt=start)
        .exclude(state__in=RELEASED_STATES)
        .order_by("starts_at")
        .values_list("space_id", "starts_at", "ends_at")
    )
    taken = defaultdict(list)
    for space_id, b_start, b_end in rows:
        taken[space_id].append((b_start, b_end))
    return taken


def _free_between(start, end, taken) -> list[tuple[datetime.datetime, datetime.datetime]]:
    free, cursor = [], start
    for b_start, b_end in taken:
        if b_end <= start or b_start >= end:
            continue
        if b_start > cursor:
            free.append((cursor, b_start))
        cursor = max(cursor, b_end)
    if cursor < end:
        free.append((cursor, end))
    return free


def free_slots(
    offer, day: datetime.date, calendar=None
) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """The free stretches of the offer's window starting on `day` (empty if it does not run)."""
    if not runs_on(offer, day, calendar):
        return []
    start, end = window(offer, day)
    return _free_between(start, end, _taken([offer.space_id], start, end)[offer.space_id])


def bookable_offers(user, day: datetime.date):
    """Offers a resident may book on `day`: open to the estate of one of their households, not
    their own space, running that day. A list with `free` (stretches) on each; the bookings of
    all of them read in one query, not one per offer."""
    estates = my_households(user).values("address__estate")
    offers = (
        Offer.objects.filter(
            estates__in=estates,
            withdrawn_at__isnull=True,
            first_day__lte=day,
            last_day__gte=day,
            space__is_active=True,
        )
        .exclude(space__holder__in=my_households(user))
        .select_related("space", "space__estate")
        .distinct()
        .order_by("space__estate_id", "space__unit_name", "space__code")
    )
    calendar = get_calendar()
    running = [(offer, window(offer, day)) for offer in offers if runs_on(offer, day, calendar)]
    if not running:
        return []
    taken = _taken(
        {offer.space_id for offer, _ in running},
        min(start for _, (start, _) in running),
        max(end for _, (_, end) in running),
    )
    rows = []
    for offer, (start, end) in running:
        offer.free = _free_between(start, end, taken[offer.space_id])
        if offer.free:
            rows.append(offer)
    return rows


# --- bookings -----------------------------------------------------------------------------------


def _step(booking, to_state, user, now, note="") -> BookingEvent:
    if not may_change(booking.state, to_state):
        raise IllegalTransition(
            _("预约当前为“%(s)s”，不能改为“%(t)s”")
            % {"s": booking.get_state_display(), "t": BookingState(to_state).label}
        )
    event = BookingEvent.objects.create(
        booking=booking,
        from_state=booking.state,
        to_state=to_state,
        user=user,
        note=note[:MAX_TEXT],
        at=now,
    )
    booking.state = to_state
    fields = ["state"]
    if to_state == BookingState.PARKED:
        booking.arrived_at = now
        fields.append("arrived_at")
    if to_state == BookingState.COMPLETED:
        booking.left_at = now
        fields.append("left_at")
    booking.save(update_fields=fields)
    return event


def strikes(household_id, rules, now) -> list[datetime.datetime]:
    """When the household's bookings were marked overstayed within the rules' window."""
    since = now - datetime.timedelta(days=rules.strike_window_days)
    return list(
        BookingEvent.objects.filter(
            booking__household_id=household_id,
            to_state=BookingState.OVERSTAY,
            at__gt=since,
            at__lte=now,
        )
        .order_by("at")
        .values_list("at", flat=True)
    )


def suspended_until(household_id, rules, now) -> datetime.datetime | None:
    """The end of the household's suspension, if `strikes_to_suspend` strikes fell within the
    window and the last of them is less than `suspend_days` ago."""
    if rules is None:
        return None
    found = strikes(household_id, rules, now)
    if len(found) < rules.strikes_to_suspend:
        return None
    until = found[-1] + datetime.timedelta(days=rules.suspend_days)
    return until if until > now else None


def week_bounds(moment) -> tuple[datetime.datetime, datetime.datetime]:
    day = _local(moment).date()
    monday = day - datetime.timedelta(days=day.weekday())
    return _at(monday, datetime.time(0)), _at(monday + datetime.timedelta(days=7), datetime.time(0))


def hours_booked_in_week(household_id, moment) -> float:
    start, end = week_bounds(moment)
    rows = (
        Booking.objects.filter(household_id=household_id, starts_at__gte=start, starts_at__lt=end)
        .exclude(state__in=RELEASED_STATES)
        .values_list("starts_at", "ends_at")
    )
    return sum((b - a).total_seconds() for a, b in rows) / 3600


def _may_book(user, household) -> bool:
    if user is None:
        return True
    if user.effective_role in PARKING_RESIDENT_ROLES:
        return acts_for(user, household.pk)
    estate = household.address.estate
    return estate is not None and _is_staff_in_scope(user, PARKING_EDIT_ROLES, estate.community_id)


@dataclass
class Booked:
    booking: Booking
    events: list


def do_book(user, *, offer, household, starts_at, ends_at, vehicle=None, now=None) -> Booked:
    """Book a space for a household inside one window of an offer. Refused (ValidationError):
    outside the window or in the past, not on the slot grid of the 业委会's rules, over the
    household's weekly cap, a suspended household, its own space, an estate the offer is not
    open to, and a time another booking holds (“该时段已被预约”)."""
    now = now or timezone.now()
    if not _may_book(user, household):
        raise PermissionDenied(_("您只能为本户预约"))
    errors = {}
    if not isinstance(starts_at, datetime.datetime) or not isinstance(ends_at, datetime.datetime):
        raise ValidationError({"starts_at": _("请选择预约的开始和结束时间")})
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise ValidationError({"starts_at": _("预约时间须带时区")})
    estate = _household_estate(household)
    rules = rules_for(estate, _local(starts_at).date())
    if ends_at <= starts_at:
        errors["ends_at"] = _("结束时间须晚于开始时间")
    elif starts_at < now - datetime.timedelta(minutes=1):
        errors["starts_at"] = _("不能预约已经过去的时间")
    elif offer.withdrawn_at is not None:
        errors["offer"] = _("该共享时段已撤回")
    elif not offer.estates.filter(pk=estate.pk).exists():
        errors["offer"] = _("该共享车位不对本小区开放")
    elif offer.space.holder_id == household.pk:
        errors["offer"] = _("不能预约自家的车位")
    elif rules is None:
        errors["offer"] = _("本小区业委会尚未通过停车共享规则，暂不能预约")
    else:
        held = _window_holding(offer, starts_at, ends_at)
        slot = datetime.timedelta(minutes=rules.slot_minutes)
        if held is None:
            errors["starts_at"] = _("预约时间须在共享时段之内")
        elif (starts_at - held[0]) % slot or (ends_at - starts_at) % slot:
            errors["starts_at"] = _("预约须按 %(n)d 分钟一个时段") % {"n": rules.slot_minutes}
    if vehicle is not None and vehicle.household_id != household.pk:
        errors["vehicle"] = _("该车辆不属于本户")
    if errors:
        raise ValidationError(errors)
    for attempt in range(RETRIES):
        try:
            return _book(user, offer, household, estate, rules, starts_at, ends_at, vehicle, now)
        except OperationalError as error:
            # Outside a transaction of the caller's, a writer that lost a race tries again (its
            # overlap check then sees the winner): on SQLite another writer held the lock (in a
            # shared-cache database the busy timeout does not wait for it); on PostgreSQL two
            # inserts waiting on each other's exclusion check end in a detected deadlock.
            if not _retryable(error) or attempt == RETRIES - 1:
                raise
            time.sleep(0.02 * (attempt + 1))
    raise AssertionError("unreachable")


def _retryable(error) -> bool:
    if connection.in_atomic_block:
        return False
    if connection.vendor == "sqlite":
        return "locked" in str(error)
    cause = error.__cause__
    code = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return code in ("40P01", "40001")  # deadlock detected, serialization failure


def _book(user, offer, household, estate, rules, starts_at, ends_at, vehicle, now) -> Booked:
    try:
        with transaction.atomic():
            # The household's bookings are serialised on its row (the weekly cap, the strikes),
            # and one space's bookings on the space's row (always in this order): racers for
            # one slot then wait in line instead of deadlocking in the exclusion check; the
            # constraint stays the guarantee for any write past this service.
            Household.objects.select_for_update().get(pk=household.pk)
            Space.objects.select_for_update().only("pk").get(pk=offer.space_id)
            until = suspended_until(household.pk, rules, now)
            if until is not None:
                raise ValidationError(
                    {
                        "household": _("本户因超时占用 %(n)d 次，暂停预约至 %(d)s")
                        % {"n": rules.strikes_to_suspend, "d": _local(until).strftime("%Y-%m-%d")}
                    }
                )
            hours = (ends_at - starts_at).total_seconds() / 3600
            used = hours_booked_in_week(household.pk, starts_at)
            if used + hours > rules.weekly_cap_hours + 1e-9:
                raise ValidationError(
                    {
                        "ends_at": _("超过每户每周 %(cap)d 小时的上限（本周已预约 %(used)s 小时）")
                        % {"cap": rules.weekly_cap_hours, "used": f"{used:g}"}
                    }
                )
            if (
                Booking.objects.filter(
                    space_id=offer.space_id, starts_at__lt=ends_at, ends_at__gt=starts_at
                )
                .exclude(state__in=RELEASED_STATES)
                .exists()
            ):
                raise ValidationError({"starts_at": _("该时段已被预约")})
            # Written once in its final state, with both history rows: an UPDATE of the new
            # row would check the exclusion constraint again against a racer's pending row, and
            # the two would wait on each other (a deadlock) instead of one simply losing.
            confirmed = bool(offer.auto_confirm)
            booking = Booking.objects.create(
                offer=offer,
                space_id=offer.space_id,
                community_id=estate.community_id,
                household=household,
                estate=estate,
                vehicle=vehicle,
                booked_by=user,
                starts_at=starts_at,
                ends_at=ends_at,
                state=BookingState.CONFIRMED if confirmed else BookingState.REQUESTED,
                created_at=now,
            )
            rows = [
                BookingEvent(booking=booking, to_state=BookingState.REQUESTED, user=user, at=now)
            ]
            if confirmed:
                rows.append(
                    BookingEvent(
                        booking=booking,
                        from_state=BookingState.REQUESTED,
                        to_state=BookingState.CONFIRMED,
                        note=_("共享时段内自动确认"),
                        at=now,
                    )
                )
            events = BookingEvent.objects.bulk_create(rows)
    except IntegrityError as error:
        if OVERLAP_CONSTRAINT in str(error):
            raise ValidationError({"starts_at": _("该时段已被预约")}) from None
        raise
    return Booked(booking, events)


def _lock(booking) -> Booking:
    return Booking.objects.select_for_update().select_related("space", "offer").get(pk=booking.pk)


def _is_booker(user, booking) -> bool:
    return user is None or (
        user.effective_role in PARKING_RESIDENT_ROLES and acts_for(user, booking.household_id)
    )


def _is_holder(user, booking) -> bool:
    holder = booking.space.holder_id
    return (
        user is not None
        and holder is not None
        and user.effective_role in PARKING_RESIDENT_ROLES
        and acts_for(user, holder)
    )


def _is_gate(user, booking) -> bool:
    return user is None or _is_staff_in_scope(user, PARKING_GATE_ROLES, booking.space.community_id)


def do_confirm(user, booking, *, now=None) -> BookingEvent:
    """The holder (or the gate) confirms a request on an offer that is not confirmed at once."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _lock(booking)
        if not (_is_holder(user, booking) or _is_gate(user, booking)):
            raise PermissionDenied(_("只有车位持有户可以确认预约"))
        return _step(booking, BookingState.CONFIRMED, user, now)


def do_cancel(user, booking, *, note="", now=None) -> BookingEvent:
    """The booker, the holder or the gate cancels a booking that has not started."""
    now = now or timezone.now()
    note = _text(note, "note", _("说明"), MAX_TEXT)
    with transaction.atomic():
        booking = _lock(booking)
        if not (_is_booker(user, booking) or _is_holder(user, booking) or _is_gate(user, booking)):
            raise PermissionDenied(_("您不能取消该预约"))
        return _step(booking, BookingState.CANCELLED, user, now, note)


def do_arrive(user, booking, *, now=None) -> BookingEvent:
    """The car is in the space (the booker on their phone, or the gate)."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _lock(booking)
        if not (_is_booker(user, booking) or _is_gate(user, booking)):
            raise PermissionDenied(_("只有预约人或门岗可以登记停入"))
        if booking.state == BookingState.CONFIRMED and not (
            booking.starts_at - ARRIVE_EARLY <= now < booking.ends_at
        ):
            raise ValidationError({"booking": _("只能在预约时段内（最早提前15分钟）登记停入")})
        return _step(booking, BookingState.PARKED, user, now)


def do_leave(user, booking, *, now=None) -> BookingEvent:
    """The car has left (also after an overstay)."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _lock(booking)
        if not (_is_booker(user, booking) or _is_gate(user, booking)):
            raise PermissionDenied(_("只有预约人或门岗可以登记驶离"))
        return _step(booking, BookingState.COMPLETED, user, now)


def do_mark_no_show(user, booking, *, now=None) -> BookingEvent:
    """未到: the gate (or the sweep) releases a booking whose car did not come within the grace."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _lock(booking)
        if not _is_gate(user, booking):
            raise PermissionDenied(_("只有门岗可以登记未到"))
        rules = rules_for(booking.estate, _local(booking.starts_at).date())
        grace = datetime.timedelta(minutes=rules.grace_minutes if rules else 0)
        if now < booking.starts_at + grace:
            raise ValidationError({"booking": _("预约开始并过了宽限时间后才能登记未到")})
        return _step(booking, BookingState.NO_SHOW, user, now)


def _overstay_messages(booking, rules, now, suspended) -> list[Message]:
    space = booking.space
    when = _local(booking.ends_at).strftime("%m-%d %H:%M")
    vehicle = booking.vehicle
    plate = _("车辆") if vehicle is None else str(vehicle)
    text = _(
        "【错峰共享停车】%(place)s车位%(code)s的预约已于%(when)s结束，%(plate)s仍未驶离（超时占用）。%(rule)s"
    ) % {
        "place": space.place,
        "code": space.code,
        "when": when,
        "plate": plate,
        "rule": rules.overstay_notice if rules else "",
    }
    data = {"sms": True, "booking": booking.pk, "space": space.pk}
    out = []
    holder_phones = set()
    if space.holder_id:
        for phone in Member.objects.filter(household_id=space.holder_id).values_list(
            "user__phone", flat=True
        ):
            if phone:
                holder_phones.add(phone)
        if not holder_phones:
            head = (
                space.holder.residents.exclude(phone="")
                .order_by("id")
                .values_list("phone", flat=True)
                .first()
            )
            if head:
                holder_phones.add(head)
    for phone in sorted(holder_phones):
        out.append(
            Message("parking_overstay", "", Recipient("holder", phone=phone), text, data=data)
        )
    estate = space.estate or booking.estate
    company = estate.property_company if estate is not None else None
    if company is not None and company.contact_phone:
        out.append(
            Message(
                "parking_overstay",
                "",
                Recipient("property", phone=company.contact_phone),
                text,
                data=data,
            )
        )
    booker_phones = {
        p
        for p in Member.objects.filter(household_id=booking.household_id).values_list(
            "user__phone", flat=True
        )
        if p
    }
    if suspended is not None:
        notice = _("【错峰共享停车】本户超时占用已达 %(n)d 次，暂停预约至 %(d)s。") % {
            "n": rules.strikes_to_suspend,
            "d": _local(suspended).strftime("%Y-%m-%d"),
        }
    else:
        notice = _("【错峰共享停车】您的预约已超时，请尽快驶离。") + text
    for phone in sorted(booker_phones):
        out.append(
            Message("parking_overstay", "", Recipient("booker", phone=phone), notice, data=data)
        )
    return out


@dataclass
class Overstayed:
    event: BookingEvent
    strikes: int
    suspended_until: datetime.datetime | None


def do_mark_overstay(user, booking, *, now=None) -> Overstayed:
    """超时占用: the car is still there after the end and the grace. The holder and the 物业 are
    told; the booker's household gets a strike, and the strike that reaches the rules' count
    suspends it."""
    now = now or timezone.now()
    with transaction.atomic():
        booking = _lock(booking)
        if not _is_gate(user, booking):
            raise PermissionDenied(_("只有门岗可以登记超时占用"))
        rules = rules_for(booking.estate, _local(booking.starts_at).date())
        grace = datetime.timedelta(minutes=rules.grace_minutes if rules else 0)
        if now < booking.ends_at + grace:
            raise ValidationError({"booking": _("预约结束并过了宽限时间后才能登记超时")})
        Household.objects.select_for_update().get(pk=booking.household_id)
        event = _step(booking, BookingState.OVERSTAY, user, now)
        count = len(strikes(booking.household_id, rules, now)) if rules else 1
        until = suspended_until(booking.household_id, rules, now)
        notifications.schedule(_overstay_messages(booking, rules, now, until), at=now)
    return Overstayed(event, count, until)


def sweep(now=None) -> dict:
    """The sweep (manage.py parking_sweep): confirmed bookings whose car did not come within the
    grace are 未到, parked cars past the end and the grace are 超时占用."""
    now = now or timezone.now()
    done = {"no_show": 0, "overstay": 0}
    for booking in Booking.objects.filter(
        state=BookingState.CONFIRMED, starts_at__lt=now
    ).select_related("estate"):
        try:
            do_mark_no_show(None, booking, now=now)
            done["no_show"] += 1
        except ValidationError:
            pass
    for booking in Booking.objects.filter(state=BookingState.PARKED, ends_at__lt=now):
        try:
            do_mark_overstay(None, booking, now=now)
            done["overstay"] += 1
        except ValidationError:
            pass
    return done


# --- escalation and congestion ------------------------------------------------------------------


def do_escalate(user, *, estate, kind, description, booking=None, now=None) -> Escalation:
    """An overstay or a dispute goes on: a 停车难 case in the loop, or a coordination meeting
    (协调会) of the estate's 居村, planned for the first evening after its notice period. A 居委
    worker or the desk convenes it; when grid staff at the gate send it, the meeting is planned
    for the 居委 without a convener (the 居委 takes it over on its meetings page)."""
    require_role(user, PARKING_EDIT_ROLES | PARKING_GATE_ROLES, _("您的角色不能提交停车纠纷"))
    now = now or timezone.now()
    description = _text(description, "description", _("情况"), 500, required=True)
    if kind not in EscalationKind.values:
        raise ValidationError({"kind": _("请选择转为案件或提交协调会")})
    if (
        booking is not None
        and booking.estate_id != estate.pk
        and booking.space.estate_id != estate.pk
    ):
        raise ValidationError({"booking": _("该预约不属于本小区")})
    _scope(user, estate.community_id)
    with transaction.atomic():
        case = None
        if kind == EscalationKind.CASE:
            family, code = PARKING_CATEGORY
            category = Category.objects.filter(family=family, code=code, is_active=True).first()
            if category is None:
                raise ValidationError({"kind": _("未找到“停车难”案件类别，请先在后台启用")})
            allowed = cases.SOURCES_BY_ROLE.get(user.effective_role, []) if user else []
            source = allowed[0] if allowed else CaseSource.GRID_PATROL
            text = _("【错峰共享停车】%(estate)s：%(d)s") % {
                "estate": estate.name,
                "d": description,
            }
            micro = estate.micro_grids.order_by("pk").first()
            case = cases.do_report(
                user=user,
                category=category,
                description=text[:1000],
                source=source,
                address=estate.name,
                micro_grid=micro,
                now=now,
            ).case
        meeting = None
        if kind == EscalationKind.MEETING:
            notice = settings.CIVICGRID_MEETINGS_NOTICE_DAYS
            day = timezone.localdate(now) + datetime.timedelta(days=notice + 1)
            meeting = meetings.do_plan_meeting(
                user if meetings.may_edit(user) else None,
                kind=MeetingKind.COORDINATION,
                community=estate.community,
                estate=estate,
                title=(_("停车协调：%(d)s") % {"d": description})[:100],
                starts_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(19))),
                place=_("居委会议室"),
                subject_title=_("%(estate)s错峰共享停车") % {"estate": estate.name},
                description=description,
                now=now,
            )
        return Escalation.objects.create(
            estate=estate,
            community_id=estate.community_id,
            booking=booking,
            kind=kind,
            description=description,
            case=case,
            meeting=meeting,
            user=user,
            at=now,
        )


def do_log_congestion(user, *, estate, at, place, minutes, reporter_name="", now=None):
    """拥堵记录: when, where, how long, who saw it."""
    require_role(user, PARKING_EDIT_ROLES | PARKING_GATE_ROLES, _("您的角色不能登记拥堵"))
    now = now or timezone.now()
    errors = {}
    try:
        place = _text(place, "place", _("地点"), 100, required=True)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        reporter_name = _text(reporter_name, "reporter_name", _("报告人姓名"), 50)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        minutes = int(minutes)
        if not 1 <= minutes <= 24 * 60:
            raise ValueError
    except (TypeError, ValueError):
        errors["minutes"] = _("持续时间应为 1 到 1440 分钟")
    if not isinstance(at, datetime.datetime):
        errors["at"] = _("请填写发生时间")
    elif at > now + datetime.timedelta(minutes=5):
        errors["at"] = _("发生时间不能晚于现在")
    if errors:
        raise ValidationError(errors)
    _scope(user, estate.community_id)
    return CongestionReport.objects.create(
        estate=estate,
        community_id=estate.community_id,
        at=at,
        place=place,
        minutes=minutes,
        reporter=user,
        reporter_name=reporter_name,
    )


def staff_may(user, roles, community_id) -> bool:
    return user is not None and _is_staff_in_scope(user, roles, community_id)


def gate_bookings(user, day: datetime.date):
    """The gate's list: bookings of the day (starting that day, or still parked or overstayed)
    in the user's scope."""
    from civicgrid.parking.scoping import scope_rows

    start, end = _at(day, datetime.time(0)), _at(day + datetime.timedelta(days=1), datetime.time(0))
    qs = Booking.objects.filter(
        Q(starts_at__gte=start, starts_at__lt=end)
        | Q(state__in=(BookingState.PARKED, BookingState.OVERSTAY))
    ).select_related("space", "space__estate", "vehicle", "household__address")
    return scope_rows(qs, user, "space__community").order_by("starts_at", "id")
