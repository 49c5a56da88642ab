"""Template context shared by every page of the web front."""

from django.conf import settings

from civicgrid.accounts.choices import BACK_OFFICE_ROLES, Role
from civicgrid.web.navigation import menu_for


def front(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    signed_in = user.is_authenticated
    return {
        "nav_items": menu_for(user, request.path),
        "nav_role_label": Role(user.effective_role).label if signed_in else "",
        "nav_back_office": signed_in and user.is_staff and user.effective_role in BACK_OFFICE_ROLES,
        "map_tile_url": settings.CIVICGRID_MAP_TILE_URL,
        "map_tile_attribution": settings.CIVICGRID_MAP_TILE_ATTRIBUTION,
    }
