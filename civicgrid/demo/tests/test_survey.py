"""The demo survey: one street-wide survey for the last quarter, answers through the services
spread over every 居村, the same for the same seed, and not added twice."""

import datetime

import pytest
from django.utils import timezone

from civicgrid.demo.survey import build_demo_survey, last_quarter
from civicgrid.survey import services
from civicgrid.survey.models import Survey, SurveyAnswer, SurveyScore
from civicgrid.testing.world import local

pytestmark = pytest.mark.django_db

NOW = local(2026, 12, 2, 9, 0)


@pytest.mark.parametrize(
    "today, first, last",
    [
        ((2026, 12, 2), (2026, 7, 1), (2026, 9, 30)),
        ((2026, 1, 15), (2025, 10, 1), (2025, 12, 31)),
        ((2026, 4, 1), (2026, 1, 1), (2026, 3, 31)),
    ],
)
def test_last_quarter(today, first, last):
    assert last_quarter(datetime.date(*today)) == (datetime.date(*first), datetime.date(*last))


def test_one_street_survey_with_answers_in_every_community(tree):
    counts = build_demo_survey(seed=5, now=NOW, answers=60)
    assert counts["survey"] == 1 and counts["answer"] == 60
    survey = Survey.objects.get()
    assert survey.title == "2026年第3季度居民满意度测评" and survey.community is None
    assert (survey.start_date, survey.end_date) == (
        datetime.date(2026, 7, 1),
        datetime.date(2026, 9, 30),
    )
    assert SurveyAnswer.objects.count() == 60 and SurveyScore.objects.count() == 180
    dates = {timezone_date(a) for a in SurveyAnswer.objects.all()}
    assert min(dates) >= survey.start_date and max(dates) <= survey.end_date
    result = services.results(survey)
    assert {r["community"] for r in result["communities"]} == {c.name for c in tree["communities"]}
    assert all(1 <= v <= 5 for v in result["averages"].values())
    # Running it again adds nothing.
    assert build_demo_survey(seed=5, now=NOW, answers=60) == {}
    assert SurveyAnswer.objects.count() == 60


def timezone_date(answer):
    return timezone.localtime(answer.answered_at).date()


def test_the_same_seed_gives_the_same_answers(tree):
    def snapshot():
        return sorted(
            (
                a.phone,
                a.community_id,
                a.comment,
                a.answered_at,
                tuple(sorted(a.scores.values_list("score", flat=True))),
            )
            for a in SurveyAnswer.objects.prefetch_related("scores")
        )

    build_demo_survey(seed=5, now=NOW, answers=30)
    first = snapshot()
    SurveyScore.objects.all()._raw_delete(SurveyScore.objects.db)
    SurveyAnswer.objects.all()._raw_delete(SurveyAnswer.objects.db)
    Survey.objects.all().delete()
    build_demo_survey(seed=5, now=NOW, answers=30)
    assert snapshot() == first
