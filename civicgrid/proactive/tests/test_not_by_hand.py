"""A finding on a proactive patrol task still makes a 主动发现 case, while the same worker's
report through the API with `source` 主动发现 is refused (cases.choices.SOURCES_NOT_BY_HAND)."""

import pytest

from civicgrid.cases.choices import CaseSource
from civicgrid.cases.models import Case
from civicgrid.proactive import services
from civicgrid.proactive.models import StandingProblem
from civicgrid.proactive.tests.conftest import GROUP_0, NOW, at

pytestmark = pytest.mark.django_db
ADDRESS = "秀沿路1501弄12号"


def test_only_the_finding_makes_a_proactive_case(api, users, report, garbage):
    for d in (3, 2, 1):
        report(at(d), address=ADDRESS)
    services.do_detect(now=NOW)
    problem = StandingProblem.objects.get()
    by_hand = api(users["worker"]).post(
        "/api/cases/",
        {
            "category": garbage.pk,
            "description": "又堆了三袋",
            "lon": GROUP_0[0],
            "lat": GROUP_0[1],
            "source": "proactive",
        },
        format="json",
    )
    assert by_hand.status_code == 400
    assert by_hand.data["source"] == ["主动发现只能由主动治理巡查任务的发现生成"]
    assert not Case.objects.filter(source=CaseSource.PROACTIVE).exists()

    task = services.do_create_task(
        users["staff"], problem=problem, assignee=users["worker"], look_for="垃圾是否复堆"
    )
    found = api(users["worker"]).post(
        f"/api/proactive/tasks/{task.pk}/finding/",
        {"finding": "又堆了三袋", "found_problem": True},
        format="json",
    )
    assert found.status_code == 200, found.data
    case = Case.objects.get(source=CaseSource.PROACTIVE)
    assert case.number == found.json()["case_number"]
    assert case.reporter_user == users["worker"]
