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


# --- the stored state noted under the lock (cases.signals.remember_stored) --------------------


def _status(values) -> str:
    if isinstance(values, dict):  # as `heard` keeps `before`
        return values["status"]
    return dict(zip(case_signals.WATCHED_FIELDS, values, strict=True))["status"]


def test_a_step_on_a_locked_case_reads_its_row_once(
    users, garbage, heard, django_assert_num_queries
):
    """The lock's read is the state before the step: the step does not read the row again, and a
    second step in the same transaction starts from what the first saved."""
    from django.db import transaction

    from civicgrid.cases.services.checks import _lock_rows

    case = case_in_state("filed", users, cat=garbage)
    with transaction.atomic():
        locked = _lock_rows([case.pk])[case.pk]
        with django_assert_num_queries(0):
            assert case_signals.stored_state(locked) == case_signals.state(locked)
        case_signals.remember_stored(locked)  # what the read above used up, noted again
        locked.status = CaseStatus.DISPATCHED
        with django_assert_num_queries(1):  # the UPDATE only
            locked.save()
        case_signals.remember_stored(locked)
        with django_assert_num_queries(0):
            assert _status(case_signals.stored_state(locked)) == CaseStatus.DISPATCHED


@pytest.mark.django_db(transaction=True)  # real transactions, each committed
def test_a_note_from_an_earlier_transaction_is_not_trusted(users, garbage, heard):
    """A case read under a lock that has ended may have changed since (another process): its
    state before the next step is read from the row."""
    from django.db import connection, transaction

    from civicgrid.cases.services.checks import _lock_rows

    case = case_in_state("filed", users, cat=garbage)
    with transaction.atomic():
        kept = _lock_rows([case.pk])[case.pk]
    with connection.cursor() as cursor:  # another process moves it on
        cursor.execute(
            "UPDATE cases_case SET status = %s WHERE id = %s", [CaseStatus.DISPATCHED, case.pk]
        )
    with transaction.atomic():
        assert _status(case_signals.stored_state(kept)) == CaseStatus.DISPATCHED
    assert _status(case_signals.stored_state(kept)) == CaseStatus.DISPATCHED  # and outside one


def test_steps_announce_each_change_from_the_state_the_last_left(users, garbage, heard):
    """Report → 立案 → 派遣 → 签收 → 处置, each step in its own transaction, as the desk works."""
    case_in_state("handled", users, cat=garbage)
    assert [
        (_status(before) if before else None, _status(after)) for _pk, before, after in heard
    ] == [
        (None, CaseStatus.REPORTED),
        (CaseStatus.REPORTED, CaseStatus.FILED),
        (CaseStatus.FILED, CaseStatus.DISPATCHED),
        (CaseStatus.DISPATCHED, CaseStatus.ACCEPTED),
        (CaseStatus.ACCEPTED, CaseStatus.HANDLED),
    ]
