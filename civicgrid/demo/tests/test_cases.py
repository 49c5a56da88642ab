"""The demo's case history: made through the services, consistent, in every state, deterministic."""

import datetime
from collections import defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.demo.cases import build_demo_cases

# Several demo streets built, about a minute in all: the file runs first (testing.schedule).
pytestmark = pytest.mark.long(50)

NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def demo_cases(small_demo):
    return build_demo_cases(120, seed=7, now=NOW)


def test_cases_in_many_states_from_every_source(demo_cases):
    assert Case.objects.count() == 120 == demo_cases["case"]
    statuses = set(Case.objects.values_list("status", flat=True))
    assert {"closed", "not_filed", "merged", "accepted"} <= statuses, statuses
    assert len(statuses) >= 6, statuses
    sources = set(Case.objects.values_list("source", flat=True))
    assert sources == {"grid_patrol", "resident", "hotline_12345", "department", "supervision"}
    actions = set(CaseEvent.objects.values_list("action", flat=True))
    for action in ("file", "dispatch", "accept", "handle", "verify_pass", "rate", "refuse_filing"):
        assert action in actions, action
    # Old cases left open are red after the scan.
    assert Case.objects.filter(warning_level="red").exists()
    # The clock was only moved while building.
    assert abs(timezone.now() - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)
    # Nothing happened after the builder's "now".
    assert not CaseEvent.objects.filter(at__gt=NOW).exists()


def test_each_history_chains_from_report_to_status(demo_cases):
    events = defaultdict(list)
    for e in CaseEvent.objects.order_by("at", "id"):
        events[e.case_id].append(e)
    for case in Case.objects.all():
        chain = events[case.pk]
        assert chain[0].action == "report" and chain[0].from_status == ""
        assert chain[0].at == case.reported_at
        for before, after in zip(chain, chain[1:], strict=False):
            assert after.from_status == before.to_status, (case.number, before, after)
            assert after.at >= before.at
        assert chain[-1].to_status == case.status, case.number


def test_indicators_are_not_trivial(demo_cases, client):
    client.force_login(User.objects.get(username="operator"))
    start = (NOW - datetime.timedelta(days=61)).date()
    response = client.get(
        "/api/cases/indicators/", {"start": start.isoformat(), "end": NOW.date().isoformat()}
    )
    assert response.status_code == 200, response.content
    (row,) = response.json()
    assert row["filed"] > 50 and row["closed"] > 40 and row["rated"] > 20
    assert 0 < row["closure_rate"] < 100
    assert 0 < row["on_time_closure_rate"] < row["closure_rate"]
    assert 0 < row["overdue_rate"] < 100
    assert row["reworked"] > 0 and row["extended"] > 0
    assert 50 < row["satisfaction_rate"] <= 100
    # 先行联系: most 12345 callers rung back within the limit, some later, a few never.
    assert row["hotline_tickets"] > 5 and 50 < row["first_contact_rate"] < 100, row
    assert row["avg_handling_hours"] > 0


def test_the_queue_looks_like_a_street_at_work(demo_cases):
    """Most cases move through the loop; a report waits for 立案 only on its day; a handful are
    late; closures are rated and a few 不满意 ratings show in 满意率."""
    from civicgrid.cases import indicators
    from civicgrid.cases.models import CaseRating, CoHandling

    day_ago = NOW - datetime.timedelta(days=1)
    waiting = Case.objects.filter(status="reported")
    assert waiting.exists() and not waiting.filter(reported_at__lt=day_ago).exists()
    assert Case.objects.filter(reported_at__gte=NOW - datetime.timedelta(hours=6)).count() >= 3
    open_cases = Case.objects.exclude(
        status__in=["closed", "not_filed", "merged", "sent_back", "withdrawn"]
    )
    red = open_cases.filter(warning_level="red").count()
    assert 0 < red <= 10 and red < open_cases.count() / 2, (red, open_cases.count())
    assert open_cases.count() < Case.objects.count() / 3
    assert CaseRating.objects.filter(rating="unsatisfied").exists()
    # 协办: open cases with a co-handling department, one that gave its feedback and one the lead
    # still waits for.
    parts = CoHandling.objects.filter(case__in=open_cases)
    assert parts.filter(status="done").exclude(feedback="").exists()
    assert parts.filter(status="open").exists()
    assert not parts.filter(department=F("case__assigned_department")).exists()
    # 催办: cases near their deadline hurried once, overdue ones twice, each step in the history.
    hurried = open_cases.filter(hurry_count__gt=0)
    assert hurried.filter(warning_level="yellow", hurry_count=1).exists()
    assert hurried.filter(warning_level="red", hurry_count=2).exists()
    for case in hurried:
        assert case.events.filter(action="hurry").count() == case.hurry_count
    assert not open_cases.filter(warning_level="", hurry_count__gt=0).exists()
    start, end = indicators.period((NOW - datetime.timedelta(days=61)).date(), NOW.date())
    (row,) = indicators.compute(User.objects.get(username="operator"), start, end, as_of=NOW)
    assert 50 < row["satisfaction_rate"] < 100


def test_deterministic_with_the_seed(small_demo):
    def snapshot():
        return list(
            Case.objects.order_by("number").values_list(
                "number", "status", "category_id", "source", "reported_at", "handling_deadline"
            )
        )

    build_demo_cases(40, seed=7, now=NOW)
    first = snapshot()
    from civicgrid.cases.models import (
        CallIn,
        CaseNumberCounter,
        CaseRating,
        CoHandling,
        ExtensionRequest,
        HotlineAttempt,
        HotlineMessage,
    )

    CoHandling.objects.all().delete()  # its feedback points at a history row
    # History rows refuse deletion through the ORM (immutable by design); wipe them raw to
    # build the same cases a second time in the same database.
    CaseEvent.objects.all()._raw_delete(CaseEvent.objects.db)

    CallIn.objects.all().delete()
    for model in (HotlineAttempt, HotlineMessage, CaseRating):
        model.objects.all()._raw_delete(model.objects.db)
    ExtensionRequest.objects.all().delete()
    Case.objects.update(merged_into=None)
    Case.objects.all().delete()
    CaseNumberCounter.objects.all().delete()
    build_demo_cases(40, seed=7, now=NOW)
    assert snapshot() == first and len(first) == 40


def test_command_option(db):
    args = ["--seed", "7", "--communities", "2", "--micro-grids-per-street", "8"]
    args += ["--households-per-building-group", "3"]
    call_command("load_demo_street", *args, "--cases", "12")
    # The 12 cases, plus the demo grid worker's own (civicgrid.demo.fieldwork): 3 in their grid,
    # the problems their patrols turned into cases and the visit follow-up turned into one.
    from civicgrid.cases.choices import CaseSource
    from civicgrid.fieldwork.models import PatrolFinding

    from_patrols = PatrolFinding.objects.filter(case__isnull=False).count()
    from_visits = Case.objects.filter(source=CaseSource.VISIT).count()
    assert from_visits == 1
    # 垃圾分类 inspections that failed opened cases for the 物业 (civicgrid.demo.sorting).
    from civicgrid.sorting.models import Inspection

    from_sorting = Inspection.objects.filter(case__isnull=False).count()
    assert Case.objects.filter(source=CaseSource.SUPERVISION).count() >= from_sorting
    # 门责 inspections' failed items opened cases too (civicgrid.demo.shops).
    from civicgrid.shops.models import InspectionResult

    from_shops = (
        InspectionResult.objects.filter(case__isnull=False).values("case").distinct().count()
    )
    assert from_shops > 0
    # The later programmes' cases: a red rental house's case for the fire office, a parking
    # dispute sent to the loop, a coordination meeting's agreed action.
    from civicgrid.firesafety.models import RentalHouse
    from civicgrid.meetings.models import AgreedAction
    from civicgrid.parking.models import Escalation

    from_programmes = set()
    # 防汛应急: the replayed typhoon's 积水 reports and a drill's finding (civicgrid.demo.emergency).
    from civicgrid.emergency.models import DrillFinding, FloodReport

    for model in (RentalHouse, AgreedAction, Escalation, FloodReport, DrillFinding):
        from_programmes |= set(model.objects.exclude(case=None).values_list("case", flat=True))
    assert from_programmes
    loaded = 12 + 3 + from_patrols + from_visits + from_sorting + from_shops
    loaded += len(from_programmes)
    # 创建创评: the live 督查 rounds' failures opened cases (civicgrid.demo.campaigns).
    from civicgrid.campaigns.models import InspectionResult as CampaignResult

    loaded += CampaignResult.objects.exclude(case=None).values("case").distinct().count()
    # 主动治理: the seeded residents' reports (phones 139 1234 56xx, civicgrid.demo.proactive)
    # and the 主动发现 finding on a patrol task.
    from django.db.models import Q

    loaded += Case.objects.filter(
        Q(reporter_phone__startswith="139123456") | Q(source=CaseSource.PROACTIVE)
    ).count()
    assert Case.objects.count() == loaded
    # Last quarter's satisfaction survey with its answers (civicgrid.demo.survey).
    from civicgrid.demo.survey import DEFAULT_ANSWERS
    from civicgrid.survey.models import Survey, SurveyAnswer

    assert Survey.objects.count() == 1 and SurveyAnswer.objects.count() == DEFAULT_ANSWERS
    # --if-empty on a loaded street adds nothing.
    call_command("load_demo_street", "--if-empty", "--cases", "5")
    assert Case.objects.count() == loaded


def test_no_cases(db):
    call_command(
        "load_demo_street",
        *["--communities", "2", "--micro-grids-per-street", "8"],
        *["--households-per-building-group", "3", "--cases", "0"],
    )
    assert Case.objects.count() == 0
