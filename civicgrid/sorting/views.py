"""The garbage-sorting pages: the desk's (居委, street: report, points and their map, roster,
weighings, inspections, the half-year report as a printable page and Excel) and the phone's
(a guide checks in at their point and records the shift; an inspector scores an estate with
photos). Each page is scoped like the API (sorting.scoping); every change is a service call; a
refused input shows the form again with the message next to the field."""

import datetime
import io
from decimal import Decimal

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import (
    SORTING_EDIT_ROLES,
    SORTING_GUIDE_ROLES,
    SORTING_INSPECT_ROLES,
    SORTING_VIEW_ROLES,
)
from civicgrid.cases.permissions import openable_cases
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.csvsafe import safe_row, sheet_title
from civicgrid.core.inputs import posted_id
from civicgrid.core.pages import add_service_errors
from civicgrid.core.storedfiles import missing_file_is_404
from civicgrid.estates.models import Estate
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import scope_by_micro_grid
from civicgrid.registry import services as registry_services
from civicgrid.registry.models import Household
from civicgrid.sorting import green, reports, services
from civicgrid.sorting.choices import PointState, ShiftState, WasteCategory
from civicgrid.sorting.filters import InspectionFilter, PointFilter, ShiftFilter, WeighingFilter
from civicgrid.sorting.forms import (
    AwardForm,
    CheckOutForm,
    ConventionForm,
    InspectionForm,
    PledgeForm,
    RedeemForm,
    WeighingForm,
    WindowsForm,
)
from civicgrid.sorting.models import (
    Baseline,
    Convention,
    DropOffPoint,
    DropOffWindow,
    GuideShift,
    Inspection,
    InspectionPhoto,
    Weighing,
)
from civicgrid.sorting.scoping import scope_by_community, visible_communities

PAGE = 50


def _month(request) -> tuple[int, int]:
    today = timezone.localdate()
    text = (request.GET.get("month") or "").strip()
    try:
        year, month = (int(p) for p in text.split("-"))
        datetime.date(year, month, 1)
    except ValueError:
        return today.year, today.month
    if not 2000 <= year <= today.year + 1:
        return today.year, today.month
    return year, month


def _half(request) -> tuple[int, int]:
    """(year, 1 or 2) from ?half=2026-2 (default: the half-year before the current one)."""
    today = timezone.localdate()
    text = (request.GET.get("half") or "").strip()
    try:
        year, half = (int(p) for p in text.split("-"))
        if half in (1, 2) and 2000 <= year <= today.year:
            return year, half
    except ValueError:
        pass
    current = 1 if today.month <= 6 else 2
    return (today.year, 1) if current == 2 else (today.year - 1, 2)


def _estates(user):
    return scope_by_community(Estate.objects.select_related("community"), user).order_by(
        "community__code", "name"
    )


# --- desk -------------------------------------------------------------------------------------


@require_GET
@role_required(*SORTING_VIEW_ROLES)
def overview(request):
    """This month's (or ?month=) figures per 居村 or estate, with the tile's summary."""
    year, month = _month(request)
    first, last = reports.month_bounds(year, month)
    group = "estate" if request.GET.get("group") == "estate" else "community"
    communities = visible_communities(request.user)
    figures = reports.report(communities, first, last, group=group)
    months = reports.months_back(timezone.localdate(), 12)
    overdue = reports.overdue_reinspections(communities)[:20]
    context = {
        "figures": figures,
        "group": group,
        "month": f"{year}-{month:02d}",
        "months": [f"{y}-{m:02d}" for y, m in reversed(months)],
        "categories": WasteCategory.choices,
        "overdue": overdue,
        "may_edit": request.user.effective_role in SORTING_EDIT_ROLES,
        "may_inspect": request.user.effective_role in SORTING_INSPECT_ROLES,
    }
    return render(request, "sorting/overview.html", context)


@require_GET
@role_required(*SORTING_VIEW_ROLES)
def points(request):
    """投放点 with the map coloured by each point's last inspection score."""
    rows = scope_by_micro_grid(DropOffPoint.objects.all(), request.user)
    found = PointFilter(request.GET, queryset=rows)
    listed = found.qs.select_related("community", "estate", "unit").prefetch_related(
        Prefetch("windows", queryset=DropOffWindow.objects.order_by("start"))
    )
    page = Paginator(listed.order_by("community__code", "name", "id"), PAGE).get_page(
        request.GET.get("page")
    )
    context = {
        "filter": found,
        "page": page,
        "map": reports.points_map(found.qs),
    }
    return render(request, "sorting/points.html", context)


def _point(user, pk):
    return get_object_or_404(scope_by_micro_grid(DropOffPoint.objects.all(), user), pk=pk)


@require_http_methods(["GET", "POST"])
@role_required(*SORTING_VIEW_ROLES)
def point(request, pk):
    """One point: bins, windows (editable), state changes, its history and last inspections."""
    point = _point(request.user, pk)
    may_edit = request.user.effective_role in SORTING_EDIT_ROLES
    initial = "\n".join(f"{w.start:%H:%M}-{w.end:%H:%M}" for w in point.windows.order_by("start"))
    form = WindowsForm(request.POST or None, initial={"windows": initial})
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("您的角色不能维护垃圾分类台账"))
        if form.is_valid():
            try:
                services.do_set_windows(point, request.user, form.pairs())
            except IllegalTransition as exc:
                messages.error(request, exc.message)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("投放时段已更新"))
                return redirect("sorting:point", pk=point.pk)
    context = {
        "point": point,
        "form": form,
        "may_edit": may_edit,
        "changes": point.changes.select_related("by")[:20],
        "inspections": Inspection.objects.filter(
            **({"estate_id": point.estate_id} if point.estate_id else {"unit_id": point.unit_id})
        ).select_related("case")[:10],
        "targets": DropOffPoint.objects.filter(
            community_id=point.community_id, state=PointState.IN_USE
        ).exclude(pk=point.pk),
    }
    return render(request, "sorting/point.html", context)


@require_POST
@role_required(*SORTING_EDIT_ROLES)
def point_state(request, pk):
    point = _point(request.user, pk)
    target = None
    if request.POST.get("merged_into"):
        try:
            target = _point(request.user, int(request.POST["merged_into"]))
        except (ValueError, Http404):
            messages.error(request, _("只能并入另一个使用中的点位"))
            return redirect("sorting:point", pk=point.pk)
    try:
        services.do_change_point_state(
            point, request.user, request.POST.get("state", ""), merged_into=target
        )
    except IllegalTransition as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("点位状态已更新"))
    return redirect("sorting:point", pk=point.pk)


@require_http_methods(["GET", "POST"])
@role_required(*SORTING_VIEW_ROLES)
def estate(request, pk):
    """One estate: its points, baseline, households pledged (and the form to record a pledge),
    its 居民公约 in every version (and the form to adopt a new one)."""
    estate = get_object_or_404(_estates(request.user), pk=pk)
    may_edit = request.user.effective_role in SORTING_EDIT_ROLES
    homes = Household.objects.filter(address__estate=estate)
    unpledged = (
        homes.filter(sorting_pledge__isnull=True)
        .select_related("address")
        .order_by("address__normalized")
    )
    today = timezone.localdate()
    posted = request.POST.get("form") if request.method == "POST" else None
    pledge_form = PledgeForm(
        unpledged, request.POST if posted == "pledge" else None, initial={"signed_on": today}
    )
    convention_form = ConventionForm(
        request.POST if posted == "convention" else None,
        initial={"adopted_on": today, "title": _("%(e)s垃圾分类居民公约") % {"e": estate.name}},
    )
    if posted is not None:
        if not may_edit:
            raise PermissionDenied(_("您的角色不能维护垃圾分类台账"))
        form = pledge_form if posted == "pledge" else convention_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if posted == "pledge":
                    household = Household.objects.select_related("address__micro_grid").get(
                        pk=data["household"].pk
                    )
                    services.do_record_pledge(household, request.user, signed_on=data["signed_on"])
                    messages.success(request, _("承诺书已登记"))
                else:
                    done = services.do_adopt_convention(estate, request.user, **data)
                    messages.success(request, _("居民公约第 %(v)d 版已登记") % {"v": done.version})
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                return redirect("sorting:estate", pk=estate.pk)
    total = homes.count()
    pledged = total - unpledged.count()
    context = {
        "estate": estate,
        "may_edit": may_edit,
        "points": DropOffPoint.objects.filter(estate=estate).order_by("name"),
        "baseline": Baseline.objects.filter(estate=estate).first(),
        "conventions": Convention.objects.filter(estate=estate).order_by("-version"),
        "households": total,
        "pledged": pledged,
        "pledged_rate": reports.percent(Decimal(pledged) / total) if total else "—",
        "pledge_form": pledge_form,
        "convention_form": convention_form,
    }
    status = 400 if (pledge_form.errors or convention_form.errors) else 200
    return render(request, "sorting/estate.html", context, status=status)


@require_GET
@role_required(*SORTING_VIEW_ROLES)
def shifts(request):
    """值守排班: the roster (default this week), with unfilled and missed shifts marked."""
    today = timezone.localdate()
    data = request.GET.copy()
    data.setdefault("day_from", (today - datetime.timedelta(days=today.weekday())).isoformat())
    data.setdefault("day_to", (today + datetime.timedelta(days=6 - today.weekday())).isoformat())
    rows = scope_by_community(GuideShift.objects.all(), request.user)
    found = ShiftFilter(data, queryset=rows)
    listed = found.qs.select_related("point", "guide").order_by("day", "start", "point__name")
    page = Paginator(listed, PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    for shift in page:
        shift.status = services.shift_status(shift, now)
    return render(request, "sorting/shifts.html", {"filter": found, "page": page})


@require_http_methods(["GET", "POST"])
@role_required(*SORTING_VIEW_ROLES)
def weighings(request):
    """称重记录 with the form to record a load (居委 and the street's desk)."""
    may_edit = request.user.effective_role in SORTING_EDIT_ROLES
    estates = _estates(request.user)
    form = WeighingForm(estates, request.POST or None, initial={"day": timezone.localdate()})
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied(_("您的角色不能维护垃圾分类台账"))
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.do_record_weighing(request.user, **data)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("称重记录已登记"))
                return redirect("sorting:weighings")
    rows = scope_by_community(Weighing.objects.all(), request.user)
    found = WeighingFilter(request.GET, queryset=rows)
    listed = found.qs.select_related("estate", "unit", "community").order_by("-day", "-id")
    page = Paginator(listed, PAGE).get_page(request.GET.get("page"))
    context = {"filter": found, "page": page, "form": form, "may_edit": may_edit}
    return render(request, "sorting/weighings.html", context, status=400 if form.errors else 200)


@require_GET
@role_required(*SORTING_VIEW_ROLES)
def inspections(request):
    rows = scope_by_community(Inspection.objects.all(), request.user)
    found = InspectionFilter(request.GET, queryset=rows)
    listed = found.qs.select_related("estate", "unit", "community", "case", "card").order_by(
        "-inspected_at", "-id"
    )
    page = Paginator(listed, PAGE).get_page(request.GET.get("page"))
    openable = openable_cases(request.user, [row.case for row in page.object_list])
    return render(
        request, "sorting/inspections.html", {"filter": found, "page": page, "openable": openable}
    )


@require_GET
@role_required(*SORTING_VIEW_ROLES)
def inspection_photo(request, pk):
    """An inspection's photo, for users who may see the inspection."""
    photos = InspectionPhoto.objects.filter(
        inspection__in=scope_by_community(Inspection.objects.all(), request.user)
    )
    photo = get_object_or_404(photos, pk=pk)
    with missing_file_is_404(photo.file):
        response = FileResponse(photo.file.open("rb"), content_type=photo.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, max-age=86400"
    return response


def _half_year(request):
    year, half = _half(request)
    months = [(year, m) for m in (range(1, 7) if half == 1 else range(7, 13))]
    first = reports.month_bounds(*months[0])[0]
    last = reports.month_bounds(*months[-1])[1]
    communities = visible_communities(request.user)
    return {
        "year": year,
        "half": half,
        "title": _("%(y)d年%(h)s垃圾分类工作报告")
        % {"y": year, "h": _("上半年") if half == 1 else _("下半年")},
        "first": first,
        "last": last,
        "series": reports.monthly(communities, months),
        "by_community": reports.report(communities, first, last, group="community"),
        "categories": WasteCategory.choices,
    }


@require_GET
@role_required(*SORTING_VIEW_ROLES)
def half_year(request):
    """The half-year report to the town (seed 000), printable."""
    return render(request, "sorting/half_year.html", _half_year(request))


def _pct(value):
    return None if value is None else round(float(value) * 100, 2)


@require_GET
@role_required(*SORTING_VIEW_ROLES)
def half_year_xlsx(request):
    """The half-year report as Excel: the months, then the 居村."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    data = _half_year(request)
    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title(_("按月"))
    labels = [str(label) for _value, label in data["categories"]]
    header = [
        _("月份"),
        *[_("%(c)s（公斤）") % {"c": c} for c in labels],
        _("减量（公斤）"),
        _("减量率（%）"),
        _("检查小区"),
        _("达标率（%）"),
        _("等级"),
        _("值守班次"),
        _("到岗率（%）"),
        _("签约率（%）"),
    ]

    def line(row, name):
        return safe_row(
            [
                name,
                *[float(row["kg"][c]) for c, _l in data["categories"]],
                float(row["reduction_kg"]) if row["reduction_kg"] is not None else None,
                _pct(row["reduction_rate"]),
                row["inspected"],
                _pct(row["pass_rate"]),
                row["grade_label"],
                row["shifts"],
                _pct(row["staffed_rate"]),
                _pct(row["pledged_rate"]),
            ]
        )

    sheet.append([data["title"]])
    sheet.append(header)
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in data["series"]:
        sheet.append(line(row, row["label"]))
    communities = book.create_sheet(sheet_title(_("按居村")))
    communities.append([data["title"]])
    communities.append([_("居村"), *header[1:]])
    for cell in communities[2]:
        cell.font = Font(bold=True)
    for row in data["by_community"]["rows"]:
        communities.append(line(row, row["name"]))
    if data["by_community"]["rows"]:
        communities.append(line(data["by_community"]["total"], _("合计")))
    for s in (sheet, communities):
        s.freeze_panes = "A3"
        s.column_dimensions["A"].width = 20
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    name = f"sorting-{data['year']}-h{data['half']}.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- phone ------------------------------------------------------------------------------------


def _my_guide(user):
    guide = getattr(user, "sorting_guide", None)
    if guide is None or not guide.is_active:
        return None
    return guide


@require_GET
@role_required(*SORTING_GUIDE_ROLES)
def guide_home(request):
    """A guide's shifts today and in the next days, with check-in and the check-out form."""
    guide = _my_guide(request.user)
    now = timezone.now()
    today = timezone.localdate(now)
    rows = []
    if guide is not None:
        rows = list(
            GuideShift.objects.filter(
                guide=guide,
                day__range=(today - datetime.timedelta(days=1), today + datetime.timedelta(days=6)),
            )
            .exclude(state=ShiftState.CANCELLED)
            .select_related("point")
            .order_by("day", "start")
        )
        for shift in rows:
            shift.status = services.shift_status(shift, now)
            shift.form = (
                CheckOutForm(prefix=f"s{shift.pk}") if shift.state == ShiftState.ON_DUTY else None
            )
    context = {"guide": guide, "shifts": rows, "today": today}
    return render(request, "sorting/guide.html", context)


def _my_shift(user, pk):
    guide = _my_guide(user)
    rows = GuideShift.objects.select_related("point", "guide")
    if user.effective_role in SORTING_EDIT_ROLES:
        return get_object_or_404(scope_by_community(rows, user), pk=pk)
    if guide is None:
        raise Http404
    return get_object_or_404(rows.filter(guide=guide), pk=pk)


@require_POST
@role_required(*SORTING_GUIDE_ROLES, *SORTING_EDIT_ROLES)
def guide_check_in(request, pk):
    shift = _my_shift(request.user, pk)
    try:
        services.do_check_in(shift, request.user)
    except IllegalTransition as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("已签到：%(p)s %(t)s")
            % {"p": shift.point.name, "t": f"{shift.start:%H:%M}–{shift.end:%H:%M}"},
        )
    return redirect("sorting:guide")


@require_http_methods(["POST"])
@role_required(*SORTING_GUIDE_ROLES, *SORTING_EDIT_ROLES)
def guide_check_out(request, pk):
    shift = _my_shift(request.user, pk)
    form = CheckOutForm(request.POST, prefix=f"s{shift.pk}")
    if form.is_valid():
        try:
            services.do_check_out(shift, request.user, **form.cleaned_data)
        except IllegalTransition as exc:
            messages.error(request, exc.message)
            return redirect("sorting:guide")
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("已签退，值守记录已保存"))
            return redirect("sorting:guide")
    shift.status = services.shift_status(shift)
    shift.form = form
    context = {"guide": shift.guide, "shifts": [shift], "today": timezone.localdate()}
    return render(request, "sorting/guide.html", context, status=400)


@require_GET
@role_required(*SORTING_INSPECT_ROLES)
def inspect_choose(request):
    """Pick the estate to inspect (the inspector's scope)."""
    estates = _estates(request.user)
    return render(request, "sorting/inspect_choose.html", {"estates": estates})


@require_http_methods(["GET", "POST"])
@role_required(*SORTING_INSPECT_ROLES)
def inspect(request, estate_id):
    """Score an estate on the active sheet, with photos; a fail opens the 物业's case."""
    estate = get_object_or_404(_estates(request.user), pk=estate_id)
    template = services.active_template()
    if template is None:
        raise Http404(_("还没有启用的检查评分表"))
    form = InspectionForm(template, request.POST or None, request.FILES or None)
    points = DropOffPoint.objects.filter(estate=estate).exclude(state=PointState.MERGED)
    if request.method == "POST" and form.is_valid():
        point = points.filter(pk=posted_id(request.POST, "point")).first()
        try:
            done = services.do_inspect(
                request.user,
                estate=estate,
                point=point,
                scores=form.scores(),
                note=form.cleaned_data["note"],
                photos=form.cleaned_data["photos"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect(reverse("sorting:inspected", args=[done.inspection.pk]))
    context = {"estate": estate, "form": form, "template": template, "points": points}
    return render(request, "sorting/inspect.html", context, status=400 if form.errors else 200)


@require_GET
@role_required(*SORTING_VIEW_ROLES)
def inspected(request, pk):
    """One inspection: its score, the items, photos, the case and card."""
    rows = scope_by_community(Inspection.objects.all(), request.user)
    inspection = get_object_or_404(
        rows.select_related("estate", "unit", "case", "card").prefetch_related("scores", "photos"),
        pk=pk,
    )
    openable = openable_cases(request.user, [inspection.case])
    return render(
        request, "sorting/inspection.html", {"inspection": inspection, "openable": openable}
    )


# --- green-account points (绿色账户) ---------------------------------------------------------


def _green_reach(user):
    """(居村 whose households the user may look up here, the guide's shift on duty or None): the
    ledger's readers their scope; a guide on duty who does not keep the ledger the 居村 of the
    point they stand at."""
    shift = None
    if user.effective_role not in SORTING_EDIT_ROLES:
        shift = green.on_duty_shift(user)
    if user.effective_role in SORTING_VIEW_ROLES:
        return visible_communities(user), shift
    if shift is None:
        return Grid.objects.none(), None
    return Grid.objects.filter(pk=shift.community_id), shift


def _green_base(user) -> str:
    """The desk's frame for the ledger's readers, the phone's for a guide at the point."""
    if user.effective_role in SORTING_VIEW_ROLES:
        return "sorting/base_desk.html"
    return "sorting/base_green_phone.html"


def _green_households(communities):
    return (
        green.with_balance(green.households_in(communities))
        .select_related("address__micro_grid__parent")
        .defer("address__micro_grid__geometry", "address__micro_grid__parent__geometry")
    )


@require_GET
@role_required(*SORTING_VIEW_ROLES, *SORTING_GUIDE_ROLES)
def green_home(request):
    """绿色账户: find a household by address, householder or household number (within scope)
    to award points for a correct drop-off, redeem them for goods or read its statement."""
    communities, shift = _green_reach(request.user)
    may_award = request.user.effective_role in SORTING_EDIT_ROLES or shift is not None
    query = (request.GET.get("q") or "").strip()[:50]
    results = []
    if query:
        results = list(
            registry_services.search_households(_green_households(communities), query).order_by(
                "address__normalized", "id"
            )[:20]
        )
    context = {
        "query": query,
        "results": results,
        "searched": bool(query),
        "shift": shift,
        "may_award": may_award,
        "may_read": request.user.effective_role in SORTING_VIEW_ROLES,
        "award_form": AwardForm(),
        "base_template": _green_base(request.user),
    }
    return render(request, "sorting/green.html", context)


@require_http_methods(["GET", "POST"])
@role_required(*SORTING_VIEW_ROLES, *SORTING_GUIDE_ROLES)
def green_household(request, pk):
    """One household's green account: balance, the forms to award and to redeem for goods, and
    its statement (each entry with the balance after it)."""
    user = request.user
    communities, shift = _green_reach(user)
    household = get_object_or_404(_green_households(communities), pk=pk)
    may_redeem = user.effective_role in SORTING_EDIT_ROLES
    may_award = may_redeem or shift is not None
    may_read = user.effective_role in SORTING_VIEW_ROLES
    posted = request.POST.get("form") if request.method == "POST" else None
    award_form = AwardForm(request.POST if posted == "award" else None)
    redeem_form = RedeemForm(
        services.active_rewards(), request.POST if posted == "redeem" else None
    )
    if posted is not None:
        if (posted == "award" and not may_award) or (posted != "award" and not may_redeem):
            raise PermissionDenied(_("您的角色不能记录或兑换积分"))
        form = award_form if posted == "award" else redeem_form
        if form.is_valid():
            try:
                if posted == "award":
                    entry = services.do_award_points(
                        household, user, shift=shift, **form.cleaned_data
                    )
                    done = _("已为该户记 %(n)d 分，现有 %(b)d 分")
                else:
                    entry = services.do_redeem_goods(household, user, items=form.items())
                    done = _("已兑换 %(items)s，扣 %(n)d 分，现有 %(b)d 分")
            except IllegalTransition as exc:
                form.add_error(None, exc.message)
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(
                    request,
                    done
                    % {"n": entry.amount, "items": entry.note, "b": green.balance_of(household)},
                )
                return redirect("sorting:green_household", pk=household.pk)
    page = None
    if may_read:
        listed = (
            green.entries()
            .filter(household_id=household.pk)
            .select_related("by", "shift__point")
            .order_by("-at", "-id")
        )
        page = Paginator(listed, PAGE).get_page(request.GET.get("page"))
        page.object_list = green.statement_rows(page.object_list, household.pk)
    context = {
        "household": household,
        "shift": shift,
        "may_award": may_award,
        "may_redeem": may_redeem,
        "may_read": may_read,
        "award_form": award_form,
        "redeem_form": redeem_form,
        "page": page,
        "base_template": _green_base(user),
    }
    status = 400 if (award_form.errors or redeem_form.errors) else 200
    return render(request, "sorting/green_household.html", context, status=status)


@require_GET
@role_required(*SORTING_VIEW_ROLES)
def green_months(request):
    """Points issued and redeemed per 居村 and month (the last 12 months) within scope."""
    figures = green.monthly(visible_communities(request.user), months=12)
    return render(request, "sorting/green_months.html", {"figures": figures})
