"""Which time-bank rows a user sees: the same answer as grids.scoping on every surface.

Every row carries its 居村 (`community`). Staff see the rows of the 居村 of the micro-grids they
may see; street-wide roles see all. A resident (a volunteer or an elder's family, signed in with
a resident account) sees none of these lists: their phone pages go through their own volunteer
record and the requests they made (timebank.services)."""

from django.db.models import QuerySet

from civicgrid.accounts.choices import Role
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import visible_micro_grids


def visible_communities(user) -> QuerySet | None:
    """The 居村 a user sees (None: the whole street; none at all for a resident)."""
    if user is None:
        return None
    if user.effective_role == Role.RESIDENT:
        return Grid.objects.none()
    micro = visible_micro_grids(user)
    if micro is None:
        return None
    return Grid.objects.filter(pk__in=micro.values("parent_id"))


def scope_rows(queryset: QuerySet, user, field: str = "community") -> QuerySet:
    communities = visible_communities(user)
    if communities is None:
        return queryset
    return queryset.filter(**{f"{field}__in": communities.values("pk")})


def may_see_community(user, community_id) -> bool:
    communities = visible_communities(user)
    return communities is None or communities.filter(pk=community_id).exists()
