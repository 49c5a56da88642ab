"""The list pages' instances built without Model.__init__ (core.lean): the same values,
relations and behaviour as the ORM's own, and the ORM's own path where it would differ."""

import pytest
from django.db.models import signals

from civicgrid.cases.models import Case
from civicgrid.cases.services import checks
from civicgrid.console import queries
from civicgrid.core.lean import LeanModelIterable, lean
from civicgrid.testing.cases import case_in_state

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("garbage")]


def page(user):
    ordered, _sort = queries.sorted_cases(
        queries.row_columns(queries.list_queryset(user)), "-created"
    )
    return ordered


def fields_of(case) -> dict:
    return {k: v for k, v in case.__dict__.items() if not k.startswith("_")}


def test_lean_rows_equal_the_orms_with_their_relations(users):
    made = [case_in_state(state, users) for state in ("reported", "dispatched", "handled")]
    ordered = page(users["operator"])
    plain = list(ordered)
    lean_rows = list(lean(ordered.all()))
    assert [c.pk for c in lean_rows] == [c.pk for c in plain] and len(plain) >= len(made)
    for ours, theirs in zip(lean_rows, plain, strict=True):
        assert fields_of(ours) == fields_of(theirs)
        assert ours._state.adding is False and ours._state.db == theirs._state.db
        assert ours.get_deferred_fields() == theirs.get_deferred_fields()
        for relation in ("category", "micro_grid", "assigned_department"):
            assert Case._meta.get_field(relation).is_cached(ours)
            assert getattr(ours, relation) == getattr(theirs, relation)
        if ours.micro_grid is not None and ours.micro_grid.parent_id:
            assert ours.micro_grid.parent.name == theirs.micro_grid.parent.name


def test_a_column_not_read_is_loaded_on_access_and_the_row_saves(users, django_assert_num_queries):
    case = case_in_state("dispatched", users)
    ordered = page(users["operator"]).filter(pk=case.pk)
    [row] = list(lean(ordered))
    assert "reporter_name" in row.get_deferred_fields()
    Case.objects.filter(pk=case.pk).update(reporter_name="张三")
    with django_assert_num_queries(1):
        assert row.reporter_name == "张三"
    row.reporter_name = "李四"
    row.save(update_fields=["reporter_name"])
    assert Case.objects.get(pk=case.pk).reporter_name == "李四"


def test_a_model_with_init_receivers_is_built_by_the_orm(users):
    case = case_in_state("reported", users)
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance.pk)

    signals.post_init.connect(receiver, sender=Case)
    try:
        rows = list(lean(page(users["operator"]).filter(pk=case.pk)))
    finally:
        signals.post_init.disconnect(receiver, sender=Case)
    assert [r.pk for r in rows] == [case.pk] and seen == [case.pk]


def test_lean_leaves_values_querysets_alone(users):
    case_in_state("reported", users)
    values = lean(page(users["operator"]).values("pk"))
    assert values._iterable_class is not LeanModelIterable
    assert all(isinstance(v, dict) for v in values)


# --- core.lean.compiled: a statement compiled once, run with new values ------------------------


# The case's locking read, as the steps run it (cases.services.checks._lock_rows).
_locking = checks._locking


def test_a_compiled_read_gives_the_orms_instances_for_each_new_value(
    users, django_assert_num_queries
):
    from django.db import transaction

    from civicgrid.core.lean import compiled

    made = sorted(case_in_state(s, users).pk for s in ("reported", "dispatched", "handled"))
    with transaction.atomic():
        for pks in ([made[0]], [made[1]], [made[2]], made[:2], [made[0], 10**9]):
            ours = compiled(("test.lock", len(pks)), _locking, pks)
            theirs = list(_locking(pks))
            assert [c.pk for c in ours] == [c.pk for c in theirs] == [p for p in pks if p in made]
            for a, b in zip(ours, theirs, strict=True):
                assert fields_of(a) == fields_of(b)
                with django_assert_num_queries(0):
                    assert a.category == b.category  # joined, as select_related does
        with django_assert_num_queries(1):  # compiled already: the statement alone
            compiled(("test.lock", 1), _locking, [made[1]])


def test_values_that_match_nothing_read_nothing_and_spoil_nothing(users):
    """No id, or none (a case not saved yet): the ORM reads nothing without asking the
    database, and so does the compiled read; the statement for real ids is not affected."""
    from django.db import transaction

    from civicgrid.core.lean import compiled

    made = case_in_state("dispatched", users)
    with transaction.atomic():
        assert compiled(("test.none", 0), _locking, []) == []
        assert compiled(("test.none", 1), _locking, [None]) == []
        assert [c.pk for c in compiled(("test.none", 1), _locking, [made.pk])] == [made.pk]


def test_a_query_with_other_parameters_runs_through_the_orm(users):
    from civicgrid.core.lean import compiled

    made = case_in_state("dispatched", users)

    def open_ones(pks):  # a parameter of its own besides the ids
        return Case.objects.filter(pk__in=pks).exclude(status="closed").order_by("pk")

    for _ in range(2):
        assert [c.pk for c in compiled(("test.open", 1), open_ones, [made.pk])] == [made.pk]


@pytest.mark.django_db(transaction=True)
def test_a_compiled_locking_read_outside_a_transaction_raises_as_the_orms():
    from django.db import connection, transaction
    from django.db.transaction import TransactionManagementError

    from civicgrid.core.lean import compiled

    if not connection.features.has_select_for_update:
        pytest.skip("SQLite has no FOR UPDATE: the ORM's read outside a transaction runs too")
    with transaction.atomic():
        assert compiled(("test.outside", 1), _locking, [10**9]) == []  # compiled here
    with pytest.raises(TransactionManagementError):
        list(_locking([10**9]))
    with pytest.raises(TransactionManagementError):
        compiled(("test.outside", 1), _locking, [10**9])
