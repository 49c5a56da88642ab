"""Possible duplicates of a case: open cases of the same category nearby and close in time.

When a case comes in, the operator is offered the open cases of the same category within
settings.CIVICGRID_DUPLICATE_RADIUS_M metres (default 100) reported within
settings.CIVICGRID_DUPLICATE_WINDOW_HOURS hours (default 72) of it, nearest first; merging one
is services.do_merge. A bounding box on lon/lat narrows the query, the exact great-circle
distance decides.
"""

import datetime
import math

from django.conf import settings

from civicgrid.cases.choices import OPEN_STATUSES
from civicgrid.cases.models import Case

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lon1, lat1, lon2, lat2) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def possible_duplicates(case: Case, queryset=None, *, radius_m=None, window_hours=None):
    """[(case, distance in metres)] nearest first; empty when the case has no location."""
    if case.lon is None or case.lat is None:
        return []
    radius = float(radius_m or getattr(settings, "CIVICGRID_DUPLICATE_RADIUS_M", 100))
    hours = float(window_hours or getattr(settings, "CIVICGRID_DUPLICATE_WINDOW_HOURS", 72))
    window = datetime.timedelta(hours=hours)
    dlat = math.degrees(radius / EARTH_RADIUS_M)
    dlon = dlat / max(math.cos(math.radians(case.lat)), 1e-6)
    candidates = (
        (queryset if queryset is not None else Case.objects.all())
        .filter(
            category_id=case.category_id,
            status__in=OPEN_STATUSES,
            reported_at__gte=case.reported_at - window,
            reported_at__lte=case.reported_at + window,
            lon__range=(case.lon - dlon, case.lon + dlon),
            lat__range=(case.lat - dlat, case.lat + dlat),
        )
        .exclude(pk=case.pk)
        .select_related("category", "micro_grid", "assigned_department")
    )
    found = []
    for other in candidates:
        d = distance_m(case.lon, case.lat, other.lon, other.lat)
        if d <= radius:
            found.append((other, d))
    found.sort(key=lambda pair: (pair[1], pair[0].reported_at))
    return found
