"""A list page's rows built as model instances without Model.__init__ (console.queries.page_of,
the API's case list: cases.api.pagination).

A page of the queue or the inbox is 30 cases, each with its category, micro-grid, 居村 and
department joined: 150 instances. Django builds each through `Model.from_db`, which first lays
the row out over all the model's columns (a case has 112; the page reads 35, the rest marked
deferred, each found by a list search) and then runs `Model.__init__` over all of them — most of
the ORM's share of a page after the SQL (bench/lists_profile.py: `from_db` and `__init__` were
the largest item of the inbox's own time). Here an instance gets the columns read put in its
`__dict__` and a fresh ModelState, which is what `from_db` leaves behind for a row of deferred
columns: a column not read is still loaded on first access, a relation not joined still reads
its row, the joined ones are cached both ways as select_related does.

Only where that is the same thing: a model with pre_init/post_init receivers, or whose read
column has a descriptor of its own (a spatial or file field), is built by `from_db` as before;
so is a queryset with known related objects (a related manager's).
"""

import threading

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import signals
from django.db.models.base import ModelState
from django.db.models.fields.related_descriptors import ForeignKeyDeferredAttribute
from django.db.models.query import ModelIterable, get_related_populators
from django.db.models.query_utils import DeferredAttribute
from django.db.transaction import TransactionManagementError

# Descriptors that read the value from the instance's __dict__ and, on a new instance, store it
# there unchanged (the foreign key's also forgets a cached relation, which a new one has none).
_PLAIN = (DeferredAttribute, ForeignKeyDeferredAttribute)


def _plain(model, attnames) -> bool:
    """Whether an instance of `model` with `attnames` read may skip __init__: no init signals,
    and every column's class attribute one of Django's plain column descriptors."""
    if signals.pre_init.has_listeners(model) or signals.post_init.has_listeners(model):
        return False
    return all(type(getattr(model, name, None)) in _PLAIN for name in attnames)


def _builder(model, attnames, db):
    """A function building an instance of `model` from the row's values of `attnames`."""
    if not _plain(model, attnames):
        return lambda values: model.from_db(db, attnames, values)
    new = model.__new__
    names = tuple(attnames)

    def build(values):
        obj = new(model)
        state = obj._state = ModelState()
        state.adding = False
        state.db = db
        obj.__dict__.update(zip(names, values, strict=True))
        return obj

    return build


class _Related:
    """What django.db.models.query.RelatedPopulator does for one select_related relation, with
    the instance built by `_builder`."""

    def __init__(self, populator):
        self.take = populator.reorder_for_init or (
            lambda row, a=populator.cols_start, b=populator.cols_end: row[a:b]
        )
        self.pk_idx = populator.pk_idx
        self.build = _builder(populator.model_cls, populator.init_list, populator.db)
        self.related = [_Related(p) for p in populator.related_populators]
        self.local_setter = populator.local_setter
        self.remote_setter = populator.remote_setter

    def populate(self, row, from_obj):
        data = self.take(row)
        if data[self.pk_idx] is None:
            obj = None
        else:
            obj = self.build(data)
            for related in self.related:
                related.populate(row, obj)
        self.local_setter(from_obj, obj)
        if obj is not None:
            self.remote_setter(obj, from_obj)


class LeanModelIterable(ModelIterable):
    """ModelIterable with the instances built by `_builder` (the same SQL, the same rows)."""

    def __iter__(self):
        queryset = self.queryset
        if queryset._known_related_objects:
            yield from super().__iter__()
            return
        db = queryset.db
        compiler = queryset.query.get_compiler(using=db)
        results = compiler.execute_sql(chunked_fetch=self.chunked_fetch, chunk_size=self.chunk_size)
        yield from _instances(compiler, results, db)


def _instances(compiler, results, db):
    """The instances of `results` (chunks of rows) as `compiler` (after its as_sql) selected them."""
    select, klass_info = compiler.select, compiler.klass_info
    annotations = list((compiler.annotation_col_map or {}).items())
    fields = klass_info["select_fields"]
    start, end = fields[0], fields[-1] + 1
    build = _builder(
        klass_info["model"], [column[0].target.attname for column in select[start:end]], db
    )
    related = [_Related(p) for p in get_related_populators(klass_info, select, db)]
    for row in compiler.results_iter(results):
        obj = build(row[start:end])
        for populator in related:
            populator.populate(row, obj)
        for name, position in annotations:
            setattr(obj, name, row[position])
        yield obj


# Per thread: {(alias, key): (connection, compiler, sql, locking)} (see `compiled`).
_compiled = threading.local()


def compiled(key, make_queryset, params, *, using="default") -> list:
    """The instances `make_queryset(params)` reads, its SQL compiled once per thread and
    database for `key`.

    For a query run on every step with only its values changing, where compiling costs more
    than the rest (a case's locking read, its 112 columns and its category; the API's token read).
    The query must take `params` as its only parameters, in order; that is checked when it is
    compiled, and a statement whose parameters differ runs through the ORM and is not kept. A locking read
    outside a transaction raises as the ORM's would."""
    cache = _compiled.__dict__.setdefault("entries", {})
    connection = connections[using]
    entry = cache.get((using, key))
    if entry is None or entry[0] is not connection:
        queryset = make_queryset(params)
        compiler = queryset.query.get_compiler(using=using)
        try:
            sql, built = compiler.as_sql()  # raises outside a transaction for a locking read
        except EmptyResultSet:  # no value can match (an empty list, None): as the ORM, none
            return []
        if list(built) != list(params):
            # These values change the statement (or it has parameters of its own): not kept.
            return list(queryset)
        cache[(using, key)] = (connection, compiler, sql, bool(queryset.query.select_for_update))
    else:
        _connection, compiler, sql, locking = entry
        if locking and connection.features.has_select_for_update and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return list(_instances(compiler, [rows], using))


def lean(queryset):
    """`queryset` yielding its instances through LeanModelIterable (a model queryset only)."""
    if queryset._iterable_class is ModelIterable:
        # QuerySet has no public way to choose its iterable; values()/values_list() set this
        # attribute the same way.
        queryset._iterable_class = LeanModelIterable
    return queryset
