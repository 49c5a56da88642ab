"""This process's copy of the problem categories (案件类别), for the intake.

Every report names its category; reading it from the database was one query of the intake's
seven (and a fifth of its CPU in the ORM). The categories change rarely (the admin), so each
process keeps all of them, as rows of values, under a revision in the shared cache (Redis on
several nodes): while the revision is the one the copy was read at, a category costs no query,
and the intake reads the revision in the same round trip as the calendar's
(workcalendar.services.revision_key_with).

A category saved or deleted (the signals cases.apps connects), and every migration (post_migrate:
data migrations write categories with .update()), bumps the revision at the commit: every
process reads its copy again. Inside the transaction that changed them this process reads the
database directly, so a change rolled back never stays in a copy. A revision missing from the
cache (evicted, flushed) is made anew and the rows re-read. A category not in the copy (created
without a signal, bulk_create) is read from the database. Each call gets its own instance.
"""

import functools
import threading
import uuid

from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, transaction

REVISION_KEY = "cases:categories-revision"

_seen: tuple = (None, {})  # (revision, {pk: values}), replaced whole: threads read one pair
_lock = threading.Lock()


@functools.cache
def _fields() -> list[str]:
    from civicgrid.cases.models import Category

    return [f.attname for f in Category._meta.concrete_fields]


def _changed_here() -> bool:
    connection = transaction.get_connection()
    return connection.in_atomic_block and any(
        func is _committed for _sids, func, _robust in connection.run_on_commit
    )


def get(pk: int, revision):
    """The category `pk` (a new Category instance) or None when there is none; `revision` is the
    shared cache's value of REVISION_KEY as the caller read it (None when it holds none)."""
    from civicgrid.cases.models import Category

    global _seen
    if _changed_here():
        return Category.objects.filter(pk=pk).first()
    seen_revision, rows = _seen
    if revision is None or revision != seen_revision:
        if revision is None:
            revision = cache.get_or_set(REVISION_KEY, uuid.uuid4().hex, None)
        with _lock:
            # Read after the revision: a change committed in between bumps it again and the next
            # call re-reads, so a copy is never older than the revision it is kept under.
            fields = _fields()
            rows = {values[0]: values for values in Category.objects.values_list(*fields)}
            _seen = (revision, rows)
    values = rows.get(pk)
    if values is None:
        return Category.objects.filter(pk=pk).first()
    return Category.from_db(DEFAULT_DB_ALIAS, _fields(), values)


def _committed() -> None:
    cache.set(REVISION_KEY, uuid.uuid4().hex, None)


def forget(**kwargs) -> None:
    """Every process's copy is stale from the commit (a signal receiver: a category saved or
    deleted, a migration)."""
    connection = transaction.get_connection(kwargs.get("using") or DEFAULT_DB_ALIAS)
    if not connection.in_atomic_block:
        _committed()
    elif not any(func is _committed for _sids, func, _robust in connection.run_on_commit):
        transaction.on_commit(_committed, using=connection.alias)


def connect() -> None:
    from django.db.models.signals import post_delete, post_migrate, post_save

    from civicgrid.cases.models import Category

    uid = "cases.category_cache"
    post_save.connect(forget, sender=Category, dispatch_uid=uid)
    post_delete.connect(forget, sender=Category, dispatch_uid=uid)
    post_migrate.connect(forget, dispatch_uid=uid)
