"""Upkeep switched off while a bulk builder writes, redone once at the end (延后维护).

A receiver that keeps derived rows up to date on every case step (the dashboard's rollups,
未诉先办's stored answers) costs a query or two a step; a builder that writes thousands of steps
at once (the demo street) turns it off in its thread and lets one rebuild write the same rows
on a clean exit. Nested uses rebuild once, at the outermost exit; an exception rebuilds nothing
(the builder's transaction is rolled back anyway)."""

import threading
from contextlib import contextmanager


class Deferral:
    """`with deferral(using):` — the thread's upkeep off inside, `rebuild(using)` after."""

    def __init__(self, rebuild):
        self._rebuild = rebuild
        self._local = threading.local()

    @property
    def active(self) -> bool:
        return getattr(self._local, "depth", 0) > 0

    @contextmanager
    def __call__(self, using="default"):
        depth = getattr(self._local, "depth", 0)
        self._local.depth = depth + 1
        try:
            yield
        finally:
            self._local.depth = depth
        if depth == 0:
            self._rebuild(using)
