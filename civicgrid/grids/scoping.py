"""Which grids, and so which data, a user may see.

One place decides it for every page and endpoint:
- admin, the 城运中心 (受理/派遣员, 值班长, 带班领导), leader: the whole street;
- 居委 staff: every micro-grid of their community;
- 片区负责人 (area head): every micro-grid of their 片区;
- grid leader / grid worker: the micro-grids of their active grid posts;
- department handler and resident: no registry data at all (they see cases, scoped elsewhere).
"""

from django.db.models import Q, QuerySet
from django.utils import timezone

from civicgrid.accounts.choices import Role
from civicgrid.accounts.policy import GRID_STAFF_ROLES
from civicgrid.grids.choices import GridLevel


def visible_micro_grids(user) -> QuerySet | None:
    """Micro-grids the user may see, or None when the user sees the whole street."""
    from civicgrid.grids.models import Grid

    if not user or not user.is_authenticated:
        return Grid.objects.none()
    role = user.effective_role
    if user.sees_whole_street:
        return None
    micro = Grid.objects.filter(level=GridLevel.MICRO_GRID)
    if role == Role.COMMUNITY_STAFF:
        if user.community_id is None:
            return Grid.objects.none()
        return micro.filter(path__startswith=user.community.path)
    if role == Role.AREA_HEAD:
        if user.area_id is None:
            return Grid.objects.none()
        return micro.filter(path__startswith=user.area.path)
    if role in GRID_STAFF_ROLES:
        today = timezone.localdate()
        # One filter() call: every condition must hold for the SAME post. Chained filter()s on
        # a multi-valued relation join posts twice, and an ended post of this user plus anyone
        # else's open post in that micro-grid would grant access.
        return micro.filter(
            Q(posts__end_date__isnull=True) | Q(posts__end_date__gte=today),
            posts__staff__user=user,
            posts__start_date__lte=today,
        ).distinct()
    return Grid.objects.none()


def scope_by_micro_grid(queryset: QuerySet, user, field: str = "micro_grid") -> QuerySet:
    """Filter any queryset whose rows hang off a micro-grid through `field`."""
    grids = visible_micro_grids(user)
    if grids is None:
        return queryset
    return queryset.filter(**{f"{field}__in": grids.values("pk")})


def visible_grids(user) -> QuerySet:
    """Grid nodes of any level the user may see: their micro-grids, the ancestors, the children."""
    from civicgrid.grids.models import Grid

    micro = visible_micro_grids(user)
    if micro is None:
        return Grid.objects.all()
    paths = list(micro.values_list("path", flat=True))
    if not paths:
        return Grid.objects.none()
    ancestor_codes = {code for p in paths for code in p.strip("/").split("/")}
    condition = Q(code__in=ancestor_codes)
    for p in paths:
        condition |= Q(path__startswith=p)
    return Grid.objects.filter(condition)
