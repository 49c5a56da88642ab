"""Each web process made ready before its first request (called by civicgrid.wsgi).

Without it (bench/warmup.py) a process's first request cost ≈700 ms — the URL configuration
imported (every app's views) and its resolvers filled on first use — and, once everything was
imported, each full garbage collection walked ≈320,000 objects (the imported modules'
functions, classes and tables: scikit-learn, jieba, shapely…) for ≈145 ms, which fell on
whatever request was running: the slowest answers of bench/city.py's pages. So the
process imports and resolves everything up front, then moves what it holds after start-up out
of the collector's reach (`gc.freeze`, CPython's own tool for this: objects that live as long
as the process need no collecting); the collector then walks only what requests make."""

import gc
import logging
import time

from django.conf import settings
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse
from django.utils import translation

logger = logging.getLogger("civicgrid.warmup")


def warm_process() -> dict:
    """Import the URL configuration, fill its resolver (reverse() and resolve() of every app),
    load every language's translations, then freeze what start-up made. Returns what it did
    (seconds, objects frozen)."""
    started = time.monotonic()
    for language, _name in settings.LANGUAGES:
        # Activating a language loads its catalogues.
        with translation.override(language):
            # The patterns import every view; the lookup tables are filled per language (the
            # first reverse() in each paid for them).
            _fill(get_resolver())
            for path in _namespaces(get_resolver()):
                # reverse() resolves a namespaced name on a resolver of its own per namespace
                # path, filled on its first use: a name no namespace has fills it all the same.
                try:
                    reverse(f"{path}:-")
                except NoReverseMatch:
                    pass
    gc.collect()
    gc.freeze()
    done = {
        "seconds": round(time.monotonic() - started, 3),
        "frozen": gc.get_freeze_count(),
    }
    logger.info("process warmed: %s", done)
    return done


def warm_worker_apps() -> list[str]:
    """What a task worker's jobs need, loaded into this process: every app's `tasks` module
    (the jobs' functions and what they import) and each app's own `warm_worker()` (an
    AppConfig method: dispatch loads its active model). An RQ worker calls it before it forks
    the work horse of a job (civicgrid.messaging.rqworker), so each horse starts with it instead
    of loading it for its one job. Returns the apps whose hook ran."""
    from django.apps import apps
    from django.utils.module_loading import autodiscover_modules

    autodiscover_modules("tasks")
    warmed = []
    for config in apps.get_app_configs():
        hook = getattr(config, "warm_worker", None)
        if callable(hook):
            hook()
            warmed.append(config.label)
    return warmed


def _namespaces(resolver, prefix: str = ""):
    for namespace, (_prefix, sub) in resolver.namespace_dict.items():
        path = f"{prefix}{namespace}"
        yield path
        yield from _namespaces(sub, path + ":")


def _fill(resolver) -> None:
    resolver.reverse_dict  # noqa: B018
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            _fill(pattern)
