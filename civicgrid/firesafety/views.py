"""Pages of the rental houses' fire-safety grading (三色码): the battle map (作战图) with its
filters and figures, a house (particulars, masked landlord, occupants, colour history), the door
labels (one, or a sheet per 居村 for printing), the inspector's phone pages and the public page
a scanned code opens (no personal data; a tenant may report a hazard from it).

Pages only call firesafety.services (and cases.services for a tenant's report); scoping and
roles are the services' and accounts.policy's."""

import io

import segno
import xlsxwriter
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.accounts.access import role_required
from civicgrid.accounts.choices import Role
from civicgrid.accounts.policy import (
    FIRESAFETY_EDIT_ROLES,
    FIRESAFETY_INSPECT_ROLES,
    FIRESAFETY_VIEW_ROLES,
    is_limited_reporter,
)
from civicgrid.cases import services as case_services
from civicgrid.cases.choices import CaseSource
from civicgrid.cases.permissions import openable_cases
from civicgrid.core import ratelimit
from civicgrid.core.storedfiles import missing_file_is_404
from civicgrid.firesafety import services, workflow
from civicgrid.firesafety.choices import Colour, HouseUse, Structure
from civicgrid.firesafety.filters import HouseFilter
from civicgrid.firesafety.models import (
    ColourChange,
    Finding,
    Inspection,
    InspectionPhoto,
    RentalHouse,
)

PAGE = 50
LABEL_SCALE = 4


def _error_list(error) -> list[str]:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return [m for msgs in error.message_dict.values() for m in msgs]
        return list(error.messages)
    return [str(error)]


def _without_page(query) -> str:
    rest = query.copy()
    rest.pop("page", None)
    return rest.urlencode()


def _require_view(user):
    if not services.may_view(user):
        raise PermissionDenied(_("只有消防工作相关部门可以查看出租屋消防三色码"))


def _houses(user):
    return services.scope_houses(
        RentalHouse.objects.select_related("household__address", "community", "micro_grid", "case"),
        user,
    )


def _scan_url(request, house) -> str:
    return request.build_absolute_uri(reverse("firesafety:scan", args=[house.token]))


def _qr_svg(url: str) -> str:
    # Inline SVG (no <?xml?> prolog, no width/height in mm): the label's CSS sizes it.
    return segno.make(url, error="m").svg_inline(scale=LABEL_SCALE, border=2)


# --- the battle map ------------------------------------------------------------------------------


@require_GET
@role_required(*FIRESAFETY_VIEW_ROLES)
def index(request):
    """作战图: every house coloured on the map, filters (居村, colour, 超期), the figures (coverage,
    counts by colour per 居村 and over time, due and overdue, median days red → green) and the
    list."""
    user = request.user
    _require_view(user)
    filterset = HouseFilter(
        request.GET, queryset=_houses(user).filter(is_active=True), request=request
    )
    houses = filterset.qs.order_by("community__code", "household__address__normalized", "pk")
    page = Paginator(houses, PAGE).get_page(request.GET.get("page"))
    rows = list(page.object_list)
    people = services.occupants([h.household_id for h in rows])
    for house in rows:
        house.occupant_count = people.get(house.household_id, 0)
    points = services.map_points(houses, lambda h: reverse("firesafety:house", args=[h.pk]))
    now = timezone.now()
    report = services.report(user, now)
    index_url = reverse("firesafety:index")
    outlines = services.map_outlines(
        houses, report["villages"], lambda grid: f"{index_url}?community={grid.pk}"
    )
    return render(
        request,
        "firesafety/index.html",
        {
            "filter": filterset,
            "page": page,
            "rows": rows,
            "points": points,
            "report": report,
            "outlines": outlines,
            "query": _without_page(request.GET),
            "uncoded": services.uncoded_rentals(user).count()
            if user.effective_role in FIRESAFETY_EDIT_ROLES
            else None,
            "communities": services.communities_in_scope(user),
            "now": now,
        },
    )


@require_POST
@role_required(*FIRESAFETY_EDIT_ROLES)
def code_houses(request):
    """一户一码: code every let household of the user's scope that has no code yet."""
    try:
        made = services.do_code_houses(request.user)
    except (ValidationError, PermissionDenied) as error:
        messages.error(request, "；".join(_error_list(error)))
    else:
        messages.success(request, _("已为 %(n)d 户出租屋赋码") % {"n": len(made)})
    return redirect("firesafety:index")


EXPORT_COLUMNS = (
    gettext_lazy("地址"),
    gettext_lazy("居村"),
    gettext_lazy("三色码"),
    gettext_lazy("层数"),
    gettext_lazy("建筑面积（平方米）"),
    gettext_lazy("结构"),
    gettext_lazy("出租间数"),
    gettext_lazy("使用性质"),
    gettext_lazy("居住人数"),
    gettext_lazy("最近检查"),
    gettext_lazy("下次检查"),
    gettext_lazy("整改期限"),
)


def _day(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d") if value else ""


@require_GET
@role_required(*FIRESAFETY_VIEW_ROLES)
def export(request):
    """The houses of the battle map's filters as an Excel sheet: the same scope and FilterSet as
    the page, no landlord data."""
    user = request.user
    _require_view(user)
    filterset = HouseFilter(
        request.GET, queryset=_houses(user).filter(is_active=True), request=request
    )
    houses = list(filterset.qs.order_by("community__code", "household__address__normalized", "pk"))
    people = services.occupants([h.household_id for h in houses])
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = book.add_worksheet(_("出租屋"))
    sheet.write_row(0, 0, [str(c) for c in EXPORT_COLUMNS])
    for row, h in enumerate(houses, start=1):
        sheet.write_row(
            row,
            0,
            [
                h.household.address.normalized,
                h.community.name,
                str(Colour(h.colour).label) if h.colour else _("未评定"),
                h.floors if h.floors is not None else "",
                float(h.area_m2) if h.area_m2 is not None else "",
                h.get_structure_display(),
                h.rooms if h.rooms is not None else "",
                h.get_use_display(),
                people.get(h.household_id, 0),
                _day(h.last_inspected_at),
                _day(h.next_inspection_due),
                _day(h.rectify_by),
            ],
        )
    book.close()
    buffer.seek(0)
    name = f"fire-houses-{timezone.localdate():%Y%m%d}.xlsx"
    return FileResponse(buffer, as_attachment=True, filename=name)


# --- a house -------------------------------------------------------------------------------------


class ParticularsForm(forms.Form):
    floors = forms.IntegerField(
        label=gettext_lazy("层数"), required=False, min_value=1, max_value=30
    )
    area_m2 = forms.DecimalField(
        label=gettext_lazy("建筑面积（平方米）"), required=False, max_digits=8, decimal_places=1
    )
    structure = forms.ChoiceField(
        label=gettext_lazy("结构"), required=False, choices=[("", "—"), *Structure.choices]
    )
    rooms = forms.IntegerField(
        label=gettext_lazy("出租间数"), required=False, min_value=0, max_value=500
    )
    use = forms.ChoiceField(label=gettext_lazy("使用性质"), choices=HouseUse.choices)


def _house_for(user, pk):
    return get_object_or_404(_houses(user), pk=pk)


@require_http_methods(["GET", "POST"])
@role_required(*FIRESAFETY_VIEW_ROLES)
def house_detail(request, pk):
    user = request.user
    _require_view(user)
    house = _house_for(user, pk)
    may_edit = services.may_inspect(user) or user.effective_role in FIRESAFETY_EDIT_ROLES
    form = ParticularsForm(
        initial={f: getattr(house, f) for f in services.PARTICULARS},
    )
    status = 200
    if request.method == "POST":
        form = ParticularsForm(request.POST)
        if not may_edit:
            raise PermissionDenied(_("您无权修改出租屋信息"))
        if form.is_valid():
            try:
                services.do_update_house(user, house, **form.cleaned_data)
            except ValidationError as error:
                for field, msgs in error.message_dict.items():
                    for msg in msgs:
                        form.add_error(field if field in form.fields else None, msg)
            else:
                messages.success(request, _("出租屋信息已保存"))
                return redirect("firesafety:house", pk=house.pk)
        status = 400
    rental = services.current_rental(house.household)
    inspections = (
        Inspection.objects.filter(house=house)
        .select_related("inspector")
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.select_related("item")), "photos"
        )[:20]
    )
    changes = ColourChange.objects.filter(house=house).select_related("user", "inspection")
    return render(
        request,
        "firesafety/house.html",
        {
            "house": house,
            "landlord": services.landlord(rental),
            "rental": rental,
            "occupants": services.occupants([house.household_id])[house.household_id],
            "inspections": inspections,
            "changes": changes,
            "form": form,
            "may_edit": may_edit,
            "may_inspect": services.may_inspect(user) and house.is_active,
            "openable": openable_cases(user, [house.case]),
            "now": timezone.now(),
        },
        status=status,
    )


@require_GET
@role_required(*FIRESAFETY_VIEW_ROLES)
def photo(request, pk):
    """An inspection's photo, for users who may see the house."""
    _require_view(request.user)
    photos = InspectionPhoto.objects.filter(
        inspection__house__in=services.scope_houses(RentalHouse.objects.all(), request.user)
    )
    found = get_object_or_404(photos, pk=pk)
    with missing_file_is_404(found.file):
        response = FileResponse(found.file.open("rb"), content_type=found.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    return response


# --- door labels ---------------------------------------------------------------------------------


def _label(request, house) -> dict:
    url = _scan_url(request, house)
    return {
        "house": house,
        "url": url,
        "svg": _qr_svg(url),
        "address": services.public_address(house),
    }


@require_GET
@role_required(*FIRESAFETY_VIEW_ROLES)
def label(request, pk):
    """One house's door label (一户一码), ready to print."""
    _require_view(request.user)
    house = _house_for(request.user, pk)
    return render(
        request,
        "firesafety/labels.html",
        {"labels": [_label(request, house)], "title": services.public_address(house)},
    )


@require_GET
@role_required(*FIRESAFETY_VIEW_ROLES)
def labels(request, community_id):
    """The door labels of every coded house of one 居村, twelve to an A4 page."""
    _require_view(request.user)
    community = get_object_or_404(services.communities_in_scope(request.user), pk=community_id)
    houses = (
        _houses(request.user)
        .filter(community=community, is_active=True)
        .order_by("household__address__normalized", "pk")
    )
    return render(
        request,
        "firesafety/labels.html",
        {"labels": [_label(request, h) for h in houses], "title": community.name},
    )


# --- the public page of a code -------------------------------------------------------------------


class HazardReportForm(forms.Form):
    description = forms.CharField(
        label=gettext_lazy("发现的隐患"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("如：楼道里有电动车充电、安全出口被堵"),
    )
    reporter_phone = forms.CharField(
        label=gettext_lazy("联系电话（选填，便于回复）"), max_length=32, required=False
    )


def _house_by_token(token):
    return (
        RentalHouse.objects.select_related("household__address", "community", "micro_grid")
        .filter(token=token, is_active=True)
        .first()
    )


def _public_context(house) -> dict:
    last = (
        Inspection.objects.filter(house=house)
        .prefetch_related(Prefetch("findings", queryset=Finding.objects.select_related("item")))
        .first()
    )
    return {
        "house": house,
        "address": services.public_address(house),
        "colour_hex": services.COLOURS_HEX.get(house.colour, "#888"),
        "last": last,
        "open_items": list(last.findings.all()) if last else [],
    }


@never_cache
@require_GET
def scan(request, token):
    """What a scanned door label opens. A signed-in inspector who may inspect the house lands on
    the inspection form; anyone else sees the colour, the village address, the last check's date
    and its open items — no room, no landlord, no phone — and may report a hazard."""
    house = _house_by_token(token)
    if house is None:
        return render(request, "firesafety/scan_missing.html", status=404)
    user = request.user
    if (
        user.is_authenticated
        and services.may_inspect(user)
        and services.scope_houses(RentalHouse.objects, user).filter(pk=house.pk).exists()
    ):
        return redirect("firesafety:inspect", pk=house.pk)
    return render(
        request,
        "firesafety/scan.html",
        {**_public_context(house), "form": HazardReportForm()},
    )


def _reporting_user(request):
    user = request.user
    if user.is_authenticated and user.effective_role == Role.RESIDENT:
        return user
    return None


@never_cache
@require_POST
def scan_report(request, token):
    """A tenant (or anyone with the label in front of them) reports a hazard of the house: a case
    in 出租屋消防隐患 through the intake, under the same limit as every report."""
    house = _house_by_token(token)
    if house is None:
        return render(request, "firesafety/scan_missing.html", status=404)
    form = HazardReportForm(request.POST)
    if is_limited_reporter(request.user) and ratelimit.hit_intake_limit(request).refused:
        form.is_valid()
        form.add_error(None, _("提交过于频繁，请稍后再试，或拨打12345热线反映"))
    elif form.is_valid():
        category = services.fire_category()
        lon, lat = services.house_point(house)
        address = services.public_address(house)
        try:
            if category is None:
                raise ValidationError(_("暂不能受理，请拨打12345热线反映"))
            case = case_services.do_report(
                user=_reporting_user(request),
                category=category,
                description=_("扫码反映出租屋消防隐患（%(address)s）：%(text)s")
                % {"address": address, "text": form.cleaned_data["description"]},
                source=CaseSource.RESIDENT,
                lon=lon,
                lat=lat,
                address=address,
                micro_grid=house.micro_grid,
                reporter_phone=form.cleaned_data["reporter_phone"],
            ).case
        except (ValidationError, PermissionDenied) as error:
            if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
                for field, msgs in error.message_dict.items():
                    target = field if field in form.fields else None
                    for msg in msgs:
                        form.add_error(target, msg)
            else:
                for msg in _error_list(error):
                    form.add_error(None, msg)
        else:
            return redirect("public:report_done", token=case.public_token)
    return render(
        request, "firesafety/scan.html", {**_public_context(house), "form": form}, status=400
    )


# --- the inspector's phone pages -----------------------------------------------------------------


@require_GET
@role_required(*FIRESAFETY_INSPECT_ROLES)
def inspect_choose(request):
    """Pick the house to inspect: scan its label, or search by address; due ones first."""
    user = request.user
    if not services.may_inspect(user):
        raise PermissionDenied(_("您的角色不能进行出租屋消防检查"))
    q = (request.GET.get("q") or "").strip()[:50]
    houses = _houses(user).filter(is_active=True)
    if q:
        houses = houses.filter(household__address__normalized__icontains=q)
    houses = houses.order_by("next_inspection_due", "household__address__normalized", "pk")[:30]
    return render(
        request,
        "firesafety/inspect_choose.html",
        {"houses": houses, "q": q, "now": timezone.now()},
    )


@require_http_methods(["GET", "POST"])
@role_required(*FIRESAFETY_INSPECT_ROLES)
def inspect(request, pk):
    """消防检查 on the phone: tick the hazards found (with what was seen), photos, the
    particulars, the landlord's acknowledgement; the colour shows as the boxes are ticked and
    is computed by the service on submit."""
    user = request.user
    if not services.may_inspect(user):
        raise PermissionDenied(_("您的角色不能进行出租屋消防检查"))
    house = _house_for(user, pk)
    items = list(services.active_items())
    errors, ticked, notes = [], set(), {}
    values = {f: getattr(house, f) for f in services.PARTICULARS}
    ack, ack_by, note = "", "", ""
    if request.method == "POST":
        hazards = {}
        for item in items:
            notes[item.pk] = request.POST.get(f"note_{item.pk}", "")
            if request.POST.get(f"item_{item.pk}") == "on":
                ticked.add(item.pk)
                hazards[item.pk] = notes[item.pk]
        particulars = {
            f: request.POST.get(f) for f in services.PARTICULARS if request.POST.get(f, "") != ""
        }
        values.update(particulars)
        ack = request.POST.get("landlord_acknowledged", "")
        ack_by = request.POST.get("acknowledged_by", "")
        note = request.POST.get("note", "")
        try:
            if ack not in ("yes", "no"):
                raise ValidationError({"landlord_acknowledged": _("请选择房东是否签字确认")})
            inspection = services.do_inspect(
                user,
                house,
                hazards=hazards,
                landlord_acknowledged=ack == "yes",
                acknowledged_by=ack_by,
                note=note,
                photos=request.FILES.getlist("photos"),
                particulars=particulars,
            )
        except (ValidationError, PermissionDenied) as error:
            errors = _error_list(error)
        else:
            return redirect("firesafety:inspected", pk=inspection.pk)
    rental = services.current_rental(house.household)
    people = services.occupants([house.household_id])[house.household_id]
    per_person = round(float(house.area_m2) / people, 1) if house.area_m2 and people else None
    return render(
        request,
        "firesafety/inspect.html",
        {
            "house": house,
            "items": items,
            "ticked": ticked,
            "notes": notes,
            "errors": errors,
            "values": values,
            "structures": Structure.choices,
            "uses": HouseUse.choices,
            "ack": ack,
            "ack_by": ack_by,
            "note": note,
            "landlord": services.landlord(rental),
            "occupants": people,
            "per_person": per_person,
            "red_minor": workflow.RED_MINOR_COUNT,
        },
        status=400 if errors else 200,
    )


@require_GET
@role_required(*FIRESAFETY_VIEW_ROLES)
def inspected(request, pk):
    """One inspection's result: the colour, the hazards, the deadlines, the case."""
    _require_view(request.user)
    inspection = get_object_or_404(
        Inspection.objects.filter(
            house__in=services.scope_houses(RentalHouse.objects.all(), request.user)
        )
        .select_related("house__household__address", "house__community", "house__case", "inspector")
        .prefetch_related(
            Prefetch("findings", queryset=Finding.objects.select_related("item")), "photos"
        ),
        pk=pk,
    )
    return render(
        request,
        "firesafety/inspected.html",
        {
            "inspection": inspection,
            "house": inspection.house,
            "colour_hex": services.COLOURS_HEX.get(inspection.colour, "#888"),
            # 检查下一户 for those who inspect; a reader (a leader, the duty desk) gets no button
            # to a form that refuses them.
            "may_inspect": services.may_inspect(request.user),
        },
    )
