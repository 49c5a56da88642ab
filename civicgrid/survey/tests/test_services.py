"""The satisfaction survey: one answer per account or phone, every item scored 1–5, the comment
through the text rules, only while open; nothing written on a refusal; results per 居村."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from civicgrid.survey import services
from civicgrid.survey.models import SurveyAnswer, SurveyScore

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(clock, tree):
    return services.do_create_survey(
        title="2026年第四季度居民满意度测评",
        start_date=datetime.date(2026, 11, 1),
        end_date=datetime.date(2026, 12, 31),
    )


def scores(survey, *values):
    return {item.pk: v for item, v in zip(survey.items.all(), values, strict=True)}


def test_the_default_items_and_an_answer_by_account_and_by_phone(survey, users, tree):
    assert [i.name for i in survey.items.all()] == ["获得感", "幸福感", "满意度"]
    c0, c1 = tree["communities"]
    services.do_answer(survey, scores=scores(survey, 5, 4, 5), user=users["resident"], community=c0)
    services.do_answer(survey, scores=scores(survey, 3, 4, 2), phone="13700001111", community=c0)
    services.do_answer(survey, scores=scores(survey, 4, 4, 4), phone="13700002222", community=c1)
    result = services.results(survey)
    assert result["answers"] == 3
    assert result["averages"] == {"获得感": 4.0, "幸福感": 4.0, "满意度": 3.67}
    by = {r["community"]: r for r in result["communities"]}
    assert by[c0.name]["answers"] == 2 and by[c0.name]["averages"]["满意度"] == 3.5
    assert by[c1.name]["averages"] == {"获得感": 4.0, "幸福感": 4.0, "满意度": 4.0}


def test_once_per_account_and_per_phone(survey, users, tree):
    c0 = tree["communities"][0]
    services.do_answer(survey, scores=scores(survey, 5, 5, 5), user=users["resident"], community=c0)
    services.do_answer(survey, scores=scores(survey, 5, 5, 5), phone="13700001111", community=c0)
    for kwargs in ({"user": users["resident"]}, {"phone": "13700001111"}):
        with pytest.raises(ValidationError) as error:
            services.do_answer(survey, scores=scores(survey, 1, 1, 1), community=c0, **kwargs)
        assert error.value.message_dict == {"survey": ["您已参加过本次测评"]}
    assert SurveyAnswer.objects.count() == 2 and SurveyScore.objects.count() == 6


@pytest.mark.parametrize(
    "values, extra, field, message",
    [
        ((5, 6, 5), {}, "scores", "请为每一项打 1–5 分：幸福感"),
        ((5, 5, 5), {"comment": "好\x07评"}, "comment", None),
        ((5, 5, 5), {"phone": "12345"}, "phone", "请填写11位手机号"),
        ((5, 5, 5), {"community": None}, "community", "请选择所在居村"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(survey, tree, values, extra, field, message):
    kwargs = {"phone": "13700001111", "community": tree["communities"][0], **extra}
    with pytest.raises(ValidationError) as error:
        services.do_answer(survey, scores=scores(survey, *values), **kwargs)
    assert field in error.value.message_dict
    if message:
        assert error.value.message_dict[field] == [message]
    assert not SurveyAnswer.objects.exists() and not SurveyScore.objects.exists()


def test_closed_surveys_and_staff_are_refused(survey, users, tree, clock):
    c0 = tree["communities"][0]
    with pytest.raises(ValidationError) as error:
        services.do_answer(
            survey, scores=scores(survey, 5, 5, 5), user=users["worker"], community=c0
        )
    assert error.value.message_dict == {"user": ["满意度测评仅供居民填写"]}
    clock.set(2027, 1, 5, 9, 0)
    assert not services.open_surveys().exists()
    with pytest.raises(ValidationError) as error:
        services.do_answer(
            survey, scores=scores(survey, 5, 5, 5), phone="13700001111", community=c0
        )
    assert error.value.message_dict == {"survey": ["该测评不在开放期内"]}


def test_answers_are_never_changed(survey, tree):
    answer = services.do_answer(
        survey,
        scores=scores(survey, 5, 5, 5),
        phone="13700001111",
        community=tree["communities"][0],
    )
    with pytest.raises(TypeError):
        answer.save()
    with pytest.raises(TypeError):
        SurveyAnswer.objects.all().delete()
    with pytest.raises(TypeError):
        SurveyScore.objects.update(score=1)
