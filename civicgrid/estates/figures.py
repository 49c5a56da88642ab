"""What the estates look like for a scope: the list page's rows and the dashboard's tile.

Read-only and scoped: `rows(estates, today)` annotates a queryset (already narrowed by
`services.scoped_estates`) with what the list shows, in a fixed number of queries;
`tile(micro_ids, today)` counts estates by class, 红色业委会 and committees whose term ends
within COMMITTEE_TERM_WARNING_DAYS days, for the 居村 of the given micro-grids (None: all).
"""

import datetime

from django.db.models import Count, OuterRef, Prefetch, Q, Subquery

from civicgrid.estates.choices import EstateClass
from civicgrid.estates.models import Estate, OwnersCommittee
from civicgrid.grids.models import Grid

# A committee whose term ends within this many days needs its election prepared.
COMMITTEE_TERM_WARNING_DAYS = 90


def current_committees(today):
    """Committees in office on `today` (term_start ≤ today ≤ term_end)."""
    return OwnersCommittee.objects.filter(term_start__lte=today, term_end__gte=today)


def with_figures(estates, today):
    """The estates with `households` (on their addresses) and `committee` (the one in office,
    prefetched as `current`), plus community, property company: three queries in all."""
    households = (
        Estate.objects.filter(pk=OuterRef("pk"))
        .annotate(n=Count("addresses__households"))
        .values("n")
    )
    return (
        estates.select_related("community", "community__parent", "property_company")
        .annotate(households=Subquery(households))
        .prefetch_related(
            Prefetch(
                "committees",
                queryset=current_committees(today).order_by("-term_start"),
                to_attr="current",
            )
        )
        .order_by("community__code", "name")
    )


def in_micro_grids(micro_ids):
    """The estates of the 居村 holding the micro-grids `micro_ids` (None: every estate)."""
    estates = Estate.objects.all()
    if micro_ids is not None:
        estates = estates.filter(
            community__in=Grid.objects.filter(pk__in=micro_ids).values("parent")
        )
    return estates


def tile(micro_ids, today) -> dict:
    """The dashboard's estates tile: estates by class, heritage, 红色业委会 in office, and
    committees in office whose term ends within COMMITTEE_TERM_WARNING_DAYS days (the soonest
    first). Two queries."""
    estates = in_micro_grids(micro_ids)
    counts = estates.aggregate(
        total=Count("pk"),
        heritage=Count("pk", filter=Q(is_heritage=True)),
        **{key: Count("pk", filter=Q(estate_class=key)) for key in EstateClass.values},
    )
    soon = today + datetime.timedelta(days=COMMITTEE_TERM_WARNING_DAYS)
    committees = list(
        current_committees(today)
        .filter(estate__in=estates.values("pk"))
        .values_list("estate_id", "is_red", "term_end", "estate__name", "estate__community__name")
        .order_by("term_end", "estate__name")
    )
    return {
        "total": counts["total"],
        "heritage": counts["heritage"],
        "classes": [
            {"key": key, "name": str(label), "n": counts[key]} for key, label in EstateClass.choices
        ],
        "red_committees": len({pk for pk, red, *_ in committees if red}),
        "warning_days": COMMITTEE_TERM_WARNING_DAYS,
        "ending": [
            {
                "estate_id": pk,
                "estate": name,
                "community": community,
                "term_end": end.isoformat(),
                "days": (end - today).days,
            }
            for pk, _red, end, name, community in committees
            if end <= soon
        ],
    }
