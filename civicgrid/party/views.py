"""Pages of the party app (党组织): the staff's tree with coverage (/party/), an organisation's
page with its members (masked), meetings and the form to record one, the "三会一课" completion
table (/party/life/), star ratings and the honour roll (/party/stars/), the members list
(/party/members/) and the PUBLIC map of the "1+6+62+X" service points (/party/map/, no login).
Pages only call party.services."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import PARTY_VIEW_ROLES
from civicgrid.grids.scoping import visible_micro_grids
from civicgrid.party import services
from civicgrid.party.choices import LifeKind, Venue
from civicgrid.party.filters import LifeFilter, MemberFilter, OrganisationFilter
from civicgrid.party.models import LifeMeeting, Member, Organisation, StarRating

PAGE_SIZE = 50


def _messages_of(error) -> list[str]:
    if isinstance(error, ValidationError) and hasattr(error, "error_dict"):
        return [m for msgs in error.message_dict.values() for m in msgs]
    return list(getattr(error, "messages", [str(error)]))


def _year(request) -> int:
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year") or today.year)
    except ValueError:
        return today.year
    return year if 2000 <= year <= today.year else today.year


@role_required(*PARTY_VIEW_ROLES)
def index(request):
    """党组织: coverage of the user's micro-grids (one organisation each; the uncovered and the
    网格长 mismatches flagged), then the organisations as a filtered list."""
    user = request.user
    cover = services.coverage(visible_micro_grids(user))
    orgs = services.scope_organisations(Organisation.objects.all(), user)
    filters = OrganisationFilter(request.GET, queryset=orgs)
    rows = (
        filters.qs.select_related("parent", "grid", "secretary")
        .defer("grid__geometry")
        .annotate(n_members=Count("members", filter=Q(members__is_active=True)))
        .order_by("grid__code", "level", "name", "id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "party/index.html",
        {
            "coverage": cover,
            "filter": filters,
            "page": page,
            "counts": services.counts() if user.sees_whole_street else None,
            "query": request.GET.urlencode(),
        },
    )


def _organisation(request, pk):
    org = (
        services.scope_organisations(Organisation.objects.all(), request.user)
        .select_related("parent", "grid", "secretary")
        .filter(pk=pk)
        .first()
    )
    if org is None:
        raise Http404(_("没有这个党组织，或不在您的管辖范围内"))
    return org


@role_required(*PARTY_VIEW_ROLES)
def organisation(request, pk):
    """An organisation: its particulars, sub-organisations, members (phones masked), this year's
    "三会一课" completion, meetings (and the form to record one), ratings, co-buildings."""
    org = _organisation(request, pk)
    errors = []
    values = {}
    if request.method == "POST":
        values = request.POST
        try:
            services.do_record_life(
                org,
                {
                    "kind": request.POST.get("kind"),
                    "held_on": request.POST.get("held_on"),
                    "topic": request.POST.get("topic"),
                    "expected": request.POST.get("expected"),
                    "attended": request.POST.get("attended"),
                    "venue": request.POST.get("venue") or Venue.MAIN,
                    "main_session": request.POST.get("main_session") or None,
                },
                request.user,
            )
            messages.success(request, _("已登记组织生活"))
            return redirect("party:organisation", pk=org.pk)
        except ValidationError as error:
            errors = _messages_of(error)
    today = timezone.localdate()
    completion = services.life_completion(today.year, Organisation.objects.filter(pk=org.pk))
    members = list(
        services.scope_members(org.members.filter(is_active=True), request.user).order_by(
            "name", "id"
        )[:200]
    )
    return render(
        request,
        "party/organisation.html",
        {
            "org": org,
            "children": list(org.children.select_related("grid").order_by("name")),
            "members": members,
            "member_count": org.members.filter(is_active=True).count(),
            "completion": completion[0] if completion else None,
            "meetings": list(org.life_meetings.order_by("-held_on", "-id")[:30]),
            "ratings": list(org.ratings.all()),
            "co_buildings": list(org.co_buildings.all()),
            "points": list(org.service_points.all()),
            "kinds": LifeKind.choices,
            "venues": Venue.choices,
            "may_edit": services.may_edit(request.user),
            "errors": errors,
            "values": values,
            "today": today,
        },
        status=400 if errors else 200,
    )


@role_required(*PARTY_VIEW_ROLES)
def life(request):
    """ "三会一课" completion of a year, per organisation of the user's grids, and the meetings
    list (filtered)."""
    year = _year(request)
    orgs = services.scope_organisations(Organisation.objects.all(), request.user)
    org_filter = OrganisationFilter(request.GET, queryset=orgs)
    rows = services.life_completion(year, org_filter.qs)
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    meetings = LifeFilter(
        request.GET,
        queryset=LifeMeeting.objects.filter(organisation__in=orgs).select_related("organisation"),
    )
    return render(
        request,
        "party/life.html",
        {
            "year": year,
            "years": list(range(timezone.localdate().year, 2017, -1)),
            "page": page,
            "summary": services.completion_summary(rows),
            "filter": org_filter,
            "owed_kinds": [
                LifeKind.MEMBER_MEETING,
                LifeKind.COMMITTEE_MEETING,
                LifeKind.GROUP_MEETING,
                LifeKind.PARTY_CLASS,
            ],
            "recent": list(meetings.qs.order_by("-held_on", "-id")[:30]),
            "query": request.GET.urlencode(),
        },
    )


@role_required(*PARTY_VIEW_ROLES)
def stars(request):
    """Star ratings of a year and the honour roll (五星级) they feed."""
    year = _year(request) if request.GET.get("year") else None
    ratings = StarRating.objects.filter(
        organisation__in=services.scope_organisations(Organisation.objects.all(), request.user)
    )
    years = sorted(set(ratings.values_list("year", flat=True)), reverse=True)
    if year is None:
        year = years[0] if years else timezone.localdate().year
    rows = list(ratings.filter(year=year).select_related("organisation").order_by("-stars"))
    return render(
        request,
        "party/stars.html",
        {
            "year": year,
            "years": years,
            "rows": rows,
            "roll": services.star_roll(year),
        },
    )


@role_required(*PARTY_VIEW_ROLES)
def members(request):
    """党员 of the user's grids, phones masked (core.masking), filtered."""
    qs = services.scope_members(Member.objects.all(), request.user)
    filters = MemberFilter(request.GET, queryset=qs)
    rows = filters.qs.select_related("organisation", "dual_report_community").order_by(
        "organisation__name", "name", "id"
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "party/members.html",
        {"filter": filters, "page": page, "query": request.GET.urlencode()},
    )


def public_map(request):
    """15分钟党群服务圈: every open service point on a map with its walking circle (about 1 km),
    its address, hours and services — public, no sign-in, no personal data."""
    points = services.public_points()
    tiers = {}
    for p in points:
        tiers[p["tier_label"]] = tiers.get(p["tier_label"], 0) + 1
    return render(
        request,
        "party/map.html",
        {
            "points": points,
            "tiers": tiers,
            "radius": services.WALK_RADIUS_METRES,
        },
    )
