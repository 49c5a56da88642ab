"""Pages of the party app (党组织): the staff's tree with coverage (/party/), an organisation's
page with its members (masked), meetings and the form to record one, the "三会一课" completion
table (/party/life/), star ratings and the honour roll (/party/stars/), the members list
(/party/members/) and the PUBLIC map of the "1+6+62+X" service points (/party/map/, no login);
the staff's forms: organisations (/party/org/new/, /party/org/<id>/edit/), members and their posts
(/party/members/new/, /party/members/<id>/; a post ended at /party/posts/<id>/end/), star ratings
(/party/stars/new/, corrected at /party/stars/<id>/edit/), organisational life
(/party/life/new/), service points (/party/points/, with a map picker) and co-building agreements
(/party/co-buildings/). Pages only call party.services."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import PARTY_EDIT_ROLES, PARTY_VIEW_ROLES
from civicgrid.core.pages import add_service_errors, error_messages
from civicgrid.grids.scoping import visible_micro_grids
from civicgrid.party import services
from civicgrid.party.choices import LifeKind, Venue
from civicgrid.party.filters import LifeFilter, MemberFilter, OrganisationFilter
from civicgrid.party.forms import (
    AssignmentForm,
    CoBuildingForm,
    EndAssignmentForm,
    LifeForm,
    MemberForm,
    OrganisationForm,
    RatingForm,
    ServicePointForm,
    service_data,
)
from civicgrid.party.models import (
    Assignment,
    CoBuilding,
    LifeMeeting,
    Member,
    Organisation,
    ServicePoint,
    StarRating,
)

PAGE_SIZE = 50


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
    orgs = _organisations(user)
    filters = OrganisationFilter(request.GET, queryset=orgs)
    rows = (
        # The grid's display name reads its parents (a micro-grid's 居村, a 楼组's two).
        filters.qs.select_related("parent", "grid__parent__parent", "secretary")
        .defer("grid__geometry", "grid__parent__geometry", "grid__parent__parent__geometry")
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
            "may_edit": services.may_edit(user),
        },
    )


def _organisations(user):
    """The organisations `user` may see (every page and form scopes through this)."""
    return services.scope_organisations(Organisation.objects.all(), user)


def _in_scope(queryset, pk, missing):
    """Row `pk` of an already scoped queryset, or 404 with `missing`: a row outside the user's
    area answers exactly as one that does not exist."""
    found = queryset.filter(pk=pk).first()
    if found is None:
        raise Http404(missing)
    return found


def _require_change(user, grid):
    """The 403 page for an edit form of a row `user` may see but not change (services.may_change):
    the form is not offered, rather than refused on saving."""
    if not services.may_change(user, grid):
        raise PermissionDenied(_("该党组织不在您的管辖范围内"))


def _changeable(user, grid_ids) -> set:
    """Which of `grid_ids` hold rows `user` may change (services.changeable_grids), for a list's
    edit links."""
    grids = services.changeable_grids(user)
    return set(grid_ids) if grids is None else set(grid_ids) & grids


def _organisation(request, pk):
    return _in_scope(
        _organisations(request.user).select_related("parent", "grid", "secretary"),
        pk,
        _("没有这个党组织，或不在您的管辖范围内"),
    )


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
            errors = error_messages(error)
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
            # The organisations above the user's (shown for the tree) are not theirs to change.
            "may_edit": services.may_change(request.user, org.grid),
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
    orgs = _organisations(request.user)
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
            "may_edit": services.may_edit(request.user),
        },
    )


@role_required(*PARTY_VIEW_ROLES)
def stars(request):
    """Star ratings of a year and the honour roll (五星级) they feed."""
    year = _year(request) if request.GET.get("year") else None
    ratings = StarRating.objects.filter(organisation__in=_organisations(request.user))
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
            "may_edit": services.may_edit(request.user),
            "changeable": _changeable(request.user, [r.organisation.grid_id for r in rows]),
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
        {
            "filter": filters,
            "page": page,
            "query": request.GET.urlencode(),
            "may_edit": services.may_edit(request.user),
        },
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


# --- the staff's forms (each saves through one party.services do_*) -------------------------


def _form_page(request, form, save, *, title, back, done, template="party/form.html", **extra):
    """A POSTed valid form goes to `save(cleaned)`; a service's ValidationError lands on its
    field (400, nothing saved), PermissionDenied on the form (403)."""
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                target = save(service_data(form))
            except ValidationError as error:
                add_service_errors(form, error)
            except PermissionDenied as error:
                form.add_error(None, str(error))
                status = 403
            else:
                messages.success(request, _("已保存。"))
                return redirect(done(target))
    return render(
        request,
        template,
        {"form": form, "title": title, "back": back, **extra},
        status=status,
    )


@role_required(*PARTY_EDIT_ROLES)
def organisation_form(request, pk=None):
    """New or changed organisation: names, level, parent, sector, grid, head, dates."""
    org = _organisation(request, pk) if pk else None
    if org is not None:
        _require_change(request.user, org.grid)
    initial = OrganisationForm.initial_for(org) if org else {"started_on": timezone.localdate()}
    if org is None and request.GET.get("parent"):
        initial["parent"] = request.GET["parent"]
    form = OrganisationForm(request.user, request.POST or None, initial=initial, organisation=org)
    return _form_page(
        request,
        form,
        lambda data: services.do_keep_organisation(data, request.user, org),
        title=_("编辑党组织：%(name)s") % {"name": org.short_name} if org else _("新建党组织"),
        back=reverse("party:organisation", args=[org.pk]) if org else reverse("party:index"),
        done=lambda o: reverse("party:organisation", args=[o.pk]),
    )


def _member(request, pk):
    return _in_scope(
        services.scope_members(Member.objects.all(), request.user).select_related(
            "organisation__grid", "dual_report_community"
        ),
        pk,
        _("没有这名党员，或不在您的管辖范围内"),
    )


@role_required(*PARTY_EDIT_ROLES)
def member_form(request, pk=None):
    """Register a member, or change one (the phone only shown masked)."""
    member = _member(request, pk) if pk else None
    if member is not None:
        _require_change(request.user, member.organisation.grid)
    initial = MemberForm.initial_for(member) if member else {"organisation": request.GET.get("org")}
    form = MemberForm(request.user, request.POST or None, initial=initial, member=member)

    def save(data):
        if member is not None:
            return services.do_update_member(member, data, request.user)
        org = data.pop("organisation")
        return services.do_register_member(org, data, request.user)

    return _form_page(
        request,
        form,
        save,
        title=_("编辑党员：%(name)s") % {"name": member.name} if member else _("登记党员"),
        back=reverse("party:member", args=[member.pk]) if member else reverse("party:members"),
        done=lambda m: reverse("party:member", args=[m.pk]),
    )


@role_required(*PARTY_VIEW_ROLES)
def member(request, pk):
    """A member: particulars (phone masked), 双报到, posts, and the form to add a post."""
    item = _member(request, pk)
    may_edit = services.may_change(request.user, item.organisation.grid)
    form = AssignmentForm(
        request.user,
        request.POST or None,
        initial={"started_on": timezone.localdate()},
    )
    if request.method == "POST" and not may_edit:
        raise PermissionDenied
    # Current posts first; an ended post (卸任) is listed apart, as a past one.
    assignments = list(
        item.assignments.select_related("grid__parent").order_by("-started_on", "-id")
    )
    return _form_page(
        request,
        form,
        lambda data: services.do_assign(item, data, request.user),
        title=item.name,
        back=reverse("party:members"),
        done=lambda _a: reverse("party:member", args=[item.pk]),
        template="party/member.html",
        member=item,
        phone=services.masked_phone(item),
        assignments=[a for a in assignments if a.ended_on is None],
        past_assignments=[a for a in assignments if a.ended_on is not None],
        may_edit=may_edit,
    )


@role_required(*PARTY_EDIT_ROLES)
def rating_form(request, pk=None):
    """A star rating (星级评定) of one organisation for one year, or its correction."""
    rating = None
    if pk:
        rating = _in_scope(
            StarRating.objects.filter(organisation__in=_organisations(request.user)).select_related(
                "organisation"
            ),
            pk,
            _("没有这项星级评定，或不在您的管辖范围内"),
        )
        _require_change(request.user, rating.organisation.grid)
        initial = RatingForm.initial_for(rating)
    else:
        initial = {
            "organisation": request.GET.get("org"),
            "year": timezone.localdate().year,
            "awarded_on": timezone.localdate(),
        }
    form = RatingForm(request.user, request.POST or None, initial=initial, rating=rating)

    def save(data):
        if rating is not None:
            return services.do_edit_rating(rating, data, request.user)
        return services.do_rate(data.pop("organisation"), data, request.user)

    return _form_page(
        request,
        form,
        save,
        title=_("修改星级评定：%(org)s %(year)d 年度")
        % {"org": rating.organisation.short_name, "year": rating.year}
        if rating
        else _("登记星级评定"),
        back=f"{reverse('party:stars')}?year={rating.year}" if rating else reverse("party:stars"),
        done=lambda r: f"{reverse('party:stars')}?year={r.year}",
    )


@role_required(*PARTY_EDIT_ROLES)
def assignment_end(request, pk):
    """End a member's post (卸任): the last day and the reason; it then shows as a past post."""
    post = _in_scope(
        Assignment.objects.filter(
            member__in=services.scope_members(Member.objects.all(), request.user)
        ).select_related("member", "grid"),
        pk,
        _("没有这个岗位，或不在您的管辖范围内"),
    )
    form = EndAssignmentForm(request.POST or None, initial={"ended_on": timezone.localdate()})
    return _form_page(
        request,
        form,
        lambda data: services.do_end_assignment(post, data, request.user),
        title=_("结束岗位：%(member)s · %(kind)s")
        % {"member": post.member.name, "kind": post.get_kind_display()},
        back=reverse("party:member", args=[post.member_id]),
        done=lambda a: reverse("party:member", args=[a.member_id]),
    )


@role_required(*PARTY_EDIT_ROLES)
def life_form(request):
    """Record organisational life (三会一课, 主题党日): date, attendance, main or remote venue."""
    initial = {
        "organisation": request.GET.get("org"),
        "held_on": timezone.localdate(),
        "venue": Venue.MAIN,
    }
    form = LifeForm(request.user, request.POST or None, initial=initial)

    def save(data):
        return services.do_record_life(data.pop("organisation"), data, request.user)

    return _form_page(
        request,
        form,
        save,
        title=_("登记组织生活"),
        back=reverse("party:life"),
        done=lambda m: reverse("party:organisation", args=[m.organisation_id]),
    )


@require_GET
@role_required(*PARTY_EDIT_ROLES)
def life_sessions(request):
    """The options of 主会场 for the date chosen on the life form (htmx swaps them in)."""
    field = LifeForm(request.user, {"held_on": request.GET.get("held_on", "")})["main_session"]
    return render(request, "party/_options.html", {"field": field})


@role_required(*PARTY_VIEW_ROLES)
def points(request):
    """党群服务阵地 of the "1+6+62+X" circle, open and closed, for the staff."""
    rows = ServicePoint.objects.select_related("organisation").order_by("tier", "name", "id")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "party/points.html",
        {
            "page": page,
            "may_edit": services.may_edit(request.user),
            "changeable": _changeable(request.user, [p.grid_id for p in page.object_list]),
        },
    )


@role_required(*PARTY_EDIT_ROLES)
def point_form(request, pk=None):
    """A service point: address, hours, services and its place picked on the map."""
    point = get_object_or_404(ServicePoint, pk=pk) if pk else None
    if point is not None:
        _require_change(request.user, point.grid)
    initial = ServicePointForm.initial_for(point) if point else {"is_active": True}
    form = ServicePointForm(request.user, request.POST or None, initial=initial)
    return _form_page(
        request,
        form,
        lambda data: services.do_save_service_point(data, request.user, point),
        title=_("编辑服务阵地：%(name)s") % {"name": point.name} if point else _("新建服务阵地"),
        back=reverse("party:points"),
        done=lambda _p: reverse("party:points"),
        map_picker=True,
    )


@role_required(*PARTY_VIEW_ROLES)
def co_buildings(request):
    """党建联建协议 of the user's organisations."""
    rows = (
        CoBuilding.objects.filter(organisation__in=_organisations(request.user))
        .select_related("organisation")
        .order_by("-signed_on", "-id")
    )
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "party/co_buildings.html",
        {
            "page": page,
            "may_edit": services.may_edit(request.user),
            "changeable": _changeable(
                request.user, [c.organisation.grid_id for c in page.object_list]
            ),
        },
    )


@role_required(*PARTY_EDIT_ROLES)
def co_building_form(request, pk=None):
    """A co-building agreement: lead organisation, partners, date, working group, projects."""
    agreement = None
    if pk:
        agreement = _in_scope(
            CoBuilding.objects.filter(organisation__in=_organisations(request.user)).select_related(
                "organisation"
            ),
            pk,
            _("没有这份协议，或不在您的管辖范围内"),
        )
    if agreement is not None:
        _require_change(request.user, agreement.organisation.grid)
    initial = (
        CoBuildingForm.initial_for(agreement)
        if agreement
        else {"organisation": request.GET.get("org"), "signed_on": timezone.localdate()}
    )
    form = CoBuildingForm(request.user, request.POST or None, initial=initial, agreement=agreement)

    def save(data):
        if agreement is not None:
            return services.do_update_co_building(agreement, data, request.user)
        return services.do_sign_co_building(data.pop("organisation"), data, request.user)

    return _form_page(
        request,
        form,
        save,
        title=_("编辑联建协议：%(title)s") % {"title": agreement.title}
        if agreement
        else _("签订党建联建协议"),
        back=reverse("party:co_buildings"),
        done=lambda _a: reverse("party:co_buildings"),
    )
