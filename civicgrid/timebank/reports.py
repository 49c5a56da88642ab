"""The time bank's figures (爱心银行): active volunteers, projects, partners, verified hours by
project, by month and by 居村, hours owed (coins held by people and the pool: the bank's promise)
and the honour roll (top volunteers). Each figure is a database aggregate over the rows a
scope sees, in a fixed number of queries; the dashboard tile is a short form of the same."""

import datetime

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from civicgrid.grids.models import Grid
from civicgrid.timebank.choices import AccountKind, RecordState, RequestState
from civicgrid.timebank.models import (
    Account,
    HelpRequest,
    Partner,
    Project,
    ServiceRecord,
    Volunteer,
)

ACTIVE_DAYS = 365
TOP = 10


def _bounds(first, last):
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time()))
    end = timezone.make_aware(
        datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time())
    )
    return start, end


def _scoped(qs, communities, field="community"):
    return qs if communities is None else qs.filter(**{f"{field}__in": communities})


def report(communities, first, last) -> dict:
    """Figures for the 居村 `communities` (a queryset, None: the street) and the days first..last."""
    start, end = _bounds(first, last)
    verified = _scoped(
        ServiceRecord.objects.filter(state=RecordState.VERIFIED), communities
    ).filter(started_at__gte=start, started_at__lt=end)
    by_project = list(
        verified.values("project__name", "project__kind")
        .annotate(minutes=Sum("credited_minutes"), records=Count("pk"))
        .order_by("-minutes", "project__name")
    )
    by_month = list(
        verified.annotate(month=TruncMonth("started_at"))
        .values("month")
        .annotate(minutes=Sum("credited_minutes"), records=Count("pk"))
        .order_by("month")
    )
    by_community = list(
        verified.values("community__name")
        .annotate(minutes=Sum("credited_minutes"), records=Count("pk"))
        .order_by("community__name")
    )
    top = list(
        verified.values("volunteer_id", "volunteer__name", "volunteer__community__name")
        .annotate(minutes=Sum("credited_minutes"), records=Count("pk"))
        .order_by("-minutes", "volunteer__name")[:TOP]
    )
    active_since = timezone.now() - datetime.timedelta(days=ACTIVE_DAYS)
    volunteers = _scoped(Volunteer.objects.filter(is_active=True), communities).aggregate(
        registered=Count("pk", distinct=True),
        double_report=Count("pk", filter=Q(double_report=True), distinct=True),
        active=Count(
            "pk",
            filter=Q(records__state=RecordState.VERIFIED, records__started_at__gte=active_since),
            distinct=True,
        ),
    )
    owed = _scoped(
        Account.objects.filter(kind__in=[AccountKind.PERSON, AccountKind.POOL]),
        communities,
    ).aggregate(minutes=Sum("balance"), holders=Count("pk", filter=Q(balance__gt=0)))
    projects = _scoped(Project.objects.filter(is_active=True), communities).count()
    partners = (
        Partner.objects.filter(is_active=True).count()
        if communities is None
        else Partner.objects.filter(
            Q(community__in=communities) | Q(projects__community__in=communities), is_active=True
        )
        .distinct()
        .count()
    )
    open_requests = _scoped(
        HelpRequest.objects.filter(state__in=[RequestState.OPEN, RequestState.MATCHED]), communities
    ).count()
    total = sum(row["minutes"] or 0 for row in by_project)
    return {
        "first": first,
        "last": last,
        "volunteers": volunteers,
        "projects": projects,
        "partners": partners,
        "open_requests": open_requests,
        "hours": total / 60,
        "records": sum(row["records"] for row in by_project),
        "owed_hours": (owed["minutes"] or 0) / 60,
        "holders": owed["holders"],
        "by_project": [{**r, "hours": (r["minutes"] or 0) / 60} for r in by_project],
        "by_month": [{**r, "hours": (r["minutes"] or 0) / 60} for r in by_month],
        "by_community": [{**r, "hours": (r["minutes"] or 0) / 60} for r in by_community],
        "top": [{**r, "hours": (r["minutes"] or 0) / 60} for r in top],
    }


def dashboard_tile(micro_ids, first, last, now) -> dict:
    """The dashboard's tile (dashboard.tiles hook): volunteers, hours served in the page's
    period, hours owed and open requests, for the 居村 of the micro-grids `micro_ids`; three
    queries."""
    communities = None
    if micro_ids is not None:
        communities = Grid.objects.filter(pk__in=micro_ids).values("parent_id")
    start, end = _bounds(first, last)
    volunteers = _scoped(Volunteer.objects.filter(is_active=True), communities).aggregate(
        n=Count("pk", distinct=True),
        hours=Sum(
            "records__credited_minutes",
            filter=Q(
                records__state=RecordState.VERIFIED,
                records__started_at__gte=start,
                records__started_at__lt=end,
            ),
        ),
    )
    owed = _scoped(
        Account.objects.filter(kind__in=[AccountKind.PERSON, AccountKind.POOL]), communities
    ).aggregate(m=Sum("balance"))["m"]
    requests = _scoped(
        HelpRequest.objects.filter(state__in=[RequestState.OPEN, RequestState.MATCHED]), communities
    ).count()
    return {
        "volunteers": volunteers["n"],
        "hours": (volunteers["hours"] or 0) / 60,
        "owed_hours": (owed or 0) / 60,
        "open_requests": requests,
        "has_data": bool(volunteers["n"]),
    }
