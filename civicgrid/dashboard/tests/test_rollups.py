"""The rollups kept up to date case change by case change equal a full rebuild and agree with
cases.indicators.compute for the same period and group."""

import datetime

import pytest
from django.core.management import call_command

from civicgrid.accounts.models import User
from civicgrid.cases import indicators
from civicgrid.cases.models import Case
from civicgrid.dashboard import figures, rollups
from civicgrid.dashboard.models import COUNTERS, KEY_FIELDS, Rollup
from civicgrid.testing.demo import DEMO_NOW as NOW

COMPARED = [
    *indicators.COUNTS,
    *indicators.RATES,
    "grade",
    *figures.ROLLED_QUALITY_COUNTS,
    *indicators.QUALITY_RATES,
]


def state():
    rows = {}
    for r in Rollup.objects.values(*KEY_FIELDS, *COUNTERS):
        counters = tuple(r[c] for c in COUNTERS)
        if any(counters):
            rows[tuple(r[k] for k in KEY_FIELDS)] = counters
    return rows


def test_incremental_equals_rebuild(demo_world):
    incremental = state()
    assert incremental, "the signal handlers wrote nothing"
    counts = rollups.rebuild()
    assert counts["S"] > 0 and counts["O"] > 0
    assert state() == incremental


@pytest.mark.parametrize("group", ["street", "community", "micro_grid", "department", "category"])
@pytest.mark.parametrize("username", ["leader", "community1"])
def test_rollups_agree_with_compute(demo_world, group, username):
    user = User.objects.get(username=username)
    first, last = (NOW - datetime.timedelta(days=45)).date(), NOW.date()
    start, end = indicators.period(first, last)
    for as_of in (NOW, NOW + datetime.timedelta(days=3)):
        expected = indicators.compute(user, start, end, group, as_of=as_of)
        scope = figures.resolve_scope(user, None)
        got = figures.indicator_table(scope, first, last, group, now=as_of)
        assert expected, group
        assert [(r["key"], r["code"]) for r in got] == [(r["key"], r["code"]) for r in expected]
        for g, e in zip(got, expected, strict=True):
            assert {k: g[k] for k in COMPARED} == {k: e[k] for k in COMPARED}, (group, e["name"])


def test_intake_and_open_counts(demo_world):
    cases = Case.objects.all()
    assert sum(Rollup.objects.filter(grain="A").values_list("reported", flat=True)) == len(cases)
    open_now = cases.filter(status__in=rollups.OPEN_STATUSES).count()
    assert sum(Rollup.objects.filter(grain="O").values_list("open", flat=True)) == open_now


def test_command_rebuilds_and_prunes(demo_world, capsys):
    before = state()
    zero_rows = Rollup.objects.filter(grain__in=["P", "O"], open=0, pending=0).count()
    assert zero_rows > 0  # deadlines moved on as the cases went through the loop
    call_command("rebuild_dashboard_rollups", "--prune-only")
    assert f"已删除 {zero_rows} 行" in capsys.readouterr().out
    assert state() == before
    Rollup.objects.all().delete()
    call_command("rebuild_dashboard_rollups")
    assert "大屏汇总已重算" in capsys.readouterr().out
    assert state() == before
