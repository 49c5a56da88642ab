"""The estates pages (小区一览, 小区详情): the estates of the user's scope with their class, 物业,
业委会 term, households and heritage flag, and one estate in full. Read-only; the scope is
estates.services.scoped_estates (the 居村 of the user's micro-grids), and an estate outside it
is the same 404 as one that does not exist."""

from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import DASHBOARD_ROLES
from civicgrid.estates import figures as estate_figures
from civicgrid.estates.choices import EstateClass
from civicgrid.estates.services import masked_contact, scoped_estates
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.registry.choices import DwellingUse, Tenure
from civicgrid.registry.models import Household

PAGE_SIZE = 50


def _communities(estates):
    """The 居村 that hold the scope's estates, grouped by 片区: [(片区 name, [(pk, name)])]."""
    rows = (
        Grid.objects.filter(pk__in=estates.values("community"), level=GridLevel.COMMUNITY)
        .select_related("parent")
        .order_by("code")
    )
    groups = {}
    for g in rows:
        area = g.parent.name if g.parent and g.parent.level == GridLevel.AREA else ""
        groups.setdefault(area, []).append((g.pk, g.name))
    return list(groups.items())


def _choice(value, allowed):
    """A filter value when it is one of `allowed` (as text), else "" (the filter is ignored)."""
    value = (value or "").strip()
    return value if value in allowed else ""


@require_GET
@role_required(*DASHBOARD_ROLES)
def estate_list(request):
    today = timezone.localdate()
    scoped = scoped_estates(request.user)
    communities = _communities(scoped)
    community_ids = {str(pk) for _area, rows in communities for pk, _name in rows}
    community = _choice(request.GET.get("community"), community_ids)
    estate_class = _choice(request.GET.get("class"), set(EstateClass.values))
    estates = scoped
    if community:
        estates = estates.filter(community_id=int(community))
    if estate_class:
        estates = estates.filter(estate_class=estate_class)
    page = Paginator(estate_figures.with_figures(estates, today), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    for estate in page:
        estate.committee = estate.current[0] if estate.current else None
        estate.days_left = (estate.committee.term_end - today).days if estate.committee else None
    return render(
        request,
        "dashboard/estates.html",
        {
            "page_obj": page,
            "communities": communities,
            "classes": EstateClass.choices,
            "community": community,
            "estate_class": estate_class,
            "warning_days": estate_figures.COMMITTEE_TERM_WARNING_DAYS,
        },
    )


def _counts(households, field, choices):
    found = dict(households.values_list(field).annotate(n=Count("pk")).values_list(field, "n"))
    return [(label, found.get(key, 0)) for key, label in choices if found.get(key)]


@require_GET
@role_required(*DASHBOARD_ROLES)
def estate_detail(request, pk):
    today = timezone.localdate()
    estate = (
        estate_figures.with_figures(scoped_estates(request.user), today)
        .prefetch_related("micro_grids", "address_ranges", "committees__members")
        .filter(pk=pk)
        .first()
    )
    if estate is None:
        raise Http404(_("没有这个小区，或它不在您的管辖范围内"))
    households = Household.objects.filter(address__estate=estate)
    committee = estate.current[0] if estate.current else None
    return render(
        request,
        "dashboard/estate_detail.html",
        {
            "estate": estate,
            "committee": committee,
            "days_left": (committee.term_end - today).days if committee else None,
            "committees": estate.committees.all(),
            "contact": masked_contact(estate.property_company),
            "tenures": _counts(households, "tenure", Tenure.choices),
            "uses": _counts(households, "use", DwellingUse.choices),
            "warning_days": estate_figures.COMMITTEE_TERM_WARNING_DAYS,
        },
    )
