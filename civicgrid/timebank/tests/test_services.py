"""The time bank's services: the ledger (zero sum, balances from the lines, no negative
balance), the rules (rounding, daily cap, own household, gifts to relatives, redemption age),
the transition tables, history rows and bad input refused with nothing saved."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from civicgrid.cases.services import IllegalTransition
from civicgrid.testing.world import local
from civicgrid.timebank import services
from civicgrid.timebank.choices import AccountKind, RecordState, TransferKind
from civicgrid.timebank.models import (
    Account,
    RecordEvent,
    ServiceRecord,
    Transfer,
)
from civicgrid.timebank.tests.conftest import serve

pytestmark = pytest.mark.django_db


def _balances_match_lines():
    for account in Account.objects.all():
        assert account.balance == services.balance_from_lines(account), account


def test_a_verified_record_earns_its_rounded_time_and_the_ledger_sums_to_zero(bank, users):
    record = serve(bank, minutes=100)  # 1 h 40 → rounds to 1 h 30
    assert record.state == RecordState.SUBMITTED
    assert services.person_account(volunteer=bank["volunteer"]).balance == 0  # not yet verified
    services.do_verify(record, users["staff"])
    record.refresh_from_db()
    assert (record.state, record.credited_minutes) == (RecordState.VERIFIED, 90)
    bank["account"].refresh_from_db()
    assert bank["account"].balance == 90 and bank["account"].coins == 1.5
    issued = Account.objects.get(kind=AccountKind.ISSUED)
    assert issued.balance == -90
    assert services.ledger_sum() == 0
    assert sum(Account.objects.values_list("balance", flat=True)) == 0
    _balances_match_lines()
    assert list(record.events.values_list("action", "to_state")) == [
        ("record", "submitted"),
        ("verify", "verified"),
    ]


@pytest.mark.parametrize(("minutes", "credited"), [(44, 30), (45, 60), (14, 0), (61, 60), (75, 90)])
def test_half_hour_rounding_half_up(bank, users, minutes, credited):
    record = services.do_verify(serve(bank, minutes=minutes), users["staff"])
    assert record.credited_minutes == credited
    assert Transfer.objects.filter(record=record).count() == (1 if credited else 0)


def test_the_daily_cap_is_eight_hours(bank, users):
    first = services.do_verify(serve(bank, hours_ago=1, minutes=300), users["staff"])
    second = services.do_verify(serve(bank, hours_ago=6, minutes=240), users["staff"])
    assert (first.credited_minutes, second.credited_minutes) == (300, 180)
    third = services.do_verify(serve(bank, hours_ago=0.5, minutes=30), users["staff"])
    assert third.credited_minutes == 0
    bank["account"].refresh_from_db()
    assert bank["account"].balance == 480
    # Another day counts afresh.
    other = services.do_verify(serve(bank, hours_ago=30, minutes=60), users["staff"])
    assert other.credited_minutes == 60


def test_rules_are_data_a_new_version_changes_the_rounding(bank, users):
    services.do_save_rules(users["admin"], rounding_minutes=15, daily_cap_minutes=600)
    record = services.do_verify(serve(bank, minutes=40), users["staff"])
    assert record.credited_minutes == 45
    with pytest.raises(PermissionDenied):
        services.do_save_rules(users["staff"], rounding_minutes=30)
    with pytest.raises(ValidationError) as error:
        services.do_save_rules(users["admin"], rounding_minutes=0)
    assert "rounding_minutes" in error.value.message_dict


def test_no_credit_for_serving_ones_own_household(bank):
    with pytest.raises(ValidationError) as error:
        serve(bank, recipient=bank["housemate"], confirmation="家人")
    assert error.value.message_dict["recipient"] == ["为本户家人服务不计入时间币"]
    assert not ServiceRecord.objects.exists()


def test_bad_records_are_refused_with_nothing_saved(bank):
    cases = [
        ({"minutes": -30}, "ended_at", "结束时间须晚于开始时间"),
        ({"minutes": 13 * 60}, "ended_at", "一次服务不能超过 12 小时"),
        ({"hours_ago": -2}, "ended_at", "不能记录尚未结束的服务"),
        ({"confirmation": ""}, "confirmation", "请填写服务对象确认，或上传服务照片"),
        (
            {"recipient": None, "confirmation": ""},
            "recipient",
            "请选择服务对象，或填写集体活动名称",
        ),
    ]
    for extra, field, message in cases:
        with pytest.raises(ValidationError) as error:
            serve(bank, **extra)
        assert error.value.message_dict[field] == [message]
    assert not ServiceRecord.objects.exists() and not RecordEvent.objects.exists()
    # A group activity needs no recipient.
    group = serve(bank, recipient=None, confirmation="", activity="重阳节集体理发")
    assert group.activity == "重阳节集体理发"


def test_who_may_record_and_verify(bank, users):
    with pytest.raises(PermissionDenied):
        services.do_record_service(
            users["resident2"],
            volunteer=bank["volunteer"],
            project=bank["meals"],
            started_at=local(2026, 11, 23, 7),
            ended_at=local(2026, 11, 23, 8),
            recipient=bank["grandma"],
            confirmation="王桂英",
        )
    mine = services.do_record_service(
        users["resident"],
        volunteer=bank["volunteer"],
        project=bank["meals"],
        started_at=local(2026, 11, 23, 7),
        ended_at=local(2026, 11, 23, 8),
        recipient=bank["grandma"],
        confirmation="王桂英",
    )
    with pytest.raises(PermissionDenied):
        services.do_verify(mine, users["staff2"])  # another 居村, not the coordinator
    with pytest.raises(PermissionDenied):
        services.do_verify(mine, users["resident"])
    services.do_reject(mine, users["staff"], note="时间有误")
    with pytest.raises(IllegalTransition):
        services.do_verify(mine, users["staff"])
    services.do_submit(mine, users["resident"])
    services.do_verify(mine, users["staff"])
    with pytest.raises(IllegalTransition):
        services.do_verify(mine, users["staff"])
    assert Transfer.objects.filter(record=mine).count() == 1


def test_gifts_only_to_a_declared_relative(bank, users):
    services.do_verify(serve(bank, minutes=120), users["staff"])
    with pytest.raises(ValidationError) as error:
        services.do_gift(users["resident"], bank["account"], bank["young"], 30)
    assert error.value.message_dict["relative"] == ["只能赠与已登记的亲属"]
    gift = services.do_gift(users["resident"], bank["account"], bank["grandma"], 60)
    assert gift.kind == TransferKind.GIFT
    grandma_account = services.person_account(resident=bank["grandma"])
    assert grandma_account.balance == 60
    with pytest.raises(PermissionDenied):
        services.do_gift(users["resident2"], bank["account"], bank["grandma"], 30)
    _balances_match_lines()


def test_redemption_at_65_or_over_on_the_day(bank, users, clock):
    services.do_verify(serve(bank, minutes=120), users["staff"])
    services.do_gift(None, bank["account"], bank["grandma"], 90)
    grandma_account = services.person_account(resident=bank["grandma"])
    # 陈敏 is under 65: no redemption.
    services.do_declare_relative(None, bank["account"], bank["young"], "母亲")
    with pytest.raises(ValidationError) as error:
        services.do_redeem(users["staff"], bank["account"], 30, note="理发")
    assert error.value.message_dict["account"] == ["年满 65 周岁方可兑换服务"]
    services.do_redeem(users["staff"], grandma_account, 60, note="助洁一次")
    grandma_account.refresh_from_db()
    assert grandma_account.balance == 30
    with pytest.raises(ValidationError) as error:
        services.do_redeem(users["staff"], grandma_account, 60, note="助洁一次")
    assert "时间币不足" in error.value.message_dict["minutes"][0]
    assert Account.objects.get(kind=AccountKind.REDEEMED).balance == 60
    _balances_match_lines()


def test_age_from_the_id_number_and_the_birthday(bank):
    resident = bank["young"]
    resident.birth_date = None
    resident.id_number = "310115196011230014"
    assert services.age_on(resident, datetime.date(2026, 11, 22)) == 65
    assert services.age_on(resident, datetime.date(2025, 11, 22)) == 64
    resident.id_number = ""
    assert services.age_on(resident, datetime.date(2026, 11, 22)) is None


def test_donate_redeem_from_the_pool_and_reverse(bank, users):
    earn = services.do_verify(serve(bank, minutes=120), users["staff"]).transfers.get()
    services.do_donate(users["resident"], bank["account"], 60)
    grandma_account = services.person_account(resident=bank["grandma"])
    services.do_redeem(users["staff"], grandma_account, 60, note="陪诊", from_pool=True)
    assert Account.objects.get(kind=AccountKind.POOL).balance == 0
    with pytest.raises(ValidationError):  # the remaining 60 would leave −60
        services.do_reverse(users["staff"], earn, note="重复记录")
    services.do_gift(None, bank["account"], bank["grandma"], 60)
    bank["account"].refresh_from_db()
    assert bank["account"].balance == 0
    services.do_redeem(users["staff"], grandma_account, 60, note="陪诊")
    gift_back = Transfer.objects.get(kind=TransferKind.GIFT)
    with pytest.raises(ValidationError):
        services.do_reverse(users["staff"], gift_back, note="误赠")
    _balances_match_lines()
    assert services.ledger_sum() == 0


def test_a_reversal_undoes_a_transfer_once(bank, users):
    earn = services.do_verify(serve(bank, minutes=60), users["staff"]).transfers.get()
    reversal = services.do_reverse(users["staff"], earn, note="重复记录")
    assert (reversal.debit_id, reversal.credit_id, reversal.minutes) == (
        earn.credit_id,
        earn.debit_id,
        60,
    )
    with pytest.raises(IllegalTransition):
        services.do_reverse(users["staff"], earn, note="再冲")
    with pytest.raises(ValidationError):
        services.do_reverse(users["staff"], earn, note="")
    bank["account"].refresh_from_db()
    assert bank["account"].balance == 0
    _balances_match_lines()


def test_the_database_refuses_a_negative_balance_and_a_bad_line(bank):
    account = bank["account"]
    with pytest.raises(IntegrityError), transaction.atomic():
        Account.objects.filter(pk=account.pk).update(balance=-1)
    issued = services.bank_account(AccountKind.ISSUED)
    for bad in ({"minutes": 0, "credit": account}, {"minutes": 30, "credit": issued}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Transfer.objects.create(
                debit=issued, kind=TransferKind.EARN, at=local(2026, 11, 23, 9), **bad
            )


def test_transfers_and_history_are_immutable(bank, users):
    record = services.do_verify(serve(bank), users["staff"])
    transfer = record.transfers.get()
    with pytest.raises(ValueError):
        transfer.save()
    with pytest.raises(ValueError):
        Transfer.objects.all().delete()
    with pytest.raises(ValueError):
        RecordEvent.objects.update(note="x")


def test_requests_open_matched_done_and_family_rules(bank, users):
    request = services.do_ask_help(
        users["resident"],
        elder=bank["grandma"],
        project=bank["meals"],
        wanted_on=datetime.date(2026, 11, 25),
        description="每天中午送餐",
        contact_phone="13912345678",
    )
    assert request.state == "open" and request.community_id == bank["communities"][0].pk
    with pytest.raises(PermissionDenied):
        services.do_ask_help(
            users["resident2"],
            elder=bank["grandma"],
            project=bank["meals"],
            wanted_on=datetime.date(2026, 11, 25),
            description="送餐",
        )
    with pytest.raises(ValidationError) as error:
        services.do_ask_help(
            users["resident"],
            elder=bank["grandma"],
            project=bank["meals"],
            wanted_on=datetime.date(2026, 11, 1),
            description="",
        )
    assert set(error.value.message_dict) == {"wanted_on", "description"}
    services.do_match(request, users["staff"], bank["outsider"])
    with pytest.raises(IllegalTransition):
        services.do_close_request(request, users["staff"], "cancel", note="")
        services.do_close_request(request, users["staff"], "done")
    request.refresh_from_db()
    assert request.state == "cancelled"
    assert list(request.events.values_list("action", flat=True)) == ["ask", "match", "cancel"]
