"""The dashboard's figures computed at most once per interval and shared by every node.

A leaders' page, the big screen and their data.json read the same figures for a scope and
period many times a minute; the figures move with the rollups, which a leader reads as a
picture of the last minute, not of the last millisecond. So each bundle of figures (one page
kind × scope × period × language) is kept in the shared cache (Redis in the cluster) for
settings.CIVICGRID_DASHBOARD_CACHE_SECONDS (0: computed on every request) with the moment it
was computed, which the pages show (数据更新于 HH:MM:SS).

Who computes: when the figures are older than the interval but still kept, no request waits for
them: the first request to notice takes a short lock in the cache (`cache.add`, atomic on Redis
and the database cache alike), enqueues the background task `refresh_figures_task` (the task
worker, on any node, recomputes them and frees the lock) and answers with the previous figures,
as every other reader does meanwhile. Only when there are no figures at all (the first view of a
scope, or none for KEEP_SECONDS) does a request compute: one under the lock, the others waiting
at most as long as the last computation of that bundle took before computing themselves — so a
request never waits for another's computation longer than computing itself would have taken.
The periodic job `dashboard_warm` recomputes the street-wide default view every half interval
on one node, so no leader's request pays for it. The job and the refresh task render the leaders'
page markup of a default view too, and publish it with its figures (`together`): a reader finds
new figures only once their markup is there.

Each answer says how it was made (`Answer.how`: fresh, stale, computed or waited), which the
views send as a `Server-Timing` header so a load test can tell a slow computation from a queue.
"""

import contextlib
import contextvars
import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.safestring import mark_safe

from civicgrid.dashboard import figures as dashboard_figures
from civicgrid.dashboard import tiles
from civicgrid.estates import figures as estate_figures

PREFIX = "dashboard:figures:v1:"
FRAGMENT_PREFIX = "dashboard:fragment:v1:"
# A holder that dies mid-computation frees the lock after this long at most.
LOCK_SECONDS = 120
POLL_SECONDS = 0.05
# How long the figures and the last computation's cost stay readable after their interval: the
# stale figures are what readers get while one request recomputes them.
KEEP_SECONDS = 600
KINDS = ("all", "screen", "extras")

logger = logging.getLogger("civicgrid.dashboard")


class Answer(tuple):
    """(value, computed_at), as a plain pair compares, with `how` it was made: "fresh" (from the
    cache within the interval), "stale" (the previous figures while they are recomputed),
    "computed" (by this request) or "waited" (another request's computation, waited for)."""

    how: str

    def __new__(cls, value, computed_at, how):
        answer = super().__new__(cls, (value, computed_at))
        answer.how = how
        return answer


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


def figures(kind: str, scope, first, last, compute, *, force: bool = False, refresh=None):
    """Answer(value, computed_at): `compute(now)`'s result for this bundle, at most one interval
    old — or, while a refresh is on its way, the previous figures.

    `force` recomputes whatever the cache holds (the warming job, the refresh task; the lock is
    freed afterwards — inside `together()`, once the figures are out). `refresh()`, when given,
    enqueues the background recomputation of stale figures; without it (or when enqueueing
    fails) the request that takes the lock computes."""
    seconds = interval()
    if seconds == 0:
        now = timezone.now()
        return Answer(compute(now), now, "computed")
    name = key(kind, scope, first, last)
    entry = None if force else _get(name)
    if entry is not None and time.time() - entry["at"] < seconds:
        return Answer(entry["value"], entry["computed_at"], "fresh")
    lock = name + ":lock"
    if force:
        try:
            return _compute(name, compute)
        finally:
            _free(lock)
    if cache.add(lock, 1, LOCK_SECONDS):
        if entry is not None and refresh is not None and _enqueued(refresh):
            return Answer(entry["value"], entry["computed_at"], "stale")
        try:
            return _compute(name, compute)
        finally:
            _free(lock)
    if entry is not None:
        # Someone is recomputing: the previous figures, a little older, rather than a wait.
        return Answer(entry["value"], entry["computed_at"], "stale")
    deadline = time.monotonic() + (cache.get(name + ":cost") or 0)
    while time.monotonic() < deadline:
        time.sleep(POLL_SECONDS)
        entry = _get(name)
        if entry is not None:
            return Answer(entry["value"], entry["computed_at"], "waited")
    return _compute(name, compute)


def _enqueued(refresh) -> bool:
    """Enqueue the recomputation (the task frees the lock when done); False when the task
    backend refuses it, so the caller, still holding the lock, computes instead."""
    try:
        refresh()
    except Exception:
        logger.exception("dashboard figures: the refresh task could not be enqueued")
        return False
    return True


def plain(value):
    """The figures with every lazy translation made a plain string, in the language computed
    for (a key of its own): unpickling a lazy string builds its proxy class anew, which made
    reading the leaders' bundle from the cache cost ten times as much as its size."""
    if isinstance(value, Promise):
        return str(value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple) and type(value) in (list, tuple):
        return type(value)(plain(v) for v in value)
    return value


def _compute(name, compute):
    started = time.monotonic()
    now = timezone.now()
    value = plain(compute(now))
    cost = time.monotonic() - started
    entry = {"value": value, "computed_at": now, "at": time.time()}
    _set_many({name: entry, name + ":cost": cost}, interval() + KEEP_SECONDS)
    return Answer(value, now, "computed")


class _Staged:
    """The cache writes held back by `together()`: values to publish, locks to free after."""

    def __init__(self):
        self.values: dict = {}  # {key: (value, timeout)}
        self.locks: list = []


_staged: contextvars.ContextVar[_Staged | None] = contextvars.ContextVar(
    "dashboard_staged", default=None
)


def _get(name):
    staged = _staged.get()
    if staged is not None and name in staged.values:
        return staged.values[name][0]
    return cache.get(name)


def _set_many(values: dict, timeout: int) -> None:
    staged = _staged.get()
    if staged is None:
        cache.set_many(values, timeout)
    else:
        staged.values.update({name: (value, timeout) for name, value in values.items()})


def _free(lock: str) -> None:
    """Free a recomputation's lock — inside `together()` only once its figures are out: freed
    earlier, a reader would find the old figures and no lock, and recompute them again."""
    staged = _staged.get()
    if staged is None:
        cache.delete(lock)
    else:
        staged.locks.append(lock)


@contextlib.contextmanager
def together():
    """Hold back the figures and markup computed inside, read them back as if published, and
    publish them when the block ends — the markup before the figures it was rendered from. A
    reader thus never finds new figures whose markup is still being rendered (and renders it
    itself). Nothing is published when the block raises; the readers keep the previous
    figures."""
    if _staged.get() is not None:
        yield
        return
    staged = _Staged()
    token = _staged.set(staged)
    try:
        yield
        groups: dict = {}
        for name, (value, timeout) in staged.values.items():
            is_figures = not name.startswith(FRAGMENT_PREFIX)
            groups.setdefault((is_figures, timeout), {})[name] = value
        # The markup first (False sorts first): keyed by its figures' computation, nobody reads
        # it before they are out.
        for (_is_figures, timeout), values in sorted(groups.items(), key=lambda item: item[0]):
            cache.set_many(values, timeout)
    finally:
        _staged.reset(token)
        if staged.locks:
            cache.delete_many(staged.locks)


def bundle(kind: str, scope, first, last, *, force: bool = False):
    """Answer(figures, computed_at) of one bundle: "all" (the dashboard's figures and every
    tile), "screen" (the figures and the big screen's tiles) or "extras" (the leaders' page's
    survey, shops, sorting and estates tiles)."""
    if kind not in KINDS:
        raise ValueError(kind)

    def refresh():
        from civicgrid.dashboard.tasks import refresh_figures_task

        user = getattr(scope.user, "pk", None)
        code = scope.node.code if scope.node is not None else None
        language = translation.get_language() or settings.LANGUAGE_CODE
        refresh_figures_task.enqueue(
            kind,
            user,
            code,
            first.isoformat(),
            last.isoformat(),
            language,
            key(kind, scope, first, last),
        )

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

    return figures(kind, scope, first, last, compute, force=force, refresh=refresh)


def refresh(kind: str, user, code, first, last, language: str, name: str) -> str:
    """The refresh task's work: the bundle of `user`'s scope at grid `code` recomputed into the
    cache, and the lock of the request that enqueued it (cache key `name`) freed. Returns how it
    went: "computed", or "gone" when the scope no longer resolves to the same figures (the user
    or the grid changed meanwhile; the next reader then computes them itself)."""
    try:
        with translation.override(language):
            if user is None:
                scope = dashboard_figures.street_scope()
            else:
                scope = dashboard_figures.resolve_scope(user, code)
            if key(kind, scope, first, last) != name:
                return "gone"
            with together():
                bundle(kind, scope, first, last, force=True)
                if kind in ("all", "extras") and _is_default_view(user, scope, first, last):
                    from civicgrid.dashboard.views import warm_index_markup

                    warm_index_markup(scope)
            return "computed"
    except dashboard_figures.ScopeError:
        return "gone"
    finally:
        cache.delete(name + ":lock")


def _is_default_view(user, scope, first, last) -> bool:
    """Whether these are the figures of the page the user opens without a query (their own
    scope, the default period): the only markup worth rendering ahead of the readers."""
    if (first, last) != dashboard_figures.parse_period(None, None, timezone.localdate()):
        return False
    default = dashboard_figures.street_scope() if user is None else None
    if default is None:
        default = dashboard_figures.resolve_scope(user, None)
    return key("all", default, first, last) == key("all", scope, first, last)


def warm() -> dict:
    """The periodic job: the street-wide default view (every bundle, the default period, the
    default language) recomputed into the shared cache, and the leaders' page markup of it
    rendered. Returns {kind or "markup": seconds it took}."""
    if interval() == 0:
        return {}
    took = {}
    with translation.override(settings.LANGUAGE_CODE), together():
        scope = dashboard_figures.street_scope()
        first, last = dashboard_figures.parse_period(None, None, timezone.localdate())
        for kind in KINDS:
            started = time.monotonic()
            bundle(kind, scope, first, last, force=True)
            took[kind] = round(time.monotonic() - started, 3)
        from civicgrid.dashboard.views import warm_index_markup

        started = time.monotonic()
        warm_index_markup()
        took["markup"] = round(time.monotonic() - started, 3)
    return took


def fragment(parts: tuple, render) -> str:
    """The HTML `render()` makes of figures, kept in the shared cache under `parts` (what the
    markup depends on: the bundles' keys and computation times, the query, the crumbs), so the
    readers of one computation render the leaders' page once, not each time (the page's markup
    cost five times reading its figures). 0 seconds: rendered every time."""
    seconds = interval()
    if seconds == 0:
        return render()
    name = FRAGMENT_PREFIX + hashlib.sha256(repr(parts).encode()).hexdigest()
    html = _get(name)
    if html is None:
        html = render()
        # Keyed by the computation: a newer one makes a new key, this one just ages out.
        _set_many({name: html}, 2 * seconds)
    return mark_safe(html)


def updated_at(computed_at) -> str:
    return timezone.localtime(computed_at).strftime("%H:%M:%S")
