"""Pages of shared parking: the street staff's indicators (/parking/), the gate's phone page for
today's bookings and overstays (/parking/gate/, the 居委 and grid staff standing in for the 物业),
and the resident's phone pages — my spaces and bookings, offer my space, arrive and leave
(/parking/me/), find a free slot and book it (/parking/find/). Pages only call
parking.services; scoping and roles are the services' and accounts.policy's."""

import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_time
from django.utils.translation import gettext as _

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import (
    PARKING_GATE_ROLES,
    PARKING_RESIDENT_ROLES,
    PARKING_VIEW_ROLES,
)
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.inputs import form_date, posted_id
from civicgrid.core.pages import error_messages
from civicgrid.estates.models import Estate
from civicgrid.parking import reports, services
from civicgrid.parking.choices import BookingState, Days, EscalationKind
from civicgrid.parking.models import Booking, CongestionReport, Offer, Space, Vehicle, mask_plate
from civicgrid.parking.scoping import scope_rows, visible_communities


def _day(value, default):
    return form_date(value) or default


def _time(value):
    try:
        return parse_time(value or "")
    except ValueError:
        return None


def _visible_estates(user):
    communities = visible_communities(user)
    estates = Estate.objects.all()
    return estates if communities is None else estates.filter(community__in=communities)


# --- the street staff's indicators ----------------------------------------------------------------


@role_required(*PARKING_VIEW_ROLES)
def index(request):
    """错峰共享停车: the indicators over the user's estates for a period (default: this year)."""
    today = timezone.localdate()
    last = _day(request.GET.get("last"), today)
    first = _day(request.GET.get("first"), last.replace(month=1, day=1))
    errors = []
    if last < first or (last - first).days > 731:
        errors.append(_("统计期应为两年以内，且结束日期不早于开始日期"))
        first, last = today.replace(month=1, day=1), today
    figures = reports.report(request.user, first, last)
    # The table holds the estates and units where shared parking runs (the report's first rows);
    # the others — most of a street's estates — are named once below it, not as rows of zeros.
    running = [r for r in figures["rows"] if reports.takes_part(r)]
    waiting = figures["rows"][len(running) :]
    congestion = scope_rows(
        CongestionReport.objects.select_related("estate"), request.user
    ).order_by("-at", "-id")[:10]
    return render(
        request,
        "parking/index.html",
        {
            "figures": figures,
            "running": running,
            "waiting": waiting,
            "errors": errors,
            "congestion": congestion,
            "may_gate": request.user.effective_role in PARKING_GATE_ROLES,
        },
    )


# --- the gate -------------------------------------------------------------------------------------


GATE_ACTIONS = {
    "arrive": (services.do_arrive, _("已登记停入")),
    "leave": (services.do_leave, _("已登记驶离")),
    "no_show": (services.do_mark_no_show, _("已登记未到")),
    "overstay": (services.do_mark_overstay, _("已登记超时占用，已通知车位持有户和物业")),
}


@role_required(*PARKING_GATE_ROLES)
def gate(request):
    """门岗: today's bookings in the user's 居村 with their steps, the overstays, and the
    congestion log."""
    user = request.user
    today = timezone.localdate()
    errors = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "congestion":
                estate = _visible_estates(user).filter(pk=posted_id(request.POST, "estate")).first()
                if estate is None:
                    raise ValidationError({"estate": _("请选择小区")})
                at = None
                moment = _time(request.POST.get("time"))
                if moment is not None:
                    at = timezone.make_aware(datetime.datetime.combine(today, moment))
                services.do_log_congestion(
                    user,
                    estate=estate,
                    at=at,
                    place=request.POST.get("place", ""),
                    minutes=request.POST.get("minutes"),
                    reporter_name=request.POST.get("reporter_name", ""),
                )
                messages.success(request, _("拥堵已登记"))
                return redirect("parking:gate")
            booking = (
                services.gate_bookings(user, today)
                .filter(pk=posted_id(request.POST, "booking"))
                .first()
            )
            if booking is None:
                raise ValidationError({"booking": _("没有这个预约")})
            if action in ("case", "meeting"):
                row = services.do_escalate(
                    user,
                    estate=booking.space.estate or booking.estate,
                    booking=booking,
                    kind=EscalationKind.CASE if action == "case" else EscalationKind.MEETING,
                    description=request.POST.get("description", ""),
                )
                if row.case is not None:
                    messages.success(request, _("已转为案件 %(n)s") % {"n": row.case.number})
                else:
                    messages.success(request, _("已提交协调会"))
                return redirect("parking:gate")
            if action not in GATE_ACTIONS:
                raise ValidationError({"action": _("未知的操作")})
            function, done = GATE_ACTIONS[action]
            function(user, booking)
            messages.success(request, done)
            return redirect("parking:gate")
        except (ValidationError, PermissionDenied, IllegalTransition) as error:
            errors = error_messages(error)
    bookings = list(services.gate_bookings(user, today))
    for b in bookings:
        b.plate = mask_plate(b.vehicle.plate) if b.vehicle_id else ""
    overstays = [b for b in bookings if b.state == BookingState.OVERSTAY]
    return render(
        request,
        "parking/gate.html",
        {
            "today": today,
            "bookings": [b for b in bookings if b.state != BookingState.OVERSTAY],
            "overstays": overstays,
            "estates": _visible_estates(user).select_related("community").order_by("name"),
            "errors": errors,
            "now": timezone.now(),
        },
    )


# --- residents ------------------------------------------------------------------------------------


RESIDENT_ACTIONS = {
    "arrive": (services.do_arrive, _("已登记停入，请按时驶离")),
    "leave": (services.do_leave, _("已登记驶离，谢谢")),
    "cancel": (services.do_cancel, _("预约已取消")),
    "confirm": (services.do_confirm, _("已确认该预约")),
}


def _my_bookings(user):
    mine = services.my_households(user)
    return Booking.objects.filter(Q(household__in=mine) | Q(space__holder__in=mine)).select_related(
        "space", "space__estate", "vehicle"
    )


def _offer_form_errors(request, user):
    space = Space.objects.filter(
        pk=posted_id(request.POST, "space"), holder__in=services.my_households(user)
    ).first()
    if space is None:
        raise ValidationError({"space": _("请选择您的车位")})
    first_day = form_date(request.POST.get("first_day"))
    last_day = form_date(request.POST.get("last_day"))
    start_time = _time(request.POST.get("start_time"))
    end_time = _time(request.POST.get("end_time"))
    return services.do_offer(
        user,
        space=space,
        first_day=first_day,
        last_day=last_day,
        days=request.POST.get("days", ""),
        start_time=start_time,
        end_time=end_time,
    )


@role_required(*PARKING_RESIDENT_ROLES)
def me(request):
    """我的共享停车: my spaces and their offers (offer one), my bookings (arrive, leave, cancel)
    and the bookings on my spaces (confirm)."""
    user = request.user
    errors = []
    values = {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "offer":
                values = request.POST
                _offer_form_errors(request, user)
                messages.success(request, _("共享时段已发布"))
                return redirect("parking:me")
            booking = _my_bookings(user).filter(pk=posted_id(request.POST, "booking")).first()
            if booking is None or action not in RESIDENT_ACTIONS:
                raise ValidationError({"booking": _("没有这个预约")})
            function, done = RESIDENT_ACTIONS[action]
            function(user, booking)
            messages.success(request, done)
            return redirect("parking:me")
        except (ValidationError, PermissionDenied, IllegalTransition) as error:
            errors = error_messages(error)
    households = list(services.my_households(user).select_related("address__estate"))
    spaces = list(Space.objects.filter(holder__in=households).select_related("estate"))
    offers = list(
        Offer.objects.filter(space__in=spaces, withdrawn_at__isnull=True)
        .select_related("space")
        .order_by("-first_day")
    )
    now = timezone.now()
    mine = {h.pk for h in households}
    bookings = list(
        _my_bookings(user)
        .filter(
            Q(ends_at__gte=now - datetime.timedelta(days=1))
            | Q(state__in=(BookingState.PARKED, BookingState.OVERSTAY))
        )
        .order_by("starts_at", "id")
    )
    for b in bookings:
        b.is_mine = b.household_id in mine
        b.plate = mask_plate(b.vehicle.plate) if b.vehicle_id else ""
    today = timezone.localdate()
    return render(
        request,
        "parking/me.html",
        {
            "households": households,
            "spaces": spaces,
            "offers": offers,
            "my_bookings": [b for b in bookings if b.is_mine],
            "on_my_spaces": [b for b in bookings if not b.is_mine],
            "errors": errors,
            "values": values,
            "days": Days.choices,
            "today_iso": today.isoformat(),
            "in_a_month_iso": (today + datetime.timedelta(days=30)).isoformat(),
        },
    )


def _slot_options(free, slot_minutes):
    """The free stretches from the first slot not yet begun, and the (starts, ends) choices on
    the slot grid inside them."""
    step = datetime.timedelta(minutes=slot_minutes)
    earliest = timezone.now() - datetime.timedelta(minutes=1)
    shown, starts, ends = [], [], []
    for a, b in free:
        t = a
        while t < earliest:
            t += step
        if t + step > b:
            continue
        shown.append((t, b))
        while t + step <= b:
            starts.append(t)
            ends.append(t + step)
            t += step
    return shown, starts, sorted(set(ends))


@role_required(*PARKING_RESIDENT_ROLES)
def find(request):
    """找车位: the offers open to my estate on a day with their free stretches; book one."""
    user = request.user
    today = timezone.localdate()
    day = _day(request.GET.get("day") or request.POST.get("day"), today)
    if day < today:
        day = today
    households = list(services.my_households(user).select_related("address__estate"))
    errors = []
    if request.method == "POST":
        offer = Offer.objects.filter(pk=posted_id(request.POST, "offer")).first()
        household = next(
            (h for h in households if str(h.pk) == request.POST.get("household")), None
        )
        if household is None and len(households) == 1:
            household = households[0]
        try:
            if offer is None or household is None:
                raise ValidationError({"offer": _("请选择车位和预约户")})
            vehicle = Vehicle.objects.filter(
                pk=posted_id(request.POST, "vehicle"), household=household
            ).first()
            starts_at = _parse_moment(request.POST.get("starts_at"))
            ends_at = _parse_moment(request.POST.get("ends_at"))
            done = services.do_book(
                user,
                offer=offer,
                household=household,
                starts_at=starts_at,
                ends_at=ends_at,
                vehicle=vehicle,
            )
            local = timezone.localtime(done.booking.starts_at)
            messages.success(
                request,
                _("预约成功：%(place)s %(code)s，%(when)s")
                % {
                    "place": offer.space.place,
                    "code": offer.space.code,
                    "when": local.strftime("%m-%d %H:%M")
                    + "–"
                    + timezone.localtime(done.booking.ends_at).strftime("%H:%M"),
                },
            )
            return redirect("parking:me")
        except (ValidationError, PermissionDenied) as error:
            errors = error_messages(error)
    offers = services.bookable_offers(user, day)
    rules = {}
    for h in households:
        estate = h.address.estate
        if estate is not None and estate.pk not in rules:
            rules[estate.pk] = services.rules_for(estate, day)
    slot = next((r.slot_minutes for r in rules.values() if r is not None), 60)
    for offer in offers:
        offer.free, offer.starts, offer.ends = _slot_options(offer.free, slot)
    vehicles = list(Vehicle.objects.filter(household__in=households, is_active=True))
    for v in vehicles:
        # Masked as everywhere; two of a household's cars may read alike so (沪K***07), and
        # the date each was registered tells them apart.
        v.masked = f"{mask_plate(v.plate)}（{v.since:%Y-%m-%d}）"
    return render(
        request,
        "parking/find.html",
        {
            "day": day,
            "today": today,
            "offers": [o for o in offers if o.starts],
            "households": households,
            "vehicles": vehicles,
            "slot": slot,
            "errors": errors,
        },
    )


def _parse_moment(value):
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except (TypeError, ValueError):
        return None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
