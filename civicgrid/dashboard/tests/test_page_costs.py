"""What keeps the dashboard's pages fast on a whole street: the micro-grids are read as values
(the same names, 居村, 片区 and outlines as the models say), each outline is decoded once per
process, a staff scope reads its micro-grids (and their 居村) once, and the leaders' page, the big screen and its
JSON read a fixed number of queries whatever the number of patrol areas and patrols."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from civicgrid.dashboard import figures
from civicgrid.fieldwork.choices import PatrolShift, PatrolStatus
from civicgrid.fieldwork.models import Patrol, PatrolArea
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.testing.factories import UserFactory
from civicgrid.testing.world import local

pytestmark = pytest.mark.django_db


def frame(scope):
    today = timezone.localdate()
    first = today - datetime.timedelta(days=29)
    return figures._Frame(
        scope,
        first,
        today,
        timezone.now(),
        today,
        figures.month_start(today),
        figures.month_start(today, figures.MONTHS - 1),
    )


def as_models(pks):
    grids = Grid.objects.filter(pk__in=pks).select_related("parent__parent").order_by("code")
    return [
        (
            g.pk,
            g.code,
            g.name,
            g.display_name,
            g.geometry,
            g.parent_id,
            (g.parent.code, g.parent.name, g.parent.level),
            (g.parent.parent_id, g.parent.parent.code, g.parent.parent.level),
        )
        for g in grids
    ]


def as_rows(rows):
    return [
        (
            g.pk,
            g.code,
            g.name,
            g.display_name,
            g.geometry,
            g.parent_id,
            (g.parent.code, g.parent.name, g.parent.level),
            (g.parent.parent.pk, g.parent.parent.code, g.parent.parent.level),
        )
        for g in rows
    ]


@pytest.mark.parametrize("who", ["leader", "staff", "areahead"])
def test_the_micro_grids_read_as_values_are_what_the_models_say(users, tree, who):
    scope = figures.resolve_scope(users[who], None)
    rows = figures._micro_grids(frame(scope))
    expected = scope.micro_ids or [g.pk for g in tree["micro_grids"]]
    assert as_rows(rows) == as_models(expected)
    assert all(g.geometry for g in rows) and rows[0].parent.parent.level == GridLevel.AREA
    # Read again: the same outline, decoded once.
    assert figures._micro_grids(frame(scope))[0].geometry is rows[0].geometry


def test_a_changed_outline_is_read_anew(users, tree):
    scope = figures.resolve_scope(users["leader"], None)
    before = figures._micro_grids(frame(scope))[0].geometry
    grid = tree["micro_grids"][0]
    ring = [[121.0, 31.0], [121.001, 31.0], [121.001, 31.001], [121.0, 31.0]]
    grid.geometry = {"type": "Polygon", "coordinates": [ring]}
    grid.save()
    after = figures._micro_grids(frame(scope))[0].geometry
    assert after == grid.geometry and after != before


def test_staff_scope_reads_its_micro_grids_once(users, tree, django_assert_num_queries):
    community = tree["communities"][0]
    mine = [g.pk for g in tree["micro_grids"] if g.parent_id == community.pk]
    user = users["staff"]
    assert user.community == community  # read with the request's user
    # Their micro-grids (with paths), then the ancestors of their 居村.
    with django_assert_num_queries(2):
        scope = figures.resolve_scope(user, None)
    assert scope.node == community and scope.micro_ids == mine
    assert scope.communities == [community.pk]  # for the tiles that filter by 居村
    narrowed = figures.resolve_scope(user, tree["micro_grids"][0].code)
    assert narrowed.micro_ids == mine[:1] and narrowed.communities == [community.pk]
    with pytest.raises(figures.ScopeError):
        figures.resolve_scope(user, tree["communities"][1].code)


def test_a_drill_down_knows_its_communities(users, tree):
    street = figures.resolve_scope(users["leader"], None)
    assert street.micro_ids is None and street.communities is None
    area = figures.resolve_scope(users["leader"], tree["area"].code)
    assert area.micro_ids == [g.pk for g in tree["micro_grids"]]
    assert area.communities == sorted(c.pk for c in tree["communities"])
    head = figures.resolve_scope(users["areahead"], None)
    assert head.communities == area.communities


def patrols(tree, workers):
    """An area per micro-grid for each worker, walked every morning of the last three weeks."""
    today = timezone.localdate()
    for worker in workers:
        for grid in tree["micro_grids"]:
            PatrolArea.objects.create(
                worker=worker, micro_grid=grid, start_date=today - datetime.timedelta(days=60)
            )
            for back in range(21):
                day = today - datetime.timedelta(days=back)
                Patrol.objects.create(
                    worker=worker,
                    micro_grid=grid,
                    shift=PatrolShift.MORNING,
                    status=PatrolStatus.FINISHED,
                    started_at=local(day.year, day.month, day.day, 9, 0),
                )


def test_the_pages_read_a_fixed_number_of_queries_whatever_the_patrols(users, tree, client):
    client.force_login(users["leader"])
    urls = [reverse("dashboard:index"), reverse("dashboard:screen"), reverse("dashboard:data")]

    def counts():
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            out.append(len(ctx))
        return out

    patrols(tree, [UserFactory()])
    counts()  # warms the shared cache (badge, calendar revision), as on a running node
    before = counts()
    data = client.get(reverse("dashboard:data")).json()
    assert data["tiles"]["patrol"]["areas"] == len(tree["micro_grids"])
    patrols(tree, [UserFactory() for _ in range(3)])
    assert counts() == before
    data = client.get(reverse("dashboard:data")).json()
    assert data["tiles"]["patrol"]["areas"] == 4 * len(tree["micro_grids"])
    assert data["tiles"]["patrol"]["total"]["done"] > 0
