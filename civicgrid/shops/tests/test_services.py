"""The shop roll's rules: credit codes, blocks, states, the half-monthly refresh and freshness,
门责 inspections turning failures into cases, grades and repeat offenders."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.cases.models import Case
from civicgrid.shops import services
from civicgrid.shops.choices import Freshness, Grade, ShopAction, ShopState
from civicgrid.shops.models import (
    Inspection,
    InspectionItem,
    RefreshRound,
    Shop,
    ShopDataAccess,
    ShopEvent,
)
from civicgrid.shops.tests.conftest import credit_code

pytestmark = pytest.mark.django_db


# --- credit code, block, bad input ----------------------------------------------------------------


def test_credit_code_check_character():
    good = credit_code(7)
    assert services.clean_credit_code(f" {good.lower()} ") == good
    assert services.clean_credit_code("91110000600037341L") == "91110000600037341L"
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    with pytest.raises(ValidationError) as error:
        services.clean_credit_code(wrong)
    assert "校验码不正确" in error.value.message_dict["credit_code"][0]
    with pytest.raises(ValidationError) as error:
        services.clean_credit_code("12345")
    assert "18位" in error.value.message_dict["credit_code"][0]


def test_bad_credit_code_and_shop_without_block_save_nothing(front, users):
    before = (Shop.objects.count(), ShopEvent.objects.count())
    with pytest.raises(ValidationError) as error:
        services.do_register_shop(
            users["worker"],
            block=front["a"],
            sign_name="新店",
            address="秀沿路9号",
            trade="retail",
            credit_code="92310115MA0000001X",
        )
    assert "校验码" in error.value.message_dict["credit_code"][0]
    with pytest.raises(ValidationError) as error:
        services.do_register_shop(
            users["worker"], block=None, sign_name="新店", address="秀沿路9号", trade="retail"
        )
    assert "区块" in error.value.message_dict["block"][0]
    assert (Shop.objects.count(), ShopEvent.objects.count()) == before


def test_credit_code_once_in_roll(front, users):
    with pytest.raises(ValidationError) as error:
        services.do_register_shop(
            users["worker"],
            block=front["a"],
            sign_name="又一家",
            address="秀沿路10号",
            trade="retail",
            credit_code=credit_code(1),
        )
    assert "已登记在册" in error.value.message_dict["credit_code"][0]


def test_only_the_blocks_people_refresh_it(front, users):
    shop = front["shops"][0]
    with pytest.raises(PermissionDenied):
        services.do_confirm_shop(users["worker2"], shop)
    with pytest.raises(PermissionDenied):
        services.do_confirm_shop(users["staff"], shop)
    with pytest.raises(PermissionDenied):
        services.do_confirm_shop(users["leader"], shop)
    services.do_confirm_shop(users["colleague"], shop)  # the deputy
    assert ShopEvent.objects.filter(shop=shop, action=ShopAction.CONFIRM).count() == 1


def test_state_transitions(front, users):
    shop = front["shops"][0]
    event = services.do_change_state(users["staff"], shop, state=ShopState.RENOVATING)
    assert (event.from_state, event.to_state) == ("open", "renovating")
    with pytest.raises(ValidationError) as error:
        services.do_change_state(users["staff"], shop, state=ShopState.TRANSFER)
    assert "不能从“装修”直接变为“转让”" in error.value.message_dict["state"][0]
    shop.refresh_from_db()
    assert shop.state == ShopState.RENOVATING
    with pytest.raises(PermissionDenied):
        services.do_change_state(users["staff2"], shop, state=ShopState.OPEN)


def test_scope(front, users):
    seen = services.scope_shops(Shop.objects.all(), users["staff2"])
    assert set(seen) == {front["other"]}
    assert services.scope_shops(Shop.objects.all(), users["operator"]).count() == 4
    # worker2 works micro-grid 2 (community 1) and is block B's person.
    assert set(services.scope_blocks(services.Block.objects.all(), users["worker2"])) == {
        front["b"]
    }


def test_reveal_operator_is_logged(front, users):
    shop = front["shops"][0]
    assert services.masked_phone(shop) == "139****0000"
    full = services.reveal_operator(users["worker"], shop, channel="test")
    assert full["operator_phone"] == "13912340000"
    assert ShopDataAccess.objects.filter(user=users["worker"], shop=shop).count() == 1
    with pytest.raises(PermissionDenied):
        services.reveal_operator(users["leader"], shop, channel="test")
    with pytest.raises(PermissionDenied):
        services.reveal_operator(users["staff2"], shop, channel="test")


# --- refresh rounds and freshness -------------------------------------------------------------------


def test_round_completes_with_the_last_shop(front, users, clock):
    clock.set(2026, 12, 3, 10, 0)
    a = front["a"]
    worker = users["worker"]
    shops = front["shops"]
    services.do_confirm_shop(worker, shops[0])
    services.do_confirm_shop(worker, shops[1], state=ShopState.SUSPENDED)
    rnd = RefreshRound.objects.get(block=a, period_start=datetime.date(2026, 12, 1))
    assert rnd.completed_at is None
    services.do_close_shop(worker, shops[2], note="店面拆除")
    rnd.refresh_from_db()
    assert rnd.completed_by == worker and rnd.completed_at is not None
    assert rnd.period_end == datetime.date(2026, 12, 15)
    shops[1].refresh_from_db()
    assert shops[1].state == ShopState.SUSPENDED and shops[1].last_confirmed_by == worker


def test_confirm_rest_in_one_tap(front, users, clock):
    clock.set(2026, 12, 20, 9, 0)
    services.do_confirm_shop(users["worker"], front["shops"][0])
    assert services.do_confirm_rest(users["worker"], front["a"]) == 2
    assert RefreshRound.objects.get(
        block=front["a"], period_start=datetime.date(2026, 12, 16)
    ).completed_at


def test_freshness_across_the_half_month(front, users, clock):
    a = front["a"]
    # Rounds made by the registration on 2026-11-23 (16th–30th half): complete them.
    clock.set(2026, 11, 25, 9, 0)
    services.do_confirm_rest(users["worker"], a)
    assert services.freshness([a], datetime.date(2026, 11, 25))[a.pk] == Freshness.FRESH
    # Next half-month begins: last one complete, end not near → still fresh.
    clock.set(2026, 12, 2, 9, 0)
    assert services.freshness([a])[a.pk] == Freshness.FRESH
    # Near the end (13th–15th with 3 yellow days) and not done → yellow.
    clock.set(2026, 12, 13, 9, 0)
    assert services.freshness([a])[a.pk] == Freshness.YELLOW
    # The half-month ended without its round → red, until this one is complete.
    clock.set(2026, 12, 16, 9, 0)
    assert services.freshness([a])[a.pk] == Freshness.RED
    services.do_confirm_rest(users["worker"], a)
    assert services.freshness([a])[a.pk] == Freshness.FRESH
    summary = services.freshness_summary([a, front["b"]])
    assert (summary["fresh"], summary["red"], summary["ratio"]) == (1, 1, 0.5)


def test_freshness_trend_counts_missed_rounds(front, users, clock):
    clock.set(2026, 12, 3, 9, 0)
    services.do_confirm_rest(users["worker"], front["a"])  # block B's person never came
    trend = services.freshness_trend(
        [front["a"], front["b"]], datetime.date(2026, 12, 20), halves=2
    )
    nov, dec = trend
    # Registering every shop on 23 November completed both blocks' rounds of that half-month.
    assert nov["start"] == "2026-11-16" and (nov["on_time"], nov["late"]) == (2, 0)
    assert dec["start"] == "2026-12-01" and (dec["on_time"], dec["late"]) == (1, 1)
    assert dec["ratio"] == 0.5


def test_a_new_block_is_not_judged_on_the_last_half_month(front, users, clock):
    clock.set(2026, 12, 5, 9, 0)
    new = services.do_save_block(
        None,
        code="KQ-09",
        name="新开路段",
        community=front["a"].community,
        responsible=users["worker"],
    )
    old = front["b"]
    states = services.freshness([new, old])
    # B existed in the last half-month and its round of 16–30 November completed at registration.
    assert states == {new.pk: Freshness.FRESH, old.pk: Freshness.FRESH}
    clock.set(2026, 12, 16, 9, 0)
    assert services.freshness([new, old]) == {new.pk: Freshness.RED, old.pk: Freshness.RED}


# --- 门责 inspections ------------------------------------------------------------------------------


def _items():
    return list(InspectionItem.objects.filter(is_active=True).order_by("order"))


def _all_pass(items, **failed):
    out = {item.pk: {"passed": True} for item in items}
    for item_id, note in failed.items():
        out[int(item_id)] = {"passed": False, "note": note}
    return out


def test_seeded_items_open_cases_in_their_categories():
    names = {i.name: (i.category.family, i.category.code) for i in _items()}
    assert names["无跨门营业"] == ("community", "0113")
    assert names["店招店牌规范"] == ("event", "0206")
    assert len(names) == 6


def test_failed_item_opens_a_case_with_a_reinspection(front, users, clock):
    items = _items()
    door = next(i for i in items if i.name == "无跨门营业")
    shop = front["shops"][0]
    inspection = services.do_inspect(
        users["worker"], shop, results=_all_pass(items, **{str(door.pk): "桌椅摆到人行道"})
    )
    assert inspection.passed is False and inspection.reinspect_by > clock.at
    failed = inspection.results.get(passed=False)
    case = Case.objects.get(pk=failed.case_id)
    assert case.category.name == "跨门营业" and "阿强面馆" in case.description
    assert case.lon == shop.lon
    # A failure needs its note; nothing is saved without it.
    count = (Inspection.objects.count(), Case.objects.count())
    bad = _all_pass(items)
    bad[door.pk] = {"passed": False, "note": ""}
    with pytest.raises(ValidationError):
        services.do_inspect(users["worker"], shop, results=bad)
    missing = _all_pass(items)
    missing.pop(items[0].pk)
    with pytest.raises(ValidationError) as error:
        services.do_inspect(users["worker"], shop, results=missing)
    assert "未填写" in error.value.message_dict["results"][0]
    assert (Inspection.objects.count(), Case.objects.count()) == count


def test_reinspection_failing_again_keeps_the_open_case(front, users, clock):
    items = _items()
    sign = next(i for i in items if i.name == "店招店牌规范")
    shop = front["shops"][1]
    first = services.do_inspect(
        users["worker"], shop, results=_all_pass(items, **{str(sign.pk): "店招破损"})
    )
    clock.advance(days=1)
    again = services.do_inspect(
        users["worker"],
        shop,
        results={sign.pk: {"passed": False, "note": "仍未修复"}},
        reinspection_of=first,
    )
    assert again.results.get().case_id == first.results.get(passed=False).case_id
    assert Case.objects.count() == 1
    assert list(services.due_reinspections(Inspection.objects.filter(shop=shop))) == [first]


def test_monthly_grades(front, users, clock):
    items = _items()
    shops = front["shops"]
    door = items[1]
    clock.set(2026, 12, 2, 10, 0)
    services.do_inspect(users["worker"], shops[0], results=_all_pass(items))
    first = services.do_inspect(
        users["worker"], shops[1], results=_all_pass(items, **{str(door.pk): "跨门"})
    )
    late = services.do_inspect(
        users["worker"], shops[2], results=_all_pass(items, **{str(door.pk): "跨门"})
    )
    clock.set(2026, 12, 3, 10, 0)
    services.do_inspect(
        users["worker"], shops[1], results={door.pk: {"passed": True}}, reinspection_of=first
    )
    clock.set(2026, 12, 20, 10, 0)  # well after its re-inspection date
    services.do_inspect(
        users["worker"], shops[2], results={door.pk: {"passed": True}}, reinspection_of=late
    )
    grades = services.monthly_grades([s.pk for s in shops], datetime.date(2026, 12, 1))
    assert grades == {shops[0].pk: Grade.A, shops[1].pk: Grade.B, shops[2].pk: Grade.C}


def test_repeat_offenders(front, users, clock):
    items = _items()
    shop = front["shops"][0]
    for month in (10, 11, 12):
        clock.set(2026, month, 5, 10, 0)
        services.do_inspect(
            users["worker"], shop, results=_all_pass(items, **{str(items[0].pk): "门前脏乱"})
        )
    clock.set(2026, 12, 6, 10, 0)
    services.do_inspect(users["worker"], front["shops"][1], results=_all_pass(items))
    offenders = services.repeat_offenders(Shop.objects.all(), datetime.date(2026, 12, 6))
    assert [(o["sign_name"], o["months"], o["failures"]) for o in offenders] == [("阿强面馆", 3, 3)]


def test_inspection_roles_and_scope(front, users):
    items = _items()
    with pytest.raises(PermissionDenied):
        services.do_inspect(users["leader"], front["shops"][0], results=_all_pass(items))
    with pytest.raises(PermissionDenied):
        services.do_inspect(users["staff2"], front["shops"][0], results=_all_pass(items))
    assert not Inspection.objects.exists()


def test_report_figures(front, users, clock):
    services.do_change_state(users["staff"], front["shops"][2], state=ShopState.VACANT)
    figures = services.report(users["operator"])
    states = {row["key"]: row["count"] for row in figures["by_state"]}
    assert states["open"] == 3 and states["vacant"] == 1
    assert figures["shops"] == 4 and figures["freshness"]["total"] == 2
    assert services.report(users["staff2"])["shops"] == 1
