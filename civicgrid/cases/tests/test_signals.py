"""cases.signals: every step announces its change once (case_changed, before → after), and a bulk
write of a watched field is refused with nothing written."""

import pytest

from civicgrid.cases import services
from civicgrid.cases import signals as case_signals
from civicgrid.cases.choices import CaseStatus, WarningLevel
from civicgrid.cases.models import Case
from civicgrid.testing.cases import case_in_state, report

pytestmark = pytest.mark.django_db


@pytest.fixture
def heard():
    calls = []

    def receiver(sender, case, before, after, using, **kwargs):
        # By pk: a report is announced before its number is taken (services.intake numbers it
        # with the transaction's last statement), under a stand-in number.
        calls.append((case.pk, dict(zip(case_signals.WATCHED_FIELDS, before, strict=False)), after))

    case_signals.case_changed.connect(receiver, sender=Case, dispatch_uid="test")
    yield calls
    case_signals.case_changed.disconnect(sender=Case, dispatch_uid="test")


def test_the_report_and_each_step_announce_their_change(users, garbage, heard):
    case = report(users["resident"], garbage)
    assert len(heard) == 1 and heard[0][0] == case.pk
    assert case.number.isdigit() and len(case.number) == 13
    assert heard[0][1] == {}  # NEW: there was no case before
    services.do_file(case, users["operator"])
    assert len(heard) == 2
    number, before, after = heard[1]
    assert before["status"] == CaseStatus.REPORTED
    assert dict(zip(case_signals.WATCHED_FIELDS, after, strict=True))["status"] == CaseStatus.FILED
    services.reveal_reporter_phone(case, users["operator"], channel="web")
    assert len(heard) == 2  # history only, nothing watched changed


def test_a_bulk_write_of_a_watched_field_is_refused(users, garbage):
    case = case_in_state("dispatched", users, cat=garbage)
    with pytest.raises(case_signals.WatchedFieldWrite):
        Case.objects.filter(pk=case.pk).update(status=CaseStatus.CLOSED)
    with pytest.raises(case_signals.WatchedFieldWrite):
        Case.objects.filter(pk=case.pk).update(assigned_department=None)
    case.handling_deadline = None
    with pytest.raises(case_signals.WatchedFieldWrite):
        Case.objects.bulk_update([case], ["handling_deadline"])
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED and case.handling_deadline is not None
    # Fields nobody keeps in step with may still be written in bulk (the deadline scan does).
    assert Case.objects.filter(pk=case.pk).update(warning_level=WarningLevel.RED) == 1
