"""The residents' satisfaction survey page: an answer is stored with its scores, a second one is
refused with the reason, staff are refused, bad input is shown next to the field and nothing is
written, and answering is rate limited."""

import datetime

import pytest
from django.urls import reverse

from civicgrid.survey import services
from civicgrid.survey.models import SurveyAnswer, SurveyScore

pytestmark = pytest.mark.django_db

URL = "/resident/survey/"


@pytest.fixture
def survey(clock, tree):
    return services.do_create_survey(
        title="2026年第四季度居民满意度测评",
        start_date=datetime.date(2026, 11, 1),
        end_date=datetime.date(2026, 12, 31),
    )


def answer_data(survey, community=None, *values, **extra):
    values = values or (5, 4, 3)
    data = {"survey": str(survey.pk), "comment": "小区环境比去年好"}
    for item, value in zip(survey.items.all(), values, strict=True):
        data[f"item_{item.pk}"] = str(value)
    if community is not None:
        data["community"] = str(community.pk)
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def test_url_name():
    assert reverse("public:survey") == URL


def test_a_visitor_sees_the_open_survey_with_its_items(client, survey, tree):
    response = client.get(URL)
    assert response.status_code == 200
    text = response.content.decode()
    assert survey.title in text
    for name in ("获得感", "幸福感", "满意度"):
        assert name in text
    assert 'name="phone"' in text and 'name="community"' in text
    assert tree["communities"][0].name in text


def test_a_visitor_answers_and_the_answer_is_stored(client, survey, tree):
    c1 = tree["communities"][1]
    response = client.post(URL, answer_data(survey, c1, phone="13700001111"))
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?survey={survey.pk}"
    answer = SurveyAnswer.objects.get()
    assert answer.community == c1 and answer.phone == "13700001111" and answer.user is None
    assert answer.comment == "小区环境比去年好"
    assert sorted(answer.scores.values_list("item__name", "score")) == [
        ("幸福感", 4),
        ("满意度", 3),
        ("获得感", 5),
    ]
    page = client.get(response["Location"]).content.decode()
    assert "感谢您参加满意度测评" in page


def test_a_second_answer_from_the_same_phone_is_refused(client, survey, tree):
    c0 = tree["communities"][0]
    assert client.post(URL, answer_data(survey, c0, phone="13700001111")).status_code == 302
    response = client.post(URL, answer_data(survey, c0, 1, 1, 1, phone="13700001111"))
    assert response.status_code == 400
    assert "您已参加过本次测评" in response.content.decode()
    assert SurveyAnswer.objects.count() == 1
    assert sorted(SurveyScore.objects.values_list("score", flat=True)) == [3, 4, 5]


def test_a_resident_answers_once_under_their_account(client, survey, users, tree):
    client.force_login(users["resident"])
    page = client.get(URL).content.decode()
    assert 'name="phone"' not in page  # the account is who answers
    c0 = tree["communities"][0]
    assert client.post(URL, answer_data(survey, c0)).status_code == 302
    answer = SurveyAnswer.objects.get()
    assert answer.user == users["resident"] and answer.phone == "" and answer.community == c0
    page = client.get(URL).content.decode()
    assert "您已参加过本次测评" in page and 'id="survey-form"' not in page
    response = client.post(URL, answer_data(survey, c0, 1, 1, 1))
    assert response.status_code == 400
    assert "您已参加过本次测评" in response.content.decode()
    assert SurveyAnswer.objects.count() == 1 and SurveyScore.objects.count() == 3


@pytest.mark.parametrize("role", ["operator", "staff", "worker"])
def test_staff_accounts_are_refused(client, survey, users, tree, role):
    client.force_login(users[role])
    assert client.get(URL).status_code == 403
    response = client.post(URL, answer_data(survey, tree["communities"][0]))
    assert response.status_code == 403
    assert not SurveyAnswer.objects.exists()


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"phone": "12345"}, "phone", "请填写11位手机号"),
        ({"phone": ""}, "phone", "请填写11位手机号"),
        ({"community": ""}, "community", "请选择所在居村"),
        ({"comment": "好" * 501}, "comment", None),
    ],
)
def test_bad_input_is_shown_next_to_the_field_and_nothing_written(
    client, survey, tree, changes, field, message
):
    data = answer_data(survey, tree["communities"][0], phone="13700001111")
    data.update(changes)
    response = client.post(URL, data)
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors
    if message:
        assert errors[field] == [message]
    text = response.content.decode()
    assert f'id="field-{field}"' in text and 'role="alert"' in text
    assert not SurveyAnswer.objects.exists() and not SurveyScore.objects.exists()


def test_an_unscored_item_is_named(client, survey, tree):
    data = answer_data(survey, tree["communities"][0], phone="13700001111")
    item = survey.items.get(name="幸福感")
    del data[f"item_{item.pk}"]
    response = client.post(URL, data)
    assert response.status_code == 400
    assert response.context["form"].errors[f"item_{item.pk}"] == ["请为“幸福感”打分"]
    assert not SurveyAnswer.objects.exists()


def test_a_closed_survey_is_not_offered_nor_answered(client, survey, tree, clock):
    clock.set(2027, 1, 2, 9, 0)
    page = client.get(URL)
    assert page.status_code == 200
    assert "目前没有正在进行的测评" in page.content.decode()
    response = client.post(URL, answer_data(survey, tree["communities"][0], phone="13700001111"))
    assert response.status_code == 302
    assert not SurveyAnswer.objects.exists()
    assert "该测评不在开放期内" in client.get(response["Location"]).content.decode()


def test_answers_are_rate_limited(client, survey, tree, settings):
    settings.CIVICGRID_PUBLIC_SURVEY_LIMIT = (2, 600)
    c0 = tree["communities"][0]
    for phone in ("13700001111", "13700002222"):
        assert client.post(URL, answer_data(survey, c0, phone=phone)).status_code == 302
    response = client.post(URL, answer_data(survey, c0, phone="13700003333"))
    assert response.status_code == 400
    assert "提交过于频繁" in response.content.decode()
    assert SurveyAnswer.objects.count() == 2


def test_posts_need_the_csrf_token(survey, tree):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    response = strict.post(URL, answer_data(survey, tree["communities"][0], phone="13700001111"))
    assert response.status_code == 403
    assert not SurveyAnswer.objects.exists()


# --- the link on the residents' home page ---------------------------------------------------

HOME = "/resident/"


def survey_link(survey):
    return f'href="{URL}?survey={survey.pk}"'


def test_the_home_page_invites_visitors_and_residents_while_a_survey_is_open(client, survey, users):
    response = client.get(HOME)
    assert response.status_code == 200
    text = response.content.decode()
    assert survey_link(survey) in text and "参加满意度测评" in text and survey.title in text
    client.force_login(users["resident"])
    assert survey_link(survey) in client.get(HOME).content.decode()


def test_no_link_once_the_resident_answered_nor_after_the_survey_closed(
    client, survey, users, tree, clock
):
    client.force_login(users["resident"])
    scores = {item.pk: 4 for item in survey.items.all()}
    services.do_answer(
        survey, scores=scores, user=users["resident"], community=tree["communities"][0]
    )
    text = client.get(HOME).content.decode()
    assert client.get(HOME).status_code == 200
    assert "参加满意度测评" not in text and survey_link(survey) not in text
    client.logout()
    assert survey_link(survey) in client.get(HOME).content.decode()
    clock.set(2027, 1, 2, 9, 0)
    text = client.get(HOME).content.decode()
    assert "参加满意度测评" not in text and survey_link(survey) not in text


def test_staff_get_no_link(client, survey, users):
    client.force_login(users["operator"])
    response = client.get(HOME)
    assert response.status_code == 200
    assert "参加满意度测评" not in response.content.decode()
