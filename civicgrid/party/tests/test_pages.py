"""The party pages: the tree with coverage (the uncovered micro-grid flagged), an organisation's
page (members masked, a meeting recorded, bad input shown with nothing saved), the completion
table, the honour roll, the members list, who may open them, the public service-point map and
the dashboard tile."""

import datetime

import pytest

from civicgrid.party import services
from civicgrid.party.models import LifeMeeting

pytestmark = pytest.mark.django_db


def test_index_shows_coverage_and_flags_the_uncovered(party, client_for, users, tree):
    answer = client_for(users["admin"]).get("/party/")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert 'id="coverage-percent">75.0%' in page
    uncovered = page.split('id="uncovered"')[1].split("</div>")[0]
    assert tree["micro_grids"][3].display_name in uncovered
    assert tree["micro_grids"][0].display_name not in uncovered
    # A 居委 sees its own micro-grids only: both are covered.
    page = client_for(users["staff"]).get("/party/").content.decode()
    assert 'id="coverage-percent">100.0%' in page and 'id="uncovered"' not in page


def test_organisation_page_records_a_meeting_and_refuses_bad_input(party, client_for, users):
    group = party["groups"][0]
    client = client_for(users["staff"])
    page = client.get(f"/party/org/{group.pk}/").content.decode()
    assert "139****2222" in page and "13911112222" not in page
    bad = {
        "kind": "group_meeting",
        "held_on": "2026-11-02",
        "topic": "学习",
        "expected": "5",
        "attended": "9",
        "venue": "main",
    }
    answer = client.post(f"/party/org/{group.pk}/", bad)
    assert answer.status_code == 400
    assert "实到人数不能多于应到人数" in answer.content.decode()
    assert not LifeMeeting.objects.exists()
    answer = client.post(f"/party/org/{group.pk}/", {**bad, "attended": "5"}, follow=True)
    assert "已登记组织生活" in answer.content.decode()
    assert LifeMeeting.objects.get().attended == 5
    # Another 居委's organisation is not found; a grid worker sees the page without the form.
    assert client_for(users["staff2"]).get(f"/party/org/{group.pk}/").status_code == 404
    page = client_for(users["worker"]).get(f"/party/org/{group.pk}/").content.decode()
    assert 'id="life-form"' not in page
    assert client_for(users["worker"]).post(f"/party/org/{group.pk}/", bad).status_code == 403


def test_life_stars_and_members_pages(party, client_for, users):
    services.do_record_life(
        party["groups"][0],
        {
            "kind": "group_meeting",
            "held_on": datetime.date(2026, 11, 2),
            "topic": "学习",
            "expected": 5,
            "attended": 5,
        },
    )
    services.do_rate(
        party["branches"][0],
        {"year": 2025, "stars": 5, "awarded_by": "区委组织部", "awarded_on": "2026-01-10"},
    )
    client = client_for(users["admin"])
    page = client.get("/party/life/?year=2026").content.decode()
    row = page.split(party["groups"][0].short_name)[1].split("</tr>")[0]
    assert "1/11" in row
    page = client.get("/party/stars/?year=2025").content.decode()
    assert party["branches"][0].name in page.split('id="honour-roll"')[1]
    page = client.get("/party/members/").content.decode()
    assert "张建国" in page and "139****2222" in page and "13911112222" not in page
    assert client.get("/party/life/?year=abc").status_code == 200


def test_who_may_open_the_pages(party, client_for, users, client):
    for url in ("/party/", "/party/life/", "/party/stars/", "/party/members/"):
        assert client_for(users["resident"]).get(url).status_code == 403
        assert client_for(users["handler"]).get(url).status_code == 403
    client.logout()
    assert client.get("/party/").status_code == 302


def test_the_public_map_needs_no_login(party, client, tree):
    services.do_save_service_point(
        {
            "name": "汤巷馨村红色加油站",
            "tier": "point",
            "kind": "red_station",
            "grid": tree["communities"][0],
            "address": "秀沿路1501弄1号",
            "hours": "全天开放",
            "services": ["饮水", "充电"],
            "lat": 31.105,
            "lng": 121.505,
        }
    )
    client.logout()
    answer = client.get("/party/map/")
    assert answer.status_code == 200
    page = answer.content.decode()
    assert "汤巷馨村红色加油站" in page and "vendor/leaflet/leaflet.js" in page
    assert "张建国" not in page


def test_the_dashboard_tile(party, client_for, users, django_assert_num_queries):
    with django_assert_num_queries(4):
        figures = services.dashboard_tile(None, None, None, None)
    assert (figures["micro_grids"], figures["covered"], figures["percent"]) == (4, 3, 75.0)
    page = client_for(users["admin"]).get("/dashboard/").content.decode()
    assert 'id="party-tile"' in page


def test_list_pages_read_a_fixed_number_of_queries(party, client_for, users):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(users["admin"])
    urls = ("/party/", "/party/members/", "/party/life/")

    def counts():
        out = []
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            out.append(len(queries))
        return out

    counts()  # warm the per-process caches
    before = counts()
    services.do_register_members_many(party["groups"][1], [{"name": f"党员{i}"} for i in range(40)])
    services.do_save_organisation(
        {
            "name": "第2居委第2网格党小组",
            "short_name": "新党小组",
            "level": "group",
            "sector": "residential",
            "parent": party["branches"][1],
            "grid": party["groups"][2]
            .grid.parent.children.exclude(pk=party["groups"][2].grid_id)
            .get(),
            "started_on": "2025-01-01",
        }
    )
    assert counts() == before
