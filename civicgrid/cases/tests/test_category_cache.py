"""The intake's copy of the categories (cases.category_cache): no query while the shared cache's
revision is the one it was read at, and never a stale category — a change is seen at once in its
own transaction, by every process from its commit, and a rolled-back one is never kept."""

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from civicgrid.cases import category_cache
from civicgrid.cases.models import Case
from civicgrid.testing.world import IN_MICRO, category

LIST = "/api/cases/"


def as_committed():
    """What the commit of the fixtures' saves of categories does in a deployment (a test's
    transaction never commits): the categories' revision moves, nothing is left queued."""
    connection.run_on_commit = [
        entry for entry in connection.run_on_commit if entry[1] is not category_cache._committed
    ]
    category_cache._committed()


@pytest.fixture
def garbage_committed(garbage):
    as_committed()
    return garbage


def report(client, cat, **extra):
    body = {
        "category": cat.pk,
        "description": "人行道上堆满建筑垃圾",
        "lon": IN_MICRO[0][0],
        "lat": IN_MICRO[0][1],
        **extra,
    }
    return client.post(LIST, body, format="json")


def category_reads(ctx):
    return [q["sql"] for q in ctx.captured_queries if 'FROM "cases_category"' in q["sql"]]


def test_a_report_reads_no_category_while_the_revision_stands(api, users, garbage_committed, clock):
    client = api(users["operator"])
    assert report(client, garbage_committed).status_code == 201  # reads the copy
    with CaptureQueriesContext(connection) as ctx:
        response = report(client, garbage_committed)
    assert response.status_code == 201, response.data
    assert category_reads(ctx) == []
    case = Case.objects.get(number=response.data["number"])
    assert case.category_id == garbage_committed.pk
    # The deadline is the category's (1 working day), from the calendar read beside it.
    assert case.filing_deadline is not None


def test_a_category_saved_is_seen_at_once_in_its_own_transaction(
    api, users, garbage_committed, clock
):
    client = api(users["operator"])
    assert report(client, garbage_committed).status_code == 201
    garbage_committed.is_active = False
    garbage_committed.save()
    response = report(client, garbage_committed)
    assert response.status_code == 400
    assert "已停用" in str(response.data["category"])


def test_a_change_committed_by_another_process_is_seen_from_its_revision(
    api, users, garbage_committed, clock
):
    client = api(users["operator"])
    assert report(client, garbage_committed).status_code == 201
    # Another process: an update without this process's signals, then its commit's bump.
    type(garbage_committed).objects.filter(pk=garbage_committed.pk).update(is_active=False)
    cache.set(category_cache.REVISION_KEY, "another process's commit", None)
    response = report(client, garbage_committed)
    assert response.status_code == 400
    assert "已停用" in str(response.data["category"])


def test_a_revision_evicted_from_the_cache_rereads_the_categories(
    api, users, garbage_committed, clock
):
    client = api(users["operator"])
    assert report(client, garbage_committed).status_code == 201
    type(garbage_committed).objects.filter(pk=garbage_committed.pk).update(is_active=False)
    cache.clear()
    response = report(client, garbage_committed)
    assert response.status_code == 400
    assert cache.get(category_cache.REVISION_KEY) is not None


def test_a_change_rolled_back_is_never_kept(api, users, garbage_committed, clock):
    client = api(users["operator"])
    assert report(client, garbage_committed).status_code == 201
    with pytest.raises(RuntimeError), transaction.atomic():
        garbage_committed.is_active = False
        garbage_committed.save()
        assert report(client, garbage_committed).status_code == 400
        raise RuntimeError("rolled back")
    garbage_committed.refresh_from_db()
    assert garbage_committed.is_active
    assert report(client, garbage_committed).status_code == 201


def test_a_category_made_without_signals_is_read_from_the_database(
    api, users, garbage_committed, clock
):
    from civicgrid.cases.models import Category

    client = api(users["operator"])
    assert report(client, garbage_committed).status_code == 201  # the copy, without the new one
    parent = category("event", "01")
    [new] = Category.objects.bulk_create(
        [Category(family="event", code="0199", name="新类别", parent=parent)]
    )
    response = report(client, new)
    assert response.status_code == 201, response.data
    assert Case.objects.get(number=response.data["number"]).category_id == new.pk
    assert "不存在" in str(report(client, garbage_committed, category=987654).data["category"])


def test_each_report_gets_its_own_instance(garbage_committed, clock):
    revision = cache.get(category_cache.REVISION_KEY)
    first = category_cache.get(garbage_committed.pk, revision)
    second = category_cache.get(garbage_committed.pk, revision)
    assert first == second and first is not second
    assert first.name == garbage_committed.name
    assert first.default_department_id == garbage_committed.default_department_id


def test_the_calendars_revision_read_beside_the_categories_is_the_current_one(db):
    from civicgrid.workcalendar import services as calendar

    before, values = calendar.revision_key_with([category_cache.REVISION_KEY])
    assert before == calendar._revision_row()
    cache.set(category_cache.REVISION_KEY, "r1", None)
    assert calendar.revision_key_with([category_cache.REVISION_KEY])[1] == {
        category_cache.REVISION_KEY: "r1"
    }
    # A change of the calendar in this transaction: its row, not the shared cache's copy.
    calendar.bump_revision()
    cache.set(calendar.REVISION_CACHE_KEY, before, None)
    after, values = calendar.revision_key_with([category_cache.REVISION_KEY])
    assert after == calendar._revision_row() != before
    assert values == {category_cache.REVISION_KEY: "r1"}
