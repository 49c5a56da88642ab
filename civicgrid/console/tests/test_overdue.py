"""One meaning of 超期 (cases.clock): on cases in every state, the API's `is_overdue` field, its
`?overdue=` filter, the console's 超期 tab, the department inbox, the deadline warnings' red and
the dashboard's count name the same cases."""

import pytest
from django.urls import reverse

from civicgrid.cases import clock as case_clock
from civicgrid.cases import services, warnings
from civicgrid.cases.choices import CaseStatus, WarningLevel
from civicgrid.cases.models import Case
from civicgrid.dashboard import figures
from civicgrid.dashboard.views import overdue_now
from civicgrid.testing.cases import case_in_state, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(users, garbage, clock):
    """Cases of every state, most of them left since a month ago; `clock` stands at now."""
    u = users
    clock.set(2026, 10, 20, 10, 0)  # a Tuesday, a month back
    made = {
        state: case_in_state(state, u, cat=garbage)
        for state in (
            "reported",
            "filed",
            "dispatched",
            "accepted",
            "handled",
            "returned",
            "closed",
            "not_filed",
            "suspended",
            "reworked",
        )
    }
    made["merged"] = report(u["resident"], garbage, description="同一处垃圾,重复反映")
    services.do_merge(made["merged"], u["chief"], master=made["dispatched"])
    # Accepted with a day to go on Friday and suspended at once; resumed on Monday morning: its
    # deadline (Monday 10:00) moves out by the working time paused.
    clock.set(2026, 11, 20, 10, 0)
    made["resumed"] = case_in_state("suspended", u, cat=garbage)
    clock.set(2026, 11, 23, 9, 30)
    services.do_resume(made["resumed"], u["chief"], note="业主已回")
    clock.set(2026, 11, 23, 11, 0)  # now: a Monday morning
    made["reported_now"] = case_in_state("reported", u, cat=garbage)
    made["handled_now"] = case_in_state("handled", u, cat=garbage)
    for case in made.values():
        case.refresh_from_db()
    return made


# Past the deadline of the clock their state runs: filing (reported, filed), handling
# (dispatched, accepted, reworked — back to 处置中 with the old deadline; returned — 待派遣 again,
# its handling clock still running so that it does not sit unnoticed), verification (handled).
# Not overdue: no clock runs (closed, not filed, merged), the clock is stopped (suspended), the
# deadline moved out by the pause (resumed), or not yet due.
OVERDUE = {"reported", "filed", "dispatched", "accepted", "reworked", "returned", "handled"}


def numbers(cases, keys):
    return {cases[k].number for k in keys}


def test_every_reader_of_overdue_names_the_same_cases(cases, users, api, client_for, clock):
    now = clock.at
    expected = numbers(cases, OVERDUE)
    assert cases["merged"].status == CaseStatus.MERGED
    assert cases["suspended"].is_suspended and cases["suspended"].handling_deadline < now
    assert not cases["resumed"].is_suspended and cases["resumed"].handling_deadline > now

    # The clock module itself, one case at a time and in a query.
    assert {c.number for c in cases.values() if case_clock.is_overdue(c, now)} == expected
    annotated = Case.objects.annotate(late=case_clock.overdue_expression(now)).filter(late=True)
    assert set(annotated.values_list("number", flat=True)) == expected

    # The API: the field and the filter (the reported case past its filing deadline included).
    client = api(users["operator"])
    listed = client.get("/api/cases/", {"limit": 100})
    assert listed.status_code == 200
    field = {r["number"] for r in listed.data["results"] if r["is_overdue"]}
    assert field == expected
    filtered = client.get("/api/cases/", {"overdue": "true", "limit": 100})
    assert filtered.status_code == 200
    assert {r["number"] for r in filtered.data["results"]} == expected
    assert cases["reported"].number in expected
    not_overdue = client.get("/api/cases/", {"overdue": "false", "limit": 100})
    assert {r["number"] for r in not_overdue.data["results"]} == (
        {c.number for c in cases.values()} - expected
    )
    one = client.get(f"/api/cases/{cases['handled'].number}/")
    assert one.status_code == 200 and one.data["is_overdue"] is True

    # The console's 超期 tab and its count.
    page = client_for(users["operator"]).get(reverse("console:queue"), {"tab": "overdue"})
    assert page.status_code == 200
    assert {row["case"].number for row in page.context["rows"]} == expected
    assert {t["key"]: t["count"] for t in page.context["tabs"]}["overdue"] == len(expected)

    # The department inbox: the overdue cases in the department's hands.
    inbox = client_for(users["handler"]).get(reverse("console:inbox"), {"tab": "overdue"})
    assert inbox.status_code == 200
    assert {row["case"].number for row in inbox.context["rows"]} == numbers(
        cases, {"dispatched", "accepted", "reworked"}
    )

    # The deadline scan: red is overdue.
    warnings.scan(now)
    red = Case.objects.filter(warning_level=WarningLevel.RED).values_list("number", flat=True)
    assert set(red) == expected

    # The dashboard: the rollups' count, the map's list of a grid's overdue cases.
    scope = figures.resolve_scope(users["operator"], None)
    data = figures.dashboard(scope, now.date(), now.date(), now=now)
    assert data["kpi"]["overdue"] == len(expected)
    assert set(Case.objects.filter(overdue_now(now)).values_list("number", flat=True)) == expected


def test_a_suspended_case_is_not_overdue_until_resumed(users, garbage, clock):
    case = case_in_state("suspended", users, cat=garbage)
    deadline = case.handling_deadline
    clock.advance(days=2)  # past the handling deadline, still suspended
    case.refresh_from_db()
    assert clock.at > deadline
    assert not case_clock.is_overdue(case, clock.at)
    assert not Case.objects.filter(case_clock.overdue_q(clock.at), pk=case.pk).exists()
    services.do_resume(case, users["chief"])
    case.refresh_from_db()
    # The time paused before the deadline was added to it: the day's work is still left.
    assert case.handling_deadline > clock.at
    assert not case_clock.is_overdue(case, clock.at)
    clock.advance(days=7)
    assert case_clock.is_overdue(case, clock.at)
