"""The queue's micro-grid filter at many 居村: options named and grouped by 居村, narrowed to the
chosen 居村 (also on the htmx swap), in a fixed number of queries."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.console import queries
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.testing.factories import rect

pytestmark = pytest.mark.django_db


@pytest.fixture
def same_names(tree):
    """Every 居村's micro-grids named like the seeds name them: 第1网格, 第2网格 …"""
    for grid in tree["micro_grids"]:
        Grid.objects.filter(pk=grid.pk).update(name=f"第{grid.number}网格")
    return tree


def micro_grid_select(html):
    return re.search(r'<select name="micro_grid".*?</select>', html, re.S).group(0)


def groups(select):
    """[(optgroup label, [option texts])] of a rendered <select>."""
    return [
        (label, re.findall(r"<option[^>]*>([^<]*)</option>", body))
        for label, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', select, re.S)
    ]


def test_micro_grids_are_named_and_grouped_by_community(same_names, users, client_for):
    response = client_for(users["operator"]).get("/console/")
    assert response.status_code == 200
    select = micro_grid_select(response.content.decode())
    assert groups(select) == [
        ("第1居委", ["第1居委 · 第1网格", "第1居委 · 第2网格"]),
        ("第2居委", ["第2居委 · 第1网格", "第2居委 · 第2网格"]),
    ]
    # the empty choice (全部, as on every filter form) stays first, outside the groups
    assert re.search(r'<option value=""[^>]*>全部</option>\s*<optgroup', select)


def test_choosing_a_community_narrows_the_micro_grids(same_names, users, client_for):
    second = same_names["communities"][1]
    client = client_for(users["operator"])
    response = client.get(f"/console/?tab=all&community={second.pk}")
    assert response.status_code == 200
    select = micro_grid_select(response.content.decode())
    assert groups(select) == [("第2居委", ["第2居委 · 第1网格", "第2居委 · 第2网格"])]
    # the htmx swap of the results carries the narrowed list along (out of band)
    partial = client.get(f"/console/?tab=all&community={second.pk}", HTTP_HX_REQUEST="true")
    text = partial.content.decode()
    assert "<html" not in text and 'id="micro-grid-filter" hx-swap-oob="true"' in text
    assert groups(micro_grid_select(text)) == groups(select)
    # the full page does not repeat the field out of band
    assert "hx-swap-oob" not in response.content.decode()


def test_a_micro_grid_of_another_community_is_refused_and_ignored(same_names, users, client_for):
    first, second = same_names["communities"]
    other = same_names["micro_grids"][0]  # in 第1居委
    response = client_for(users["operator"]).get(
        f"/console/?tab=all&community={second.pk}&micro_grid={other.pk}"
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "micro_grid" in form.errors and "community" not in form.errors
    assert form.filters()["community"] == second and "micro_grid" not in form.filters()


def test_an_unknown_community_leaves_every_micro_grid(same_names, users, client_for):
    response = client_for(users["operator"]).get("/console/?tab=all&community=999999")
    assert response.status_code == 200
    assert "community" in response.context["form"].errors
    assert len(groups(micro_grid_select(response.content.decode()))) == 2


def test_community_staff_see_only_their_community(same_names, users, client_for):
    response = client_for(users["staff"]).get("/console/")
    assert groups(micro_grid_select(response.content.decode())) == [
        ("第1居委", ["第1居委 · 第1网格", "第1居委 · 第2网格"])
    ]


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx)


def test_the_filter_costs_the_same_queries_at_more_communities(
    same_names, users, client_for, monkeypatch
):
    # The tab counts are cached (console.queries): the same cache state before and after.
    monkeypatch.setattr(queries, "COUNTS_SECONDS", 86_400)
    client = client_for(users["operator"])
    urls = ("/console/", f"/console/?community={same_names['communities'][0].pk}")
    for url in urls:
        client.get(url)  # warm the calendar, the session and the counts
    warm = [_queries(client, url) for url in urls]
    # The options are cached until a grid changes: measured as read from the database.
    queries.bump_options_version()
    before = [_queries(client, url) for url in urls]
    area = same_names["area"]
    for c in range(3, 9):
        x0 = 121.6 + c * 0.01
        community = Grid.objects.create(
            name=f"第{c}居委",
            level=GridLevel.COMMUNITY,
            number=c,
            parent=area,
            geometry=rect(x0, 31.1, x0 + 0.01, 31.11),
        )
        for m in range(1, 5):
            Grid.objects.create(
                name=f"第{m}网格",
                level=GridLevel.MICRO_GRID,
                number=m,
                parent=community,
                geometry=rect(x0, 31.1 + (m - 1) * 0.002, x0 + 0.01, 31.1 + m * 0.002),
            )
    after = [_queries(client, url) for url in urls]  # the new grids: options read again
    assert after == before
    assert [_queries(client, url) for url in urls] == warm
    select = micro_grid_select(client.get("/console/").content.decode())
    assert len(groups(select)) == 8 and select.count("第1网格") == 8
