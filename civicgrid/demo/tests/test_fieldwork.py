"""The demo grid worker's day: tasks on their phone page, patrols along their grid, visits."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from civicgrid.accounts.models import User
from civicgrid.cases.choices import CaseStatus
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.demo.fieldwork import build_demo_fieldwork
from civicgrid.fieldwork import services as field
from civicgrid.fieldwork.choices import PatrolStatus
from civicgrid.fieldwork.models import Patrol, Visit

NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture
def work(small_demo):
    return build_demo_fieldwork(seed=7, now=NOW)


def test_the_grid_worker_has_tasks_patrols_and_visits_in_their_grid(work, client):
    worker = User.objects.get(username="gridworker")
    grid = field.my_micro_grids(worker).order_by("code").first()
    in_grid = Case.objects.filter(micro_grid=grid)
    assert in_grid.filter(status=CaseStatus.DISPATCHED, handled_by_grid=True).exists()
    assert in_grid.filter(status=CaseStatus.ACCEPTED, handled_by_grid=True).exists()
    assert in_grid.filter(status=CaseStatus.HANDLED, handled_by_grid=False).exists()

    patrols = Patrol.objects.filter(worker=worker)
    assert patrols.count() == work["patrol"] >= 5
    assert not patrols.exclude(status=PatrolStatus.FINISHED).exists()
    assert all(len(p.route) >= 3 and p.micro_grid_id == grid.pk for p in patrols)
    # Problems found on patrol became cases reported by the worker.
    assert work["patrol_case"] == Case.objects.filter(patrol_finding__isnull=False).count()

    visits = Visit.objects.filter(worker=worker)
    assert visits.count() == work["visit"] > 0
    assert all(v.micro_grid_id == grid.pk for v in visits)
    summary = field.weekly_summary(worker, today=NOW.date())
    assert sum(row["visits"] for row in summary) == work["visit"]

    # What the phone shows: the tasks waiting for them.
    client.force_login(worker)
    page = client.get("/m/").content.decode()
    for case in in_grid.filter(status__in=[CaseStatus.DISPATCHED, CaseStatus.HANDLED]):
        assert case.number in page


def test_everything_happened_before_now_through_the_services(work):
    assert not CaseEvent.objects.filter(at__gt=NOW).exists()
    assert not Patrol.objects.filter(started_at__gt=NOW).exists()
    assert not Visit.objects.filter(visited_at__gt=NOW).exists()
    assert abs(timezone.now() - datetime.datetime.now(datetime.UTC)) < datetime.timedelta(minutes=1)


def test_same_seed_same_work(small_demo):
    first = build_demo_fieldwork(seed=7, now=NOW)
    rows = list(Visit.objects.order_by("pk").values_list("household_id", "visited_at", "topics"))
    Visit.objects.all().delete()
    Patrol.objects.all().delete()
    again = build_demo_fieldwork(seed=7, now=NOW)
    assert again["visit"] == first["visit"] and again["patrol"] == first["patrol"]
    assert [r[1:] for r in rows] == list(
        Visit.objects.order_by("pk").values_list("visited_at", "topics")
    )


def test_the_patrol_area_needs_a_follow_up_case_and_a_topic_with_its_plan(work, client):
    from civicgrid.cases.choices import CaseSource
    from civicgrid.fieldwork import coverage
    from civicgrid.fieldwork.models import FollowUp, PatrolArea, Topic

    worker = User.objects.get(username="gridworker")
    grid = field.my_micro_grids(worker).order_by("code").first()
    [area] = PatrolArea.objects.filter(worker=worker)
    assert area.micro_grid_id == grid.pk and work["patrol_area"] == 1
    # Morning and afternoon rounds, a few afternoons missed: coverage between 70 % and 100 %.
    figures = coverage.coverage(
        PatrolArea.objects.filter(pk=area.pk), area.start_date, NOW.date() - datetime.timedelta(1)
    )
    done, missed = figures["total"]["done"], figures["total"]["missed"]
    assert done > 0 and missed > 0 and 0.7 <= done / (done + missed) < 1

    tagged = Visit.objects.filter(worker=worker, needs__isnull=False).distinct()
    assert tagged.count() == work["visit_need"] >= 3
    [case_follow_up] = FollowUp.objects.filter(case__isnull=False)
    assert case_follow_up.case.source == CaseSource.VISIT
    assert case_follow_up.case.reporter_user == worker
    [topic] = Topic.objects.all()
    assert topic.community_id == grid.parent_id
    assert topic.work_plan and topic.meeting_date <= NOW.date()
    assert topic.follow_up.visit.worker == worker

    client.force_login(worker)
    page = client.get("/m/topics/").content.decode()
    assert topic.title in page
