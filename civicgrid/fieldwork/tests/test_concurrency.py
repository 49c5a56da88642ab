"""A visit or a follow-up turned into a case by two taps at the same moment (a double tap, the
phone's retry): one case, and the other tap told which — never a 500 (the second tap used to read
the visit's new case id but not the case, and failed writing its number into the message)."""

import pytest
from django.core.exceptions import ValidationError

from civicgrid.cases.models import Case
from civicgrid.fieldwork import services
from civicgrid.fieldwork.tests.test_visit_needs import need, visit
from civicgrid.testing.race import at_once, server_database

pytestmark = [pytest.mark.django_db(transaction=True), server_database]


def test_a_visit_tapped_into_a_case_twice_at_once_makes_one_case(users, households):
    v = visit(users["worker"], households[0][0])
    results, errors = at_once(lambda _: services.visit_to_case(v, users["worker"]))
    case = Case.objects.get()
    assert results == [case]
    assert [type(e) for e in errors] == [ValidationError]
    assert errors[0].messages == [f"这次走访已转为案件{case.number}"]


def test_a_follow_up_tapped_into_a_case_twice_at_once_makes_one_case(users, households):
    follow_up = visit(users["worker"], households[0][0]).follow_ups.get()
    results, errors = at_once(
        lambda _: services.follow_up_to_case(follow_up, users["worker"], need=need("停车难").pk)
    )
    case = Case.objects.get()
    assert results == [case]
    assert [e.messages for e in errors] == [[f"该跟进事项已转为案件{case.number}"]]
