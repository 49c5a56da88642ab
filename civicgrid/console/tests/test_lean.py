"""The list pages' instances built without Model.__init__ (core.lean): the same values,
relations and behaviour as the ORM's own, and the ORM's own path where it would differ."""

import pytest
from django.db.models import signals

from civicgrid.cases.models import Case
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
