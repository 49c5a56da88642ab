"""No balance goes negative under concurrent redemptions, on SQLite and on PostgreSQL.

An elder holds 3 hours; eight redemptions of one hour each fire at once, each from its own
thread and connection: exactly three are posted, the others get “时间币不足…” (never a 500, never
a negative balance), and the balance still equals the account's lines."""

import datetime
import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connections

from civicgrid.timebank import services
from civicgrid.timebank.choices import AccountKind, TransferKind
from civicgrid.timebank.models import Account, Transfer

pytestmark = pytest.mark.django_db(transaction=True)

RACERS = 8


def test_concurrent_redemptions_never_overdraw(bank):
    account = services.person_account(resident=bank["grandma"])
    issued = services.bank_account(AccountKind.ISSUED)
    services._post(
        issued,
        account,
        180,
        TransferKind.EARN,
        user=None,
        now=datetime.datetime.now(datetime.UTC),
    )
    barrier = threading.Barrier(RACERS)
    posted, refused, errors = [], [], []

    def racer():
        try:
            barrier.wait(timeout=10)
            posted.append(services.do_redeem(None, account, 60, note="助洁一次").pk)
        except ValidationError as error:
            refused.append(error.message_dict["minutes"][0])
        except Exception as error:  # reported below
            errors.append(repr(error))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=racer) for _ in range(RACERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(posted) == 3
    assert len(refused) == RACERS - 3 and all(m.startswith("时间币不足") for m in refused)
    account.refresh_from_db()
    assert account.balance == 0 == services.balance_from_lines(account)
    assert Transfer.objects.filter(kind=TransferKind.REDEEM).count() == 3
    assert Account.objects.get(kind=AccountKind.REDEEMED).balance == 180
    assert services.ledger_sum() == 0
