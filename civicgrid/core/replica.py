"""Reads on a replica of the database, never a read that must see a write.

With DATABASE_REPLICA_URL set (settings.CIVICGRID_READ_REPLICA), the `replica` alias is a
streaming replica of the primary (PostgreSQL hot standby) and this router sends it the reads of
requests that only look: GET/HEAD of the pages under CIVICGRID_REPLICA_PATHS (the dashboard) and
of the API's lists (a DRF viewset's `list`). Everything else reads and writes the primary.

A replica lags the primary by a little, so a read goes to the primary whenever it might have to
see a write (read-your-writes):
- requests that are not GET/HEAD/OPTIONS, and reads outside a request (commands, the task worker);
- the rest of a request once it has written (`db_for_write` pins it), and reads inside a
  transaction on the primary (the checks a `do_*` service makes before it writes);
- the next CIVICGRID_REPLICA_PIN_SECONDS of the same browser after a request that wrote or was not
  safe: `ReplicaMiddleware` sets a short cookie (PIN_COOKIE), and while it is there the browser's
  requests read the primary. An API client gets the same by keeping cookies;
- who is signed in and the shared counters (PRIMARY_ONLY_APPS: sessions, accounts and their API
  tokens, the cache table of rate limits and login throttles, the task queue): a token issued
  a moment ago must work at once, and a count must not be read stale.

The state of the request lives in a context variable, so threads and async tasks each have their
own. Without DATABASE_REPLICA_URL the router and the middleware do nothing: the `replica` alias
is then the primary itself (so that tests can switch the routing on against it, as Django's
TEST MIRROR), and nothing ever reads from it.
"""

import contextvars
from dataclasses import dataclass

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connections
from django.dispatch import receiver

PRIMARY = "default"
REPLICA = "replica"
PIN_COOKIE = "civicgrid_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
PRIMARY_ONLY_APPS = frozenset(
    {"sessions", "accounts", "auth", "django_cache", "django_tasks_database", "axes"}
)


@dataclass
class _Route:
    replica_ok: bool = False
    wrote: bool = False


_route: contextvars.ContextVar[_Route | None] = contextvars.ContextVar(
    "civicgrid_db_route", default=None
)


# The setting as last read. Django asks the router on every foreign key set on a new instance
# (a bulk load asks it hundreds of thousands of times), and reading a setting through the lazy
# settings object cost more than the rest of the router; a change (override_settings in tests)
# sends setting_changed, which forgets it.
_enabled: bool | None = None


def enabled() -> bool:
    global _enabled
    if _enabled is None:
        _enabled = bool(getattr(settings, "CIVICGRID_READ_REPLICA", False))
    return _enabled


@receiver(setting_changed)
def _forget_enabled(setting, **kwargs):
    global _enabled
    if setting == "CIVICGRID_READ_REPLICA":
        _enabled = None


class ReplicaRouter:
    """DATABASE_ROUTERS: the replica for the reads the module docstring allows, else the
    primary. Returns the primary explicitly (not None): Django would otherwise follow an object
    read from the replica back to it for its related rows."""

    def db_for_read(self, model, **hints):
        if not enabled():
            return None
        route = _route.get()
        if (
            route is None
            or not route.replica_ok
            or route.wrote
            or model._meta.app_label in PRIMARY_ONLY_APPS
            or connections[PRIMARY].in_atomic_block
        ):
            return PRIMARY
        return REPLICA

    def db_for_write(self, model, **hints):
        if not enabled():
            return None
        route = _route.get()
        if route is not None:
            route.wrote = True
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        # The replica holds the primary's rows: an object read there may point at one read here.
        if {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}:
            return True
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        # The replica copies the primary's schema; migrations run on the primary only.
        return False if db == REPLICA else None


def _replica_view(request, view_func) -> bool:
    if any(request.path_info.startswith(p) for p in settings.CIVICGRID_REPLICA_PATHS):
        return True
    # DRF's router marks the views it makes with their actions: {"get": "list", "post": …}.
    actions = getattr(view_func, "actions", None) or {}
    return actions.get(request.method.lower()) == "list" or (
        request.method == "HEAD" and actions.get("get") == "list"
    )


class ReplicaMiddleware:
    """Decides per request whether its reads may go to the replica (the module docstring), and
    pins the browser to the primary for a moment after it wrote."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled():
            return self.get_response(request)
        route = _Route()
        token = _route.set(route)
        try:
            response = self.get_response(request)
        finally:
            _route.reset(token)
        if route.wrote or request.method not in SAFE_METHODS:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.CIVICGRID_REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        route = _route.get()
        if route is not None and not route.wrote:
            route.replica_ok = (
                request.method in SAFE_METHODS
                and PIN_COOKIE not in request.COOKIES
                and _replica_view(request, view_func)
            )
        return None
