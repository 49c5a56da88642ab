"""GET /api/survey/results/: staff read the latest survey's (or a named one's) averages and
counts, each over the 居村 they may see; residents, department staff and anonymous callers are
refused; unknown surveys and bad ids are clear 4xx answers."""

import datetime

import pytest

from civicgrid.survey import services
from civicgrid.survey.models import SurveyAnswer

pytestmark = pytest.mark.django_db
URL = "/api/survey/results/"


def scores(survey, *values):
    return {item.pk: v for item, v in zip(survey.items.all(), values, strict=True)}


@pytest.fixture
def surveys(clock, tree, users):
    c0, c1 = tree["communities"]
    old = services.do_create_survey(
        title="第三季度测评",
        start_date=datetime.date(2026, 7, 1),
        end_date=datetime.date(2026, 9, 30),
    )
    latest = services.do_create_survey(
        title="第四季度测评",
        start_date=datetime.date(2026, 11, 1),
        end_date=datetime.date(2026, 12, 31),
    )
    only_c1 = services.do_create_survey(
        title="居村二专项测评",
        community=c1,
        start_date=datetime.date(2026, 10, 1),
        end_date=datetime.date(2026, 10, 31),
    )
    services.do_answer(latest, scores=scores(latest, 5, 4, 5), user=users["resident"], community=c0)
    services.do_answer(latest, scores=scores(latest, 3, 4, 2), phone="13700001111", community=c0)
    services.do_answer(latest, scores=scores(latest, 4, 4, 4), phone="13700002222", community=c1)
    return {"old": old, "latest": latest, "only_c1": only_c1}


def averages(row):
    return {a["item"]: a["average"] for a in row["averages"]}


def test_the_operator_sees_the_latest_survey_street_wide(api, users, surveys, tree):
    response = api(users["operator"]).get(URL)
    assert response.status_code == 200
    body = response.json()
    assert body["survey"]["id"] == surveys["latest"].pk
    assert body["survey"]["title"] == "第四季度测评"
    assert body["survey"]["community"] is None
    assert body["survey"]["start_date"] == "2026-11-01"
    assert body["items"] == ["获得感", "幸福感", "满意度"]
    assert body["answers"] == 3
    assert averages(body) == {"获得感": 4.0, "幸福感": 4.0, "满意度": 3.67}
    by = {row["name"]: row for row in body["communities"]}
    c0, c1 = tree["communities"]
    assert by[c0.name]["id"] == c0.pk and by[c0.name]["answers"] == 2
    assert averages(by[c0.name]) == {"获得感": 4.0, "幸福感": 4.0, "满意度": 3.5}
    assert averages(by[c1.name]) == {"获得感": 4.0, "幸福感": 4.0, "满意度": 4.0}


@pytest.mark.parametrize("who", ["staff", "worker"])
def test_staff_of_community_0_see_only_its_answers(api, users, surveys, tree, who):
    body = api(users[who]).get(URL).json()
    c0 = tree["communities"][0]
    assert [row["name"] for row in body["communities"]] == [c0.name]
    assert body["answers"] == 2
    assert averages(body) == {"获得感": 4.0, "幸福感": 4.0, "满意度": 3.5}


def test_a_named_survey_by_id(api, users, surveys):
    response = api(users["chief"]).get(URL, {"survey": surveys["old"].pk})
    assert response.status_code == 200
    body = response.json()
    assert body["survey"]["title"] == "第三季度测评"
    assert body["answers"] == 0 and body["communities"] == []
    assert averages(body) == {"获得感": None, "幸福感": None, "满意度": None}


def test_a_community_survey_outside_the_readers_scope_is_not_found(api, users, surveys, tree):
    pk = surveys["only_c1"].pk
    response = api(users["staff"]).get(URL, {"survey": pk})
    assert response.status_code == 404
    assert response.json() == {"detail": "没有找到该测评"}
    ok = api(users["staff2"]).get(URL, {"survey": pk})
    assert ok.status_code == 200
    assert ok.json()["survey"]["community"] == tree["communities"][1].name


def test_unknown_and_malformed_ids(api, users, surveys):
    client = api(users["operator"])
    response = client.get(URL, {"survey": 999999})
    assert response.status_code == 404
    assert response.json() == {"detail": "没有找到该测评"}
    response = client.get(URL, {"survey": "abc"})
    assert response.status_code == 400
    assert list(response.json()) == ["survey"]


def test_no_survey_yet_is_not_found(api, users, clock):
    response = api(users["operator"]).get(URL)
    assert response.status_code == 404
    assert response.json() == {"detail": "还没有满意度测评"}


@pytest.mark.parametrize("who", ["resident", "handler", None])
def test_residents_departments_and_anonymous_callers_are_refused(api, users, surveys, who):
    before = SurveyAnswer.objects.count()
    response = api(users[who] if who else None).get(URL)
    assert response.status_code == 403
    assert "survey" not in response.json()
    assert SurveyAnswer.objects.count() == before


def test_the_refusal_says_why(api, users, surveys):
    response = api(users["resident"]).get(URL)
    assert response.json() == {"detail": "您的角色无权查看满意度测评结果"}
