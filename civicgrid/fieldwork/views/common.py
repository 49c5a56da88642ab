"""What the phone pages share: the role gate, the grid outlines for the map, my grids."""

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import FIELDWORK_ROLES
from civicgrid.fieldwork import services
from civicgrid.grids.models import Grid
from civicgrid.grids.services import (
    annotate_staffing,
    staffing_label,
    staffing_title,
)

field_staff = role_required(*FIELDWORK_ROLES)
LIST_LIMIT = 30


def grid_shapes(grids, highlight=None) -> dict:
    """A FeatureCollection of micro-grid outlines for web/map.js."""
    if hasattr(grids, "select_related"):
        grids = grids.select_related("parent")
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": g.geometry,
                "properties": {
                    # A micro-grid named with its 居村: "第1网格" repeats in every 居村.
                    "name": g.display_name,
                    "code": g.code,
                    **({"color": "#f3c9a8"} if highlight and g.pk == highlight else {}),
                },
            }
            for g in grids
            if g.geometry
        ],
    }


def my_grids(user):
    """The user's micro-grids with their "1+2+N" counts, read in one query.

    Staffing is annotated on a fresh queryset: the scoping filter joins the user's own posts,
    and counting through that join would count only those."""
    grids = annotate_staffing(
        Grid.objects.filter(pk__in=services.my_micro_grids(user).values("pk"))
    ).order_by("code")
    rows = list(grids)
    for g in rows:
        counts = (g.staff_leader, g.staff_full_time, g.staff_part_time, g.staff_pioneer)
        g.staffing = staffing_label(*counts)
        g.staffing_title = staffing_title(*counts)
    return rows
