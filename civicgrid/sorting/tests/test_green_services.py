"""The goods list (兑换礼品) and redemptions for goods: who keeps the list, what a redemption
costs (the price at the time, times the quantity), what is refused with nothing written, and the
back office that keeps the list through the service."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.sorting import services
from civicgrid.sorting.choices import AccountKind, EntryReason
from civicgrid.sorting.models import PointsAccount, PointsEntry, Reward

pytestmark = pytest.mark.django_db


def test_the_goods_list_is_kept_by_the_streets_desk(users):
    bag = services.do_save_reward(users["operator"], name=" 环保垃圾袋 ", points=2)
    assert (bag.name, bag.points, bag.is_active) == ("环保垃圾袋", 2, True)
    with pytest.raises(PermissionDenied):
        services.do_save_reward(users["staff"], name="洗洁精", points=5)
    for fields, field in (
        ({"name": "", "points": 2}, "name"),
        ({"name": "毛巾", "points": 0}, "points"),
        ({"name": "毛巾", "points": "两分"}, "points"),
        ({"name": "环保垃圾袋", "points": 3}, "name"),
    ):
        with pytest.raises(ValidationError) as error:
            services.do_save_reward(users["operator"], **fields)
        assert field in error.value.message_dict
    assert Reward.objects.count() == 1
    services.do_save_reward(users["operator"], name="环保垃圾袋", points=3, reward=bag)
    bag.refresh_from_db()
    assert bag.points == 3


def test_a_redemption_costs_todays_prices_and_names_the_goods(world, users):
    home = world["households"][0][0]
    bag = services.do_save_reward(None, name="环保垃圾袋", points=2, order=2)
    soap = services.do_save_reward(None, name="洗洁精", points=5, order=1)
    services.do_award_points(home, users["staff"], amount=20)
    stale = Reward.objects.get(pk=bag.pk)
    services.do_save_reward(None, name="环保垃圾袋", points=3, order=2, reward=bag)
    entry = services.do_redeem_goods(home, users["staff"], items=[(stale, 2), (soap, 1), (bag, 0)])
    assert (entry.amount, entry.reason, entry.note) == (
        11,
        EntryReason.REDEEM,
        "洗洁精×1、环保垃圾袋×2",
    )
    account = PointsAccount.objects.get(household=home)
    assert services.balance(account) == 9
    assert services.balance(services.street_account(AccountKind.REDEEMED)) == 11
    assert sum(services.balance(a) for a in PointsAccount.objects.all()) == 0


def test_redemptions_refused_write_nothing(world, users):
    home, theirs = world["households"][0][0], world["households"][2][0]
    bag = services.do_save_reward(None, name="环保垃圾袋", points=2)
    towel = services.do_save_reward(None, name="毛巾", points=1, is_active=False)
    dear = services.do_save_reward(None, name="电饭煲", points=600)
    services.do_award_points(home, None, amount=5)
    before = PointsEntry.objects.count()
    for items, message in (
        ([(bag, 3)], "积分不足：现有 5 分，兑换需 6 分"),
        ([], "请选择要兑换的礼品和数量"),
        ([(bag, 0)], "请选择要兑换的礼品和数量"),
        ([(towel, 1)], "以下礼品已停止兑换：毛巾"),
        ([(bag, 21)], "每种礼品一次最多兑换 20 件"),
        ([(bag, "两")], "数量须为整数"),
        ([(dear, 20)], "一次兑换最多 10000 积分，请分次兑换"),
    ):
        with pytest.raises(ValidationError) as error:
            services.do_redeem_goods(home, users["staff"], items=items)
        assert error.value.message_dict == {"items": [message]}
    with pytest.raises(PermissionDenied):
        services.do_redeem_goods(theirs, users["staff"], items=[(bag, 1)])  # another 居村
    with pytest.raises(PermissionDenied):
        services.do_redeem_goods(home, users["worker"], items=[(bag, 1)])
    assert PointsEntry.objects.count() == before


def test_the_back_office_keeps_the_goods_list_through_the_service(users, client_for):
    operator = client_for(users["operator"])
    answer = operator.post(
        "/admin/sorting/reward/add/",
        {"name": "环保垃圾袋", "points": "2", "is_active": "on", "order": "0"},
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    reward = Reward.objects.get()
    assert reward.points == 2
    assert client_for(users["staff"]).get("/admin/sorting/reward/").status_code == 200
    assert client_for(users["staff"]).get("/admin/sorting/reward/add/").status_code == 403
    delete = operator.get(f"/admin/sorting/reward/{reward.pk}/delete/")
    assert delete.status_code == 403
