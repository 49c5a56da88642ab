"""The four quality indicators (有效上报率, 按时核实率, 解决率, 先行联系及时率) in the dashboard's
rollups, on cases walked through the services with known figures: the page, the big screen's
JSON and the Excel export show them, equal to cases.indicators.compute, and a rebuild from the
history gives the same rows."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from civicgrid.cases import indicators, services
from civicgrid.cases import signals as case_signals
from civicgrid.cases.models import Case
from civicgrid.dashboard import figures, rollups
from civicgrid.dashboard.models import COUNTERS, KEY_FIELDS, Rollup, VerificationTally
from civicgrid.testing.cases import case_in_state, report, walk_to
from civicgrid.testing.world import IN_MICRO

HOTLINE = "/api/cases/hotline/"
QUALITY = {
    "valid_report_rate": 80.0,  # 4 filed of 5 decided reports (one still 待受理 is not counted)
    "on_time_verification_rate": 66.7,  # 2 of 3 核查 within 1 working hour
    "resolution_rate": 50.0,  # 1 of 2 closures answered 是否解决
    "first_contact_rate": 50.0,  # 1 of 2 filed 12345 tickets contacted within 2 hours
}


def push_ticket(api, users, garbage, ticket):
    pushed = api(users["operator"]).post(
        HOTLINE,
        {
            "ticket": ticket,
            "category": garbage.pk,
            "description": "楼下垃圾多日未清运",
            "lon": IN_MICRO[0][0],
            "lat": IN_MICRO[0][1],
            "hotline_request_type": "help",
            "dispatched_at": "2026-11-23T09:00:00+08:00",
        },
        format="json",
    )
    assert pushed.status_code == 201, pushed.data
    return Case.objects.get(number=pushed.data["number"])


def rows():
    return {
        tuple(r[k] for k in KEY_FIELDS): tuple(r[c] for c in COUNTERS)
        for r in Rollup.objects.values(*KEY_FIELDS, *COUNTERS)
        if any(r[c] for c in COUNTERS)
    }


@pytest.fixture
def quality_world(api, users, garbage, clock, settings):
    settings.CIVICGRID_FIRST_CONTACT_HOURS = 2
    # Checked at once, closed, solved: one 核查 on time.
    case_in_state("closed", users, cat=garbage)
    # Checked a working day after the feedback and failed (late), handled again and passed at
    # once but not solved: two 核查, one on time.
    late = case_in_state("handled", users, cat=garbage)
    clock.advance(days=1)
    services.do_verify_fail(late, users["operator"], reason="现场仍有垃圾,请返工")
    services.do_handle(late, users["handler"], result="已再次清理")
    services.do_verify_pass(late, users["operator"], resolved=False, note="业主拒不配合")
    # Refused (decided, not valid) and one still waiting (not decided yet).
    walk_to(report(users["resident"], garbage), "not_filed", users)
    report(users["resident"], garbage)
    # Two 12345 tickets dispatched by the hotline at 9:00 on Monday, both filed: one contacted
    # at 10:40 that day (on time), one never.
    clock.set(2026, 11, 23, 10, 40)
    contacted = push_ticket(api, users, garbage, "SH12345-Q-1")
    services.do_first_contact(contacted, users["operator"], note="已回电")
    silent = push_ticket(api, users, garbage, "SH12345-Q-2")
    for ticket in (contacted, silent):
        services.do_file(ticket, users["operator"])
    clock.set(2026, 11, 25, 10, 0)
    return users


def test_quality_rates_in_the_rollups_equal_compute(quality_world):
    leader = quality_world["leader"]
    today = datetime.date(2026, 11, 25)
    first = today - datetime.timedelta(days=29)
    scope = figures.resolve_scope(leader, None)
    kpi = figures.dashboard(scope, first, today)["kpi"]
    assert {k: kpi[k] for k in QUALITY} == QUALITY

    start, end = indicators.period(first, today)
    expected = indicators.compute(leader, start, end, "street")[0]
    got = figures.indicator_table(scope, first, today, "street")[0]
    for name in [*figures.ROLLED_QUALITY_COUNTS, *indicators.QUALITY_RATES]:
        assert got[name] == expected[name], name
    assert (got["verified"], got["verified_on_time"]) == (3, 2)
    assert (got["reported"], got["reported_filed"]) == (5, 4)

    # Rebuilt from the cases and their history: the same rows, the same 核查 tallies.
    incremental = rows()
    tallies = set(VerificationTally.objects.values_list("case_id", "verified", "on_time"))
    assert sorted(t[1:] for t in tallies) == [(1, 1), (2, 1)]
    VerificationTally.objects.all().delete()
    rollups.rebuild()
    assert rows() == incremental
    assert set(VerificationTally.objects.values_list("case_id", "verified", "on_time")) == tallies


def test_a_case_moved_to_another_grid_takes_its_checks_along(quality_world, tree):
    """The 核查 counted for a case follow it when a step moves it within the cohort (here a
    case re-placed on another micro-grid after its checks)."""
    case = Case.objects.filter(rework_count=1).get()
    other = tree["micro_grids"][2]
    before = rows()
    # Written directly and announced as a step would (cases.signals), like a relocation.
    state = case_signals.stored_state(case)
    case.micro_grid = other
    case.save(update_fields=["micro_grid"])
    case_signals.send_case_changed(case, state)
    after = rows()
    assert after != before
    moved = Rollup.objects.filter(grain="G", micro_grid=other.pk, verified__gt=0)
    assert sum(moved.values_list("verified", flat=True)) == 2
    assert sum(moved.values_list("verified_on_time", flat=True)) == 1
    rollups.rebuild()
    assert rows() == after


def test_page_screen_and_export_show_the_quality_rates(quality_world, client_for):
    leader = quality_world["leader"]
    client = client_for(leader)
    page = client.get(reverse("dashboard:index"))
    assert page.status_code == 200
    html = page.content.decode()
    for label, value in (
        ("有效上报率", "80.0%"),
        ("按时核实率", "66.7%"),
        ("解决率", "50.0%"),
        ("先行联系及时率", "50.0%"),
    ):
        assert label in html and value in html
    assert "这四项不在大屏" not in html

    data = client.get(reverse("dashboard:data")).json()
    assert {k: data["kpi"][k] for k in QUALITY} == QUALITY
    screen = client.get(reverse("dashboard:screen")).content.decode()
    assert 'id="kpi-verified">66.7%' in screen

    book = load_workbook(io.BytesIO(client.get(reverse("dashboard:export")).content))
    sheet = book["街镇"]
    header = [c.value for c in sheet[2]]
    values = dict(zip(header, [c.value for c in sheet[3]], strict=True))
    assert values["有效上报率（%）"] == 80.0
    assert values["按时核实率（%）"] == 66.7
    assert values["解决率（%）"] == 50.0
    assert values["先行联系及时率（%）"] == 50.0
    assert "片区" in book.sheetnames
