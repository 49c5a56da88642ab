"""The community projects' tile on the dashboard (registered through dashboard.tiles)."""

import datetime

import pytest

from civicgrid.projects import services
from civicgrid.projects.tests.conftest import scored

pytestmark = pytest.mark.django_db


def test_the_tile_on_the_dashboard(client_for, users, make_project, hold_hearing, clock):
    project = scored(make_project("车棚改造"), users["operator"], hold_hearing)
    make_project("花坛提升", community=1)
    services.do_recommend(None, project.campaign)
    services.do_start(None, project)
    build = project.milestones.get(kind="build")
    services.do_plan_milestone(None, build, due_on=datetime.date(2026, 10, 1))
    page = client_for(users["operator"]).get("/dashboard/").content.decode()
    assert 'id="projects-tile"' in page
    assert "<strong>2 → 1</strong>" in page
    assert "实施中 1 个，已移交 0 个，逾期节点 1 个" in page
    data = client_for(users["operator"]).get("/dashboard/data.json").json()
    assert data["tiles"]["projects"]["late"] == 1


def test_no_campaign_no_tile_in_one_query(db, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert services.tile(None, datetime.date(2026, 11, 23)) == {}


def test_the_tile_keeps_to_two_queries(users, make_project, tree, django_assert_num_queries):
    for i in range(3):
        make_project(f"项目{i}", community=i % 2)
    with django_assert_num_queries(2):
        figures = services.tile(None, datetime.date(2026, 11, 23))
    assert (figures["proposed"], figures["recommended"], figures["late"]) == (3, 0, 0)
    micro = [tree["micro_grids"][0].pk]
    with django_assert_num_queries(2):
        assert services.tile(micro, datetime.date(2026, 11, 23))["proposed"] == 2
