"""Template context shared by every page of the web front."""

import re

from django.conf import settings
from django.utils.functional import SimpleLazyObject

from civicgrid.accounts.adminsite import may_use_admin
from civicgrid.accounts.choices import Role
from civicgrid.accounts.policy import NOTIFICATION_ROLES
from civicgrid.messaging.inbox import badge_count
from civicgrid.web.navigation import menu_for

CHINESE = re.compile(r"[\u4e00-\u9fff]")


def display_name(user) -> str:
    """How the header names the user: their full name (accounts.models.User.get_full_name: 王秀英
    for a Chinese name), the username when it is empty."""
    return user.get_full_name() or user.username


def front(request):
    user = getattr(request, "user", None)
    if user is None:
        return {}
    signed_in = user.is_authenticated
    return {
        "nav_items": menu_for(user, request.path),
        "nav_user_name": display_name(user) if signed_in else "",
        "nav_role_label": Role(user.effective_role).label if signed_in else "",
        # The admin link only for those the admin lets in (not leaders, phone roles, departments).
        "nav_back_office": may_use_admin(user),
        # The notification centre's badge: read (the shared cache, else one query) only when a
        # page shows it.
        "nav_notifications": signed_in and user.effective_role in NOTIFICATION_ROLES,
        "nav_unread": SimpleLazyObject(lambda: badge_count(user)),
        "map_tile_url": settings.CIVICGRID_MAP_TILE_URL,
        "map_tile_attribution": settings.CIVICGRID_MAP_TILE_ATTRIBUTION,
    }
