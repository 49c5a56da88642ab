"""A step taken while the deadline scan runs wins: the scan reads every open case without locks,
then reads the cases it would change again under their row locks before writing, so a case
closed, suspended or given more time between the two is not marked (and nobody is told)."""

import pytest

from civicgrid.cases import services, warnings
from civicgrid.cases.models import Case, ExtensionRequest
from civicgrid.testing.world import IN_MICRO


def level(case):
    return Case.objects.get(pk=case.pk).warning_level


@pytest.fixture
def between_read_and_write(monkeypatch):
    """between_read_and_write(step): run `step` after the scan's read, before its write."""

    def install(step):
        real = warnings._write

        def write(candidates, now, calendar):
            step()
            return real(candidates, now, calendar)

        monkeypatch.setattr(warnings, "_write", write)

    return install


def reported(users, garbage):
    return services.do_report(
        user=users["resident"],
        category=garbage,
        description="门口垃圾",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
    ).case


def test_a_case_refused_during_the_scan_is_not_marked(
    users, garbage, clock, outbox, between_read_and_write, django_capture_on_commit_callbacks
):
    clock.set(2026, 11, 23, 10, 0)
    late = reported(users, garbage)  # filing limit: 30 minutes
    other = reported(users, garbage)
    clock.set(2026, 11, 23, 10, 31)
    assert warnings._changes(clock.at, warnings.get_calendar()) == [late.pk, other.pk]
    between_read_and_write(
        lambda: services.do_refuse_filing(late, users["chief"], reason="不属于受理范围")
    )
    outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        result = warnings.scan()
    assert result == {"yellow": 0, "red": 1, "normal": 0}
    assert (level(late), level(other)) == ("", "red")
    # Only the case that is still open is announced.
    assert {m.case_number for m in outbox if m.kind == "warning_red"} == {other.number}


def test_a_case_suspended_during_the_scan_keeps_its_level(
    users, garbage, clock, between_read_and_write
):
    clock.set(2026, 11, 23, 10, 0)  # Monday
    case = reported(users, garbage)
    services.do_file(case, users["operator"])
    services.do_dispatch(case, users["operator"])  # 1 working day: Tue 24 18:00
    clock.set(2026, 11, 24, 18, 1)  # overdue by a minute
    between_read_and_write(lambda: services.do_suspend(case, users["chief"], reason="等待"))
    assert warnings.scan() == {"yellow": 0, "red": 0, "normal": 0}
    assert level(case) == ""


def test_a_case_extended_during_the_scan_is_not_marked_red(
    users, garbage, clock, between_read_and_write
):
    clock.set(2026, 11, 23, 10, 0)  # Monday
    case = reported(users, garbage)
    services.do_file(case, users["operator"])
    services.do_dispatch(case, users["operator"])  # 1 working day: Tue 24 18:00
    services.do_accept(case, users["handler"])
    extension = services.do_request_extension(
        case, users["handler"], days=3, reason="需协调物业"
    ).extension
    clock.set(2026, 11, 24, 18, 1)  # overdue by a minute
    assert warnings._changes(clock.at, warnings.get_calendar()) == [case.pk]
    between_read_and_write(
        lambda: services.do_decide_extension(
            case, users["chief"], extension=extension, approve=True
        )
    )
    warnings.scan()
    assert ExtensionRequest.objects.get(pk=extension.pk).status == "approved"
    assert level(case) == ""
