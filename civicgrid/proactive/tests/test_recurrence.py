"""一弄一案 detection with known figures: the threshold (3 in 30 days), the window's edges, the
category group, the three place levels, 返潮 after closing, and running twice."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.cases.models import Category
from civicgrid.cases.services import IllegalTransition
from civicgrid.proactive import services
from civicgrid.proactive.choices import PlaceKind, ProblemState
from civicgrid.proactive.models import ProblemEvent, StandingProblem
from civicgrid.proactive.tests.conftest import GROUP_0, GROUP_0B, GROUP_1, NOW, at
from civicgrid.testing.world import IN_MICRO, category

pytestmark = pytest.mark.django_db

ADDRESS = "秀沿路1501弄12号"


def test_three_at_one_address_within_thirty_days_make_one_item(report):
    cases = [report(at(d), address=ADDRESS) for d in (29, 12, 1)]
    out = services.do_detect(now=NOW)
    assert out == {"created": 1, "gathered": 0, "recurred": 0}
    item = StandingProblem.objects.get()
    assert item.place_kind == PlaceKind.ADDRESS
    assert item.title == "秀沿路1501弄12号 · 暴露垃圾"
    assert item.state == ProblemState.OPEN
    assert item.case_count == 3
    assert {link.case_id for link in item.links.all()} == {c.pk for c in cases}
    assert list(item.events.values_list("action", flat=True)) == ["detect"]
    # Again: nothing new, no second item.
    assert services.do_detect(now=NOW) == {"created": 0, "gathered": 0, "recurred": 0}
    assert StandingProblem.objects.count() == 1


def test_two_are_not_enough(report):
    report(at(3), address=ADDRESS)
    report(at(2), address=ADDRESS)
    assert services.do_detect(now=NOW)["created"] == 0
    assert not StandingProblem.objects.exists()


def test_the_window_edge_is_included_and_a_minute_earlier_is_not(report):
    # Exactly 30 days before now counts (reported_at >= now - 30 days) …
    report(at(30), address=ADDRESS)
    report(at(15), address=ADDRESS)
    report(at(0, minutes=5), address=ADDRESS)
    assert services.do_detect(now=NOW)["created"] == 1


def test_a_minute_outside_the_window_does_not_count(report):
    report(at(30, minutes=1), address=ADDRESS)
    report(at(15), address=ADDRESS)
    report(at(0, minutes=5), address=ADDRESS)
    assert services.do_detect(now=NOW)["created"] == 0


def test_a_category_group_counts_as_one_category(report, garbage):
    other = category("community", "0101")  # 楼道堆物
    Category.objects.filter(pk__in=[garbage.pk, other.pk]).update(group="rubbish")
    report(at(5), address=ADDRESS)
    report(at(4), address=ADDRESS, category=other)
    report(at(3), address=ADDRESS, category=other)
    services.do_detect(now=NOW)
    item = StandingProblem.objects.get()
    assert item.category_key == "g:rubbish"
    assert item.case_count == 3


def test_different_categories_without_a_group_do_not_add_up(report):
    other = category("community", "0101")
    report(at(5), address=ADDRESS)
    report(at(4), address=ADDRESS, category=other)
    report(at(3), address=ADDRESS, category=other)
    assert services.do_detect(now=NOW)["created"] == 0


def test_building_group_then_micro_grid_level(report, tree):
    micro = tree["micro_grids"]
    # Three different doors in building group 0 → one item for the building group.
    report(at(6), point=GROUP_0, address="秀沿路1501弄1号")
    report(at(5), point=GROUP_0B, address="秀沿路1501弄2号")
    report(at(4), point=GROUP_0, address="秀沿路1501弄3号")
    # Two in building group 1 and one in micro-grid 0 without a point: no address or building
    # group has three, micro-grid 0 has three besides the ones already used → one more item.
    report(at(6), point=GROUP_1, address="秀沿路1501弄21号")
    report(at(5), point=GROUP_1, address="秀沿路1501弄22号")
    report(at(4), point=None, micro_grid=micro[0])
    assert services.do_detect(now=NOW)["created"] == 2
    group_item = StandingProblem.objects.get(place_kind=PlaceKind.BUILDING_GROUP)
    assert group_item.building_group == tree["building_groups"][0]
    assert group_item.case_count == 3
    micro_item = StandingProblem.objects.get(place_kind=PlaceKind.MICRO_GRID)
    assert micro_item.micro_grid == micro[0]
    assert micro_item.case_count == 3
    # A fourth in building group 0 goes to the most precise item: the building group's.
    report(at(1), point=GROUP_0, address="秀沿路1501弄4号")
    assert services.do_detect(now=NOW)["gathered"] == 1
    group_item.refresh_from_db()
    micro_item.refresh_from_db()
    assert (group_item.case_count, micro_item.case_count) == (4, 3)


def test_new_cases_gather_into_an_open_item(report):
    for d in (9, 8, 7):
        report(at(d), address=ADDRESS)
    services.do_detect(now=at(6))
    report(at(2), address=ADDRESS)
    assert services.do_detect(now=NOW) == {"created": 0, "gathered": 1, "recurred": 0}
    item = StandingProblem.objects.get()
    assert item.case_count == 4
    assert list(item.events.values_list("action", flat=True)) == ["detect", "gather"]


@pytest.fixture
def closed_item(report, users):
    for d in (60, 59, 58):
        report(at(d), address=ADDRESS)
    services.do_detect(now=at(57))
    item = StandingProblem.objects.get()
    services.do_plan(
        item, users["operator"], owner=users["gridhead"], plan="协调物业增设垃圾桶", now=at(55)
    )
    return services.do_close(item, users["operator"], note="已增设垃圾桶，每日清运两次", now=at(50))


def test_a_case_after_closing_is_recurrence(closed_item, report):
    report(at(10), address=ADDRESS)
    assert services.do_detect(now=NOW) == {"created": 0, "gathered": 0, "recurred": 1}
    item = StandingProblem.objects.get()
    assert item.state == ProblemState.RECURRED
    assert item.recurrences == 1
    assert item.case_count == 4
    assert item.links.filter(is_recurrence=True).count() == 1
    assert list(item.events.values_list("action", flat=True)) == [
        "detect",
        "plan",
        "close",
        "recur",
    ]


def test_recurrence_window_edge(closed_item, report, settings):
    # Closed at now − 50 days; RECUR_DAYS = 40 → the watch ended at now − 10 days: a case
    # at now − 10 days exactly is 返潮, one a minute later is not (and alone is no new item).
    settings.CIVICGRID_PROACTIVE_RECUR_DAYS = 40
    report(at(10, minutes=-1), address=ADDRESS)
    assert services.do_detect(now=NOW)["recurred"] == 0
    assert StandingProblem.objects.get().state == ProblemState.CLOSED
    report(at(10), address=ADDRESS)
    assert services.do_detect(now=NOW)["recurred"] == 1


def test_three_again_long_after_closing_bring_the_item_back(closed_item, report, settings):
    settings.CIVICGRID_PROACTIVE_RECUR_DAYS = 20
    for d in (3, 2, 1):
        report(at(d), address=ADDRESS)
    assert services.do_detect(now=NOW) == {"created": 0, "gathered": 0, "recurred": 1}
    item = StandingProblem.objects.get()
    assert (item.state, item.recurrences, item.case_count) == (ProblemState.RECURRED, 1, 6)


def test_refused_cases_are_not_problems(report, users):
    from civicgrid.cases import services as cases

    for d in (3, 2, 1):
        case = report(at(d), address=ADDRESS)
    cases.do_refuse_filing(case, users["chief"], reason="重复上报")
    assert services.do_detect(now=NOW)["created"] == 0


def test_plan_and_close_checks(closed_item, users, report):
    item = closed_item
    with pytest.raises(IllegalTransition):
        services.do_close(item, users["operator"], note="再次销号")
    for d in (3, 2, 1):
        report(at(d), point=IN_MICRO[2], address="秀沿路1600弄1号")
    services.do_detect(now=NOW)
    other = StandingProblem.objects.get(address="秀沿路1600弄1号")
    # 居委 staff of community 0 may not keep an item of community 1.
    with pytest.raises(PermissionDenied):
        services.do_plan(other, users["staff"], owner=users["worker2"], plan="清理")
    with pytest.raises(ValidationError) as error:
        services.do_plan(other, users["staff2"], owner=users["resident"], plan="  ")
    assert set(error.value.message_dict) == {"plan", "owner"}
    other.refresh_from_db()
    assert other.state == ProblemState.OPEN and other.plan == ""
    assert ProblemEvent.objects.filter(problem=other).count() == 1


def test_history_rows_are_immutable(closed_item):
    event = closed_item.events.first()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        ProblemEvent.objects.all().delete()


def test_periodic_scan_runs_everything(report, settings):
    for d in (3, 2, 1):
        report(at(d), address=ADDRESS)
    out = services.scan(now=NOW)
    assert out["created"] == 1
    assert out["anomalies"] == 0
    assert settings.CIVICGRID_PERIODIC_JOBS["proactive_scan"]["call"] == (
        "civicgrid.proactive.services.scan"
    )
