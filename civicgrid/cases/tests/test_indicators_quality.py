"""有效上报率, 按时核实率, 解决率, 先行联系及时率 and the reporter grouping, over known cases."""

import pytest

from civicgrid.cases import indicators, services
from civicgrid.testing.cases import case_in_state
from civicgrid.testing.world import IN_MICRO, local

URL = "/api/cases/indicators/"


def rows_by(user, group):
    start, end = indicators.period(local(2026, 11, 1).date(), local(2026, 11, 30).date())
    return {r["code"]: r for r in indicators.compute(user, start, end, group)}


@pytest.fixture
def known(users, garbage, clock):
    clock.set(2026, 11, 23, 10, 0)
    op, chief = users["operator"], users["chief"]
    # Two closed cases, verified at once; 是否解决 (the checker's answer) yes and no.
    case_in_state("closed", users, cat=garbage)  # 核查通过 answers yes unless told otherwise
    services.do_verify_pass(case_in_state("handled", users, cat=garbage), op, resolved=False)
    # One 核查 a day late (返工), the next at once: two 核查, one on time.
    late = case_in_state("handled", users, cat=garbage)
    clock.set(2026, 11, 24, 10, 30)
    services.do_verify_fail(late, op, reason="未清理干净")
    services.do_handle(late, users["handler"], result="已清理")
    services.do_verify_pass(late, op, resolved=True)

    # The grid worker's reports: one filed, one refused, one merged into the first (a duplicate).
    def report():
        return services.do_report(
            user=users["worker"],
            category=garbage,
            description="垃圾",
            lon=IN_MICRO[0][0],
            lat=IN_MICRO[0][1],
        ).case

    filed = report()
    services.do_file(filed, op)
    services.do_refuse_filing(report(), chief, reason="不属实")
    services.do_merge(report(), chief, master=filed.number, note="重复")
    # worker2 reported once, refused; the resident's report still awaits the decision.
    refused = services.do_report(
        user=users["worker2"],
        category=garbage,
        description="垃圾",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
    ).case
    services.do_refuse_filing(refused, chief, reason="不属实")
    services.do_report(user=users["resident"], category=garbage, description="待受理")

    # 12345 tickets dispatched by the hotline at 11:00: one caller rung back within the limit
    # (2 h by default), one after 3 h.
    clock.set(2026, 11, 24, 11, 5)
    tickets = []
    for number in ("T1", "T2"):
        ticket, _ = services.intake_hotline(
            user=op,
            ticket=number,
            category=garbage,
            description="来电反映垃圾",
            hotline_dispatched_at=local(2026, 11, 24, 11, 0),
        )
        services.do_file(ticket, op)
        tickets.append(ticket)
    # 先行联系 recorded at 12:30 and 14:00.
    clock.set(2026, 11, 24, 12, 30)
    services.do_first_contact(tickets[0], op, note="已电话联系来电人，说明处置安排")
    clock.set(2026, 11, 24, 14, 0)
    services.do_first_contact(tickets[1], op, note="已电话联系来电人，说明处置安排")
    clock.set(2026, 11, 25, 10, 0)


def test_the_four_rates_for_the_street(users, known):
    (row,) = rows_by(users["leader"], "street").values()
    assert (row["verified"], row["verified_on_time"], row["on_time_verification_rate"]) == (
        4,
        3,
        75.0,
    )
    # 是否解决: yes, no, yes.
    assert (row["resolution_answered"], row["resolved"], row["resolution_rate"]) == (3, 2, 66.7)
    assert (row["hotline_tickets"], row["first_contact_on_time"], row["first_contact_rate"]) == (
        2,
        1,
        50.0,
    )
    # Reported and decided: 3 by the resident (filed), 3 by the worker (1 valid), 1 by worker2
    # (refused), 2 tickets (filed); the report awaiting its decision counts neither way.
    assert (row["reported"], row["reported_filed"]) == (9, 6)
    assert row["valid_report_rate"] == 66.7


def test_by_reporter_shows_a_worker_with_nothing_filed(api, users, known):
    rows = rows_by(users["leader"], "reporter")
    assert {
        code: (r["reported"], r["reported_filed"], r["valid_report_rate"])
        for code, r in rows.items()
        if code in ("worker", "worker2")
    } == {
        "worker": (3, 1, 33.3),
        "worker2": (1, 0, 0.0),
    }
    assert rows["worker2"]["filed"] == 0
    response = api(users["leader"]).get(
        URL, {"start": "2026-11-01", "end": "2026-11-30", "by": "reporter"}
    )
    assert response.status_code == 200
    got = {r["code"]: r["valid_report_rate"] for r in response.data}
    assert got["worker"] == 33.3 and got["worker2"] == 0.0
    bad = api(users["leader"]).get(URL, {"by": "reporters"})
    assert bad.status_code == 400
