"""The leaders' dashboard tile of the residents' satisfaction survey: averages of 获得感/幸福感/
满意度 and answer counts per 居村, limited to the viewer's scope, in a bounded number of queries."""

import datetime

import pytest
from django.urls import reverse

from civicgrid.survey import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(clock, tree):
    survey = services.do_create_survey(
        title="2026年第四季度居民满意度测评",
        start_date=datetime.date(2026, 11, 1),
        end_date=datetime.date(2026, 12, 31),
    )
    c0, c1 = tree["communities"]
    for phone, community, values in [
        ("13700000001", c0, (5, 4, 5)),
        ("13700000002", c0, (3, 4, 4)),
        ("13700000003", c1, (2, 3, 1)),
    ]:
        services.do_answer(
            survey,
            scores={i.pk: v for i, v in zip(survey.items.all(), values, strict=True)},
            phone=phone,
            community=community,
        )
    return survey


def tile(response):
    text = response.content.decode()
    start = text.index('id="survey-results"')
    return text[start : text.index("</section>", start)]


def test_the_leader_sees_every_community(client, users, tree, survey):
    client.force_login(users["leader"])
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    data = response.context["survey"]
    assert data["items"] == ["获得感", "幸福感", "满意度"] and data["answers"] == 3
    c0, c1 = tree["communities"]
    rows = {r["name"]: r for r in data["communities"]}
    assert rows[c0.name] == {"name": c0.name, "answers": 2, "averages": [4.0, 4.0, 4.5]}
    assert rows[c1.name] == {"name": c1.name, "answers": 1, "averages": [2.0, 3.0, 1.0]}
    html = tile(response)
    assert survey.title in html and c0.name in html and c1.name in html
    assert "4.50" in html and "满意度" in html


def test_community_staff_see_their_community_only(client, users, tree, survey):
    client.force_login(users["staff"])
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    data = response.context["survey"]
    c0, c1 = tree["communities"]
    assert [r["name"] for r in data["communities"]] == [c0.name]
    assert data["answers"] == 2
    assert c1.name not in tile(response)


def test_without_a_survey_the_tile_says_so(client, users, tree, clock):
    client.force_login(users["leader"])
    response = client.get(reverse("dashboard:index"))
    assert response.status_code == 200
    assert response.context["survey"] is None
    assert "尚无满意度测评" in tile(response)


def test_the_page_stays_under_20_queries_with_the_tile(
    client, users, survey, django_assert_max_num_queries
):
    client.force_login(users["leader"])
    # The page's budget with all its tiles (test_pages.INDEX_QUERIES).
    from civicgrid.dashboard.tests.test_pages import INDEX_QUERIES

    with django_assert_max_num_queries(INDEX_QUERIES):
        assert client.get(reverse("dashboard:index")).status_code == 200
