"""Possible duplicates of a case: open cases of the same kind, at the same place, close in time.

When a case comes in, the operator is offered the open cases reported within
settings.CIVICGRID_DUPLICATE_WINDOW_HOURS hours (default 72) of it, of the same category — or of
any category of the same `Category.group` (归并组: 跨门营业 ~ 店外经营 count as one) — that are

- **nearby**: within settings.CIVICGRID_DUPLICATE_RADIUS_M metres (default 100), or
- **at the same place**, whatever the distance: the same standard address (the case's address
  written in the registry's normal form, `registry.addresses`), or the same building group (楼组)
  — the building group of that standard address in the registry, else the building group holding
  the case's point, else the nearest building group of its micro-grid. Two identical reports from
  one estate 120 m apart are one problem.

Nearest first (cases matched only by place, without a point, last); merging one is
services.do_merge. A bounding box on lon/lat narrows the nearby query, the exact great-circle
distance decides.
"""

import datetime
import math
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

from civicgrid.cases.choices import OPEN_STATUSES
from civicgrid.cases.models import Case, Category

EARTH_RADIUS_M = 6_371_008.8

NEARBY, SAME_ADDRESS, SAME_BUILDING_GROUP = "nearby", "address", "building_group"


class Duplicate(NamedTuple):
    case: Case
    distance: float | None  # metres; None when one of the two has no point
    match: str  # NEARBY, SAME_ADDRESS or SAME_BUILDING_GROUP


class Place(NamedTuple):
    address: str  # the standard address (registry normal form), "" if none
    building_group_id: int | None


def distance_m(lon1, lat1, lon2, lat2) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def category_group_field() -> str | None:
    """The attribute of Category naming its 归并组 (None while the field does not exist)."""
    try:
        return Category._meta.get_field("group").attname
    except FieldDoesNotExist:
        return None


def alike_categories(category: Category) -> Q:
    """The categories treated as one with `category`: its 归并组, or itself alone."""
    field = category_group_field()
    value = getattr(category, field, None) if field else None
    if value in (None, ""):
        return Q(category_id=category.pk)
    return Q(**{f"category__{field}": value})


def standard_address(text: str) -> str:
    """The case's address in the registry's normal form; "" when it is not a full address."""
    from civicgrid.registry.addresses import AddressParseError, parse_address

    if not (text or "").strip():
        return ""
    try:
        return parse_address(text).normalized
    except AddressParseError:
        return ""


def places(cases) -> dict[int, Place]:
    """{case pk: Place} for the cases, in three queries at most."""
    from civicgrid.grids.choices import GridLevel
    from civicgrid.grids.locator import locate_point
    from civicgrid.grids.models import Grid
    from civicgrid.registry.models import Address

    addresses = {c.pk: standard_address(c.address) for c in cases}
    known = dict(
        Address.objects.filter(
            normalized__in={a for a in addresses.values() if a}, building_group__isnull=False
        ).values_list("normalized", "building_group_id")
    )
    groups = {}
    nearest_wanted = set()
    for c in cases:
        group = known.get(addresses[c.pk])
        if group is None and c.lon is not None and c.lat is not None:
            found = locate_point(c.lon, c.lat)
            if found is not None and found.building_group is not None:
                group = found.building_group.id
            elif c.micro_grid_id is not None:
                nearest_wanted.add(c.micro_grid_id)
        groups[c.pk] = group
    centroids = {}
    if nearest_wanted:
        for pk, parent, lon, lat in Grid.objects.filter(
            level=GridLevel.BUILDING_GROUP,
            parent_id__in=nearest_wanted,
            centroid_lon__isnull=False,
            centroid_lat__isnull=False,
        ).values_list("pk", "parent_id", "centroid_lon", "centroid_lat"):
            centroids.setdefault(parent, []).append((pk, lon, lat))
    for c in cases:
        if groups[c.pk] is None and c.micro_grid_id in centroids and c.lon is not None:
            groups[c.pk] = min(
                centroids[c.micro_grid_id],
                key=lambda g, c=c: (distance_m(c.lon, c.lat, g[1], g[2]), g[0]),
            )[0]
    return {c.pk: Place(addresses[c.pk], groups[c.pk]) for c in cases}


def possible_duplicates(case: Case, queryset=None, *, radius_m=None, window_hours=None):
    """[Duplicate(case, distance, match)], nearest first; empty when the case has neither a
    point nor a place (standard address or building group)."""
    radius = float(radius_m or getattr(settings, "CIVICGRID_DUPLICATE_RADIUS_M", 100))
    hours = float(window_hours or getattr(settings, "CIVICGRID_DUPLICATE_WINDOW_HOURS", 72))
    window = datetime.timedelta(hours=hours)
    has_point = case.lon is not None and case.lat is not None
    here = places([case])[case.pk]
    if not has_point and not here.address and here.building_group_id is None:
        return []
    where = Q()
    if has_point:
        dlat = math.degrees(radius / EARTH_RADIUS_M)
        dlon = dlat / max(math.cos(math.radians(case.lat)), 1e-6)
        where |= Q(
            lon__range=(case.lon - dlon, case.lon + dlon),
            lat__range=(case.lat - dlat, case.lat + dlat),
        )
    # Same place: a building group lies in one micro-grid; a standard address names its road.
    if here.building_group_id is not None:
        from civicgrid.grids.models import Grid

        where |= Q(
            micro_grid_id__in=Grid.objects.filter(pk=here.building_group_id).values("parent")
        )
    if here.address:
        from civicgrid.registry.addresses import parse_address

        where |= Q(address__contains=parse_address(case.address).road)
    candidates = list(
        (queryset if queryset is not None else Case.objects.all())
        .filter(
            alike_categories(case.category),
            where,
            status__in=OPEN_STATUSES,
            reported_at__gte=case.reported_at - window,
            reported_at__lte=case.reported_at + window,
        )
        .exclude(pk=case.pk)
        .select_related("category", "micro_grid", "assigned_department")
    )
    there = places(candidates)
    found = []
    for other in candidates:
        d = None
        if has_point and other.lon is not None and other.lat is not None:
            d = distance_m(case.lon, case.lat, other.lon, other.lat)
        place = there[other.pk]
        if d is not None and d <= radius:
            found.append(Duplicate(other, d, NEARBY))
        elif here.address and place.address == here.address:
            found.append(Duplicate(other, d, SAME_ADDRESS))
        elif here.building_group_id is not None and place.building_group_id == (
            here.building_group_id
        ):
            found.append(Duplicate(other, d, SAME_BUILDING_GROUP))
    found.sort(key=lambda f: (f.distance is None, f.distance or 0, f.case.reported_at))
    return found
