"""The demo's time bank: the seed's figures, a ledger that sums to zero with every balance equal
to its lines, and the `resident` login linked as a volunteer with an elderly relative."""

import time

import pytest
from django.db.models import Sum

from civicgrid.demo.timebank import build_demo_timebank
from civicgrid.testing.people import add_household
from civicgrid.timebank import services
from civicgrid.timebank.models import (
    Account,
    HelpRequest,
    Partner,
    Project,
    ServiceRecord,
    Transfer,
    Volunteer,
)

pytestmark = pytest.mark.django_db


def test_the_demo_time_bank(users, tree, households):
    for i, group in enumerate(tree["building_groups"][:6]):
        add_household(group, 200 + i, residents=4)
    started = time.perf_counter()
    counts = build_demo_timebank(seed=7)
    elapsed = time.perf_counter() - started
    assert elapsed < 20, elapsed
    assert (Project.objects.count(), Partner.objects.count()) == (22, 32)
    assert Volunteer.objects.count() == 1050 == counts["volunteers"]
    assert Volunteer.objects.filter(resident__isnull=False).exists()
    # Most agreed to be named on an honour roll, with the date; some did not.
    consenting = Volunteer.objects.filter(name_consent=True, name_consent_on__isnull=False)
    assert 0.8 * 1050 < consenting.count() < 1050
    assert ServiceRecord.objects.filter(state="verified").count() > 5000
    assert counts["gifts"] > 0 and counts["redemptions"] > 0
    assert HelpRequest.objects.filter(state="open").exists()
    assert services.ledger_sum() == 0
    assert Account.objects.aggregate(s=Sum("balance"))["s"] == 0
    assert not Account.objects.filter(balance__lt=0).exclude(kind="issued").exists()
    for account in Account.objects.filter(balance__gt=0)[:200]:
        assert account.balance == services.balance_from_lines(account)
    earned = Transfer.objects.filter(kind="earn").aggregate(s=Sum("minutes"))["s"]
    assert earned == ServiceRecord.objects.aggregate(s=Sum("credited_minutes"))["s"]
    resident_account = Account.objects.get(user=users["resident"])
    assert services.volunteer_of(resident_account) is not None
    assert resident_account.relatives.exists()
    assert build_demo_timebank(seed=7) == {}
