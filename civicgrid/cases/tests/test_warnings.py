"""Deadline warnings: yellow at 80 % of the running clock, red when overdue, pauses respected."""

import io

from django.core.management import call_command

from civicgrid.cases import services, warnings
from civicgrid.cases.models import Case
from civicgrid.messaging.outbox import deliver_pending
from civicgrid.testing.world import IN_MICRO, category


def level(case):
    return Case.objects.get(pk=case.pk).warning_level


def test_yellow_red_pauses_and_clearing(
    users, garbage, clock, outbox, django_capture_on_commit_callbacks, api
):
    u = users
    clock.set(2026, 11, 23, 10, 0)  # Monday
    handled = services.do_report(
        user=u["resident"],
        category=garbage,
        description="a",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
    ).case
    services.do_file(handled, u["operator"])
    services.do_dispatch(handled, u["operator"])  # 1 working day: Tue 24 18:00, 15 working hours
    waiting = services.do_report(
        user=u["resident"], category=garbage, description="b"
    ).case  # 30 min

    clock.set(2026, 11, 23, 10, 20)
    assert warnings.scan() == {"yellow": 0, "red": 0, "normal": 0}
    clock.set(2026, 11, 23, 10, 25)  # 25 of 30 minutes
    assert warnings.scan() == {"yellow": 1, "red": 0, "normal": 0}
    assert level(waiting) == "yellow" and level(handled) == ""
    clock.set(2026, 11, 23, 10, 31)
    assert warnings.scan()["red"] == 1 and level(waiting) == "red"

    clock.set(2026, 11, 24, 14, 59)  # 11.98 of 15 working hours
    warnings.scan()
    assert level(handled) == ""
    # What the steps and scans above wrote to the outbox is still there (nothing is lost when no
    # worker was woken); deliver it so that what follows is this scan's alone.
    # (立案 to the reporter, 派遣 to the department, yellow and red to the operator.)
    assert deliver_pending()["delivered"] == 4
    outbox.clear()
    clock.set(2026, 11, 24, 15, 0)  # 12 of 15: 80 %
    with django_capture_on_commit_callbacks(execute=True):
        assert warnings.scan()["yellow"] == 1
    assert level(handled) == "yellow"
    assert sorted((m.kind, m.recipient.kind) for m in outbox) == [
        ("warning_yellow", "department"),
        ("warning_yellow", "operator"),
    ]
    # Scanning again changes nothing and tells nobody again.
    with django_capture_on_commit_callbacks(execute=True):
        assert warnings.scan() == {"yellow": 0, "red": 0, "normal": 0}
    assert len(outbox) == 2

    # Suspended: the clock stops, the level stays — even past the old deadline.
    clock.set(2026, 11, 24, 15, 30)
    services.do_suspend(handled, u["chief"], reason="等待")
    clock.set(2026, 11, 25, 10, 0)
    warnings.scan()
    assert level(handled) == "yellow"
    services.do_resume(handled, u["chief"])  # 2.5 paused working hours: Wed 11:30
    warnings.scan()
    assert level(handled) == "yellow"
    clock.set(2026, 11, 25, 11, 31)
    warnings.scan()
    assert level(handled) == "red"
    overdue = api(u["operator"]).get("/api/cases/?warning=red").data["results"]
    assert {r["number"] for r in overdue} == {handled.number, waiting.number}

    # Handled: the verification clock (1 working hour) takes over; closed: no warning.
    services.do_accept(handled, u["handler"])
    services.do_handle(handled, u["handler"], result="已清理")
    warnings.scan()
    assert level(handled) == ""
    services.do_verify_pass(handled, u["worker"])
    Case.objects.filter(pk=handled.pk).update(warning_level="red")
    assert warnings.scan()["normal"] == 1 and level(handled) == ""


def test_urgent_filing_clock_is_wall_clock(users, clock):
    clock.set(2026, 10, 1, 3, 0)  # a holiday night
    case = services.do_report(
        user=users["worker"], category=category("event", "0401"), description="路面塌陷"
    ).case
    clock.set(2026, 10, 1, 3, 8)
    warnings.scan()
    assert level(case) == "yellow"
    clock.set(2026, 10, 1, 3, 11)
    warnings.scan()
    assert level(case) == "red"


def test_command(users, garbage, clock):
    services.do_report(user=users["resident"], category=garbage, description="a")
    clock.advance(hours=1)
    out = io.StringIO()
    call_command("scan_case_deadlines", stdout=out)
    # The round also sends what waits in the outbox: the operator's red warning.
    assert out.getvalue().strip().splitlines() == [
        "yellow=0 red=1 normal=0",
        "notifications delivered=1 failed=0",
    ]
    # A second scan changes nothing.
    out = io.StringIO()
    call_command("scan_case_deadlines", stdout=out)
    assert out.getvalue().strip() == "yellow=0 red=0 normal=0"
