"""The one case filter (cases.filters.CaseFilter) as the API answers it: the same meanings as the
console's queue (micro-grid by code or id, a top-level category with its second levels, text,
community, report days)."""

import datetime

import pytest

from civicgrid.testing.cases import report
from civicgrid.testing.world import IN_MICRO, category

pytestmark = pytest.mark.django_db
LIST = "/api/cases/"


@pytest.fixture
def reported(users, garbage, clock):
    u = users
    return {
        "mg0": report(u["resident"], garbage, IN_MICRO[0], description="小区门口垃圾堆积"),
        "mg1": report(u["resident"], garbage, IN_MICRO[1], description="绿化带内堆放杂物"),
        "mg2": report(u["resident"], garbage, IN_MICRO[2], description="河道边倾倒建筑垃圾"),
    }


def found(client, **params):
    response = client.get(LIST, {**params, "limit": 100})
    assert response.status_code == 200, response.data
    return {r["number"] for r in response.data["results"]}


def test_micro_grid_by_code_or_by_id(reported, users, tree, api):
    client = api(users["operator"])
    micro = tree["micro_grids"][1]
    assert found(client, micro_grid=micro.code) == {reported["mg1"].number}
    assert found(client, micro_grid=micro.pk) == {reported["mg1"].number}
    assert found(client, micro_grid="310115999999999") == set()


def test_a_top_level_category_includes_its_second_levels(reported, users, garbage, api):
    client = api(users["operator"])
    everything = {c.number for c in reported.values()}
    assert found(client, category=garbage.pk) == everything
    assert found(client, category=garbage.parent_id) == everything
    assert found(client, category=category("event", "0101").pk) == set()


def test_text_community_and_report_days(reported, users, tree, api, clock):
    client = api(users["operator"])
    assert found(client, q="绿化带") == {reported["mg1"].number}
    assert found(client, q=reported["mg2"].number[-5:]) == {reported["mg2"].number}
    community = tree["communities"][0]
    assert found(client, community=community.pk) == {
        reported["mg0"].number,
        reported["mg1"].number,
    }
    assert found(client, community=community.code) == found(client, community=community.pk)
    today = clock.at.date()
    assert len(found(client, date_from=today, date_to=today)) == 3
    assert found(client, date_to=today - datetime.timedelta(days=1)) == set()


def test_the_filters_stay_inside_the_users_scope(reported, users, tree, api):
    # 居委 staff of community 0 asking for a micro-grid of community 1: nothing, not its cases.
    client = api(users["staff"])
    assert found(client, micro_grid=tree["micro_grids"][2].code) == set()
    assert found(client) == {reported["mg0"].number, reported["mg1"].number}


def test_a_malformed_filter_is_a_400_in_the_users_words(users, api):
    response = api(users["operator"]).get(LIST, {"date_from": "2026-13-45"})
    assert response.status_code == 400
    assert "date_from" in response.data
