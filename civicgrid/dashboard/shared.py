"""The dashboard's figures computed at most once per interval and shared by every node.

A leaders' page, the big screen and their data.json read the same figures for a scope and
period many times a minute; the figures move with the rollups, which a leader reads as a
picture of the last minute, not of the last millisecond. So each bundle of figures (one page
kind × scope × period × language) is kept in the shared cache (Redis in the cluster) for
settings.CIVICGRID_DASHBOARD_CACHE_SECONDS (0: computed on every request) with the moment it
was computed, which the pages show (数据更新于 HH:MM:SS).

Who computes: the first request that finds the figures missing or older than the interval takes
a short lock in the cache (`cache.add`, atomic on Redis and the database cache alike) and
computes; meanwhile the others read the previous figures when there are any, and otherwise wait
at most as long as the last computation of that bundle took, then compute themselves — so a
request never waits for another's computation longer than computing itself would have taken.
The periodic job `dashboard_warm` recomputes the street-wide default view every half interval
on one node, so no leader's request pays for it.
"""

import hashlib
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from civicgrid.dashboard import figures as dashboard_figures
from civicgrid.dashboard import tiles
from civicgrid.estates import figures as estate_figures

PREFIX = "dashboard:figures:v1:"
# A holder that dies mid-computation frees the lock after this long at most.
LOCK_SECONDS = 120
POLL_SECONDS = 0.05
# How long the figures and the last computation's cost stay readable after their interval: the
# stale figures are what readers get while one request recomputes them.
KEEP_SECONDS = 600
KINDS = ("all", "screen", "extras")


def interval() -> int:
    return max(0, int(getattr(settings, "CIVICGRID_DASHBOARD_CACHE_SECONDS", 0)))


def key(kind: str, scope, first, last) -> str:
    """The cache key: the page kind, the scope exactly (node and every micro-grid), the period
    and the language (the figures carry translated names)."""
    micro = "all" if scope.micro_ids is None else ",".join(map(str, sorted(scope.micro_ids)))
    node = scope.node.pk if scope.node is not None else "-"
    text = f"{kind}|{node}|{micro}|{first.isoformat()}|{last.isoformat()}|"
    text += translation.get_language() or settings.LANGUAGE_CODE
    return PREFIX + hashlib.sha256(text.encode()).hexdigest()


def figures(kind: str, scope, first, last, compute, *, force: bool = False):
    """(value, computed_at): `compute(now)`'s result for this bundle, at most one interval old.

    `force` recomputes whatever the cache holds (the warming job)."""
    seconds = interval()
    if seconds == 0:
        now = timezone.now()
        return compute(now), now
    name = key(kind, scope, first, last)
    entry = None if force else cache.get(name)
    if entry is not None and time.time() - entry["at"] < seconds:
        return entry["value"], entry["computed_at"]
    lock = name + ":lock"
    if force or cache.add(lock, 1, LOCK_SECONDS):
        try:
            return _compute(name, compute)
        finally:
            cache.delete(lock)
    if entry is not None:
        # Someone is recomputing: the previous figures, a little older, rather than a wait.
        return entry["value"], entry["computed_at"]
    deadline = time.monotonic() + (cache.get(name + ":cost") or 0)
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        entry = cache.get(name)
        if entry is not None:
            return entry["value"], entry["computed_at"]
    return _compute(name, compute)


def _compute(name, compute):
    started = time.monotonic()
    now = timezone.now()
    value = compute(now)
    cost = time.monotonic() - started
    entry = {"value": value, "computed_at": now, "at": time.time()}
    cache.set_many({name: entry, name + ":cost": cost}, interval() + KEEP_SECONDS)
    return value, now


def bundle(kind: str, scope, first, last, *, force: bool = False):
    """(figures, computed_at) of one bundle: "all" (the dashboard's figures and every tile),
    "screen" (the figures and the big screen's tiles) or "extras" (the leaders' page's survey,
    shops, sorting and estates tiles)."""
    if kind not in KINDS:
        raise ValueError(kind)

    def compute(now):
        if kind == "extras":
            return {
                "survey": dashboard_figures.survey_results(scope),
                "shops": dashboard_figures.shop_roll(scope),
                "sorting": dashboard_figures.sorting_tile(scope),
                "estates": estate_figures.tile(scope.micro_ids, timezone.localdate(now)),
            }
        return {
            "data": dashboard_figures.dashboard(scope, first, last, now=now),
            "tiles": tiles.collect(scope, first, last, now, screen=kind == "screen"),
        }

    return figures(kind, scope, first, last, compute, force=force)


def warm() -> dict:
    """The periodic job: the street-wide default view (every bundle, the default period, the
    default language) recomputed into the shared cache. Returns {kind: seconds it took}."""
    if interval() == 0:
        return {}
    took = {}
    with translation.override(settings.LANGUAGE_CODE):
        scope = dashboard_figures.street_scope()
        first, last = dashboard_figures.parse_period(None, None, timezone.localdate())
        for kind in KINDS:
            started = time.monotonic()
            bundle(kind, scope, first, last, force=True)
            took[kind] = round(time.monotonic() - started, 3)
    return took


def updated_at(computed_at) -> str:
    return timezone.localtime(computed_at).strftime("%H:%M:%S")
