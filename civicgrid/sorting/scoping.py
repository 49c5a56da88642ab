"""Which garbage-sorting rows a user sees: the same answer as grids.scoping on every surface.

Points hang off a micro-grid (grids.scoping.scope_by_micro_grid). Estate- and unit-level rows
(weighings, inspections, pledges, rosters …) carry their 居村: a user sees those of the 居村 of
the micro-grids they may see (a grid worker sees their 居村's estates, as an estate spans
micro-grids)."""

from django.db.models import QuerySet

from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import visible_micro_grids


def visible_communities(user) -> QuerySet | None:
    """The 居村 a user sees (None: the whole street)."""
    micro = visible_micro_grids(user)
    if micro is None:
        return None
    return Grid.objects.filter(pk__in=micro.values("parent_id"))


def scope_by_community(queryset: QuerySet, user, field: str = "community") -> QuerySet:
    communities = visible_communities(user)
    if communities is None:
        return queryset
    return queryset.filter(**{f"{field}__in": communities.values("pk")})


def may_see_community(user, community_id) -> bool:
    communities = visible_communities(user)
    return communities is None or communities.filter(pk=community_id).exists()
