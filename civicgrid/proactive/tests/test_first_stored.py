"""未诉先办 stored per case (proactive.first) gives the answers of the rule (indicators.classify)
however the cases arrive: out of order (a late report with an earlier time takes "first" from a
case after it), moved on the map, re-categorised at filing, refused; the rebuild command writes
the same rows; the dashboard tile's shares are the rule's on the demo street."""

import datetime
import random

import pytest
from django.core.management import call_command
from django.db.models import F
from django.utils import timezone

from civicgrid.cases import services as cases
from civicgrid.cases.models import Case
from civicgrid.proactive import first, indicators, reports
from civicgrid.proactive.models import FirstReport
from civicgrid.proactive.tests.conftest import at
from civicgrid.testing.fixtures import category
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db

FAR = datetime.timedelta(days=400)


def _stored():
    return {
        pk: "found" if kind == "found" else "residents"
        for pk, kind in FirstReport.objects.filter(earlier=0).values_list("case_id", "kind")
    }


def _by_rule():
    rows = indicators.classify(None, at(0) - FAR, at(0) + FAR)
    return {r["pk"]: r["first"] for r in rows if r["first"]}


def _rows():
    return set(
        FirstReport.objects.values_list(
            "case_id", "kind", "earlier", "micro_grid_id", "reported_at"
        )
    )


def test_a_late_report_takes_first_from_the_case_after_it(report, users):
    spot = IN_MICRO[1]
    patrol = report(at(2), point=spot, user=users["worker"], source="grid_patrol")
    assert FirstReport.objects.get(case=patrol).earlier == 0
    # A complaint written now, reported three days ago 30 m away: it came before the patrol.
    late = report(at(3), point=(spot[0] + 0.0003, spot[1]), source="resident")
    assert FirstReport.objects.get(case=patrol).earlier == 1
    assert FirstReport.objects.get(case=late).earlier == 0
    assert _stored() == _by_rule() == {late.pk: "residents"}
    # Refused, the complaint no longer counts: the patrol is found first again.
    cases.do_refuse_filing(late, users["chief"], reason="重复上报，不予立案")
    assert not FirstReport.objects.filter(case=late).exists()
    assert _stored() == _by_rule() == {patrol.pk: "found"}


def test_deferred_upkeep_writes_the_same_counts_once_at_the_end(report, users):
    # The demo builder's way: no counts while the cases are written, the rule's after.
    spot = IN_MICRO[1]
    with first.deferred():
        patrol = report(at(2), point=spot, user=users["worker"], source="grid_patrol")
        late = report(at(3), point=(spot[0] + 0.0003, spot[1]), source="resident")
        assert not FirstReport.objects.exists()
    assert FirstReport.objects.get(case=patrol).earlier == 1
    assert _stored() == _by_rule() == {late.pk: "residents"}
    # Outside it, each step keeps the counts again.
    cases.do_refuse_filing(late, users["chief"], reason="重复上报，不予立案")
    assert _stored() == _by_rule() == {patrol.pk: "found"}


def test_stored_answers_follow_the_rule_on_a_generated_street(report, users, tree, garbage):
    rnd = random.Random(12)
    other = category("event", "0201")
    micro = tree["micro_grids"]
    made = []
    # Reported out of order over 40 days, around four spots 1 km apart: within a spot many
    # pairs lie inside the 100 m radius and many outside.
    for i in range(90):
        k = rnd.randrange(4)
        base = IN_MICRO[k]
        point = None
        if rnd.random() > 0.2:
            point = (base[0] + rnd.uniform(-0.0015, 0.0015), base[1] + rnd.uniform(-0.001, 0.001))
        kind = rnd.choice(["resident", "hotline_12345", "grid_patrol", "grid_patrol"])
        extra = {"micro_grid": micro[k]} if point is None else {}
        if kind == "hotline_12345":
            extra["external_ticket"] = f"T{i}"
        made.append(
            report(
                at(rnd.uniform(0, 40)),
                point=point,
                category=rnd.choice([garbage, garbage, other]),
                user=users["worker"] if kind == "grid_patrol" else None,
                source=kind,
                **extra,
            )
        )
    assert _stored() == _by_rule()
    # Later steps move what the rule reads: a category corrected at filing, a point moved on
    # the map (within its micro-grid or to another), a report refused.
    for case in rnd.sample(made, 30):
        case.refresh_from_db()
        if case.status != "reported":
            continue
        step = rnd.choice(["file", "locate", "locate", "refuse"])
        if step == "file":
            new = other if case.category_id == garbage.pk else garbage
            cases.do_file(case, users["operator"], category=new)
        elif step == "locate":
            base = IN_MICRO[rnd.randrange(4)]
            cases.do_locate(
                case,
                users["operator"],
                lon=base[0] + rnd.uniform(-0.0008, 0.0008),
                lat=base[1] + rnd.uniform(-0.0008, 0.0008),
            )
        else:
            cases.do_refuse_filing(case, users["chief"], reason="不属于受理范围")
    by_rule = _by_rule()
    assert _stored() == by_rule
    found = sum(1 for v in by_rule.values() if v == "found")
    assert 0 < found < len(by_rule)  # both answers occur, and not every case is first
    assert len(by_rule) < Case.objects.count()
    incremental = _rows()
    call_command("rebuild_first_reports", verbosity=0)
    assert _rows() == incremental
    # The periodic job's part (rebuild_since): every count made wrong, it puts right those of the
    # cases from `since` on, and only those.
    since = at(10)
    FirstReport.objects.update(earlier=F("earlier") + 1)
    done = first.rebuild_since(since)
    recent = {r for r in incremental if r[4] >= since}
    assert done["corrected"] == done["cases"] == len(recent) > 0
    assert {r for r in _rows() if r[4] >= since} == recent
    assert {r for r in _rows() if r[4] < since} == {
        (*r[:2], r[2] + 1, *r[3:]) for r in incremental if r[4] < since
    }


def _shares_by_rule(micro_ids, first, last):
    """The tile's shares as they were computed before the stored answers (classify on read),
    except that a scoped view classifies among all the street's cases: before, a complaint at
    the scope's edge counted as "first" although a case found 50 m away, across the edge, came
    before it."""
    months = indicators.month_starts(last, reports.MONTHS)
    rows = indicators.classify(
        None,
        indicators._aware(min(first, months[0])),
        indicators._aware(last + datetime.timedelta(days=1)),
    )
    if micro_ids is not None:
        rows = [r for r in rows if r["micro_grid_id"] in micro_ids]
    return indicators.tally_firsts(rows, first, months)


@pytest.mark.long(15)
def test_the_tile_gives_the_rules_shares_on_the_demo(small_demo):
    from civicgrid.demo.cases import build_demo_cases
    from civicgrid.demo.fieldwork import build_demo_fieldwork
    from civicgrid.grids.models import Grid

    now = timezone.make_aware(datetime.datetime(2026, 11, 20, 15, 0))
    build_demo_cases(300, seed=7, now=now)
    # The demo grid worker's patrols and visits: cases found by the street's people.
    build_demo_fieldwork(seed=7, now=now)
    last = timezone.localdate(now)
    assert _stored() == _by_rule()
    community = Grid.objects.filter(level="community").order_by("code").first()
    scopes = [None, list(Grid.objects.filter(parent=community).values_list("pk", flat=True))]
    for micro_ids in scopes:
        for since in (last.replace(day=1), last - datetime.timedelta(days=200)):
            grid, month = _shares_by_rule(micro_ids, since, last)
            tile = reports.shares(micro_ids, since, last)
            assert [(m["month"], m["found"], m["residents"]) for m in tile["by_month"]] == [
                (m, v["found"], v["residents"]) for m, v in month.items()
            ]
            assert (tile["found"], tile["residents"]) == (
                sum(g["found"] for g in grid.values()),
                sum(g["residents"] for g in grid.values()),
            )
            assert sorted((g["found"], g["residents"]) for g in tile["by_grid"]) == sorted(
                (g["found"], g["residents"]) for g in grid.values()
            )
            if micro_ids is None:
                assert tile["found"] > 0 and tile["residents"] > 0
