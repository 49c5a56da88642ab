"""The 绿色账户 API (entries, balances, the goods list, award, redeem) and the pledge and 居民公约
endpoints: scoped like the pages, writes through the services, bad input a 400 with the field's
Chinese message and nothing saved, the ledger summing to zero, flat query counts."""

import datetime

import pytest

from civicgrid.sorting import services
from civicgrid.sorting.choices import AccountKind
from civicgrid.sorting.models import Convention, Pledge, PointsAccount, PointsEntry

pytestmark = pytest.mark.django_db

MON = datetime.date(2026, 11, 23)


@pytest.fixture
def goods():
    return {
        "bag": services.do_save_reward(None, name="环保垃圾袋", points=2, order=1),
        "soap": services.do_save_reward(None, name="洗洁精", points=5, order=2),
        "gone": services.do_save_reward(None, name="旧款毛巾", points=1, is_active=False),
    }


def ledger_total():
    return sum(services.balance(a) for a in PointsAccount.objects.all())


def test_award_and_redeem_goods_keep_the_ledger_at_zero(world, users, api, goods):
    home = world["households"][0][0]
    client = api(users["staff"])
    answer = client.post(
        "/api/sorting/green/award/", {"household": home.pk, "amount": 7}, format="json"
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["balance"] == 7
    assert answer.json()["entry"]["signed"] == 7
    assert answer.json()["entry"]["reason"] == "earn"
    answer = client.post(
        "/api/sorting/green/redeem/",
        {
            "household": home.pk,
            "items": [
                {"reward": goods["bag"].pk, "quantity": 1},
                {"reward": goods["soap"].pk, "quantity": 1},
            ],
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["balance"] == 0
    assert body["entry"]["signed"] == -7
    assert body["entry"]["note"] == "环保垃圾袋×1、洗洁精×1"
    issued = services.street_account(AccountKind.ISSUED)
    redeemed = services.street_account(AccountKind.REDEEMED)
    assert (services.balance(issued), services.balance(redeemed)) == (-7, 7)
    assert ledger_total() == 0


def test_overdraw_is_a_400_on_items_and_nothing_is_saved(world, users, api, goods):
    home = world["households"][0][0]
    services.do_award_points(home, users["staff"], amount=3)
    before = PointsEntry.objects.count()
    answer = api(users["staff"]).post(
        "/api/sorting/green/redeem/",
        {"household": home.pk, "items": [{"reward": goods["bag"].pk, "quantity": 2}]},
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["items"] == ["积分不足：现有 3 分，兑换需 4 分"]
    assert PointsEntry.objects.count() == before
    assert ledger_total() == 0


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"amount": 0}, "amount", None),
        ({"amount": "x"}, "amount", None),
        ({"household": 999999}, "household", "没有找到该户"),
    ],
)
def test_award_validation_errors_are_400_by_field(world, users, api, body, field, message):
    home = world["households"][0][0]
    answer = api(users["staff"]).post(
        "/api/sorting/green/award/", {"household": home.pk, **body}, format="json"
    )
    assert answer.status_code == 400
    assert field in answer.json()
    if message:
        assert answer.json()[field] == [message]
    assert PointsEntry.objects.count() == 0


def test_redeem_refuses_a_withdrawn_item_or_an_empty_list(world, users, api, goods):
    home = world["households"][0][0]
    services.do_award_points(home, users["staff"], amount=9)
    client = api(users["staff"])
    gone = client.post(
        "/api/sorting/green/redeem/",
        {"household": home.pk, "items": [{"reward": goods["gone"].pk, "quantity": 1}]},
        format="json",
    )
    assert gone.status_code == 400
    assert gone.json()["items"] == ["以下礼品已停止兑换：旧款毛巾"]
    empty = client.post(
        "/api/sorting/green/redeem/", {"household": home.pk, "items": []}, format="json"
    )
    assert empty.status_code == 400 and "items" in empty.json()
    assert PointsEntry.objects.count() == 1


def test_award_and_redeem_are_scoped(world, users, api, goods):
    theirs = world["households"][2][0]  # community 1
    client = api(users["staff"])  # community 0
    award = client.post("/api/sorting/green/award/", {"household": theirs.pk}, format="json")
    assert award.status_code == 400
    assert award.json()["household"] == ["没有找到该户"]
    services.do_award_points(theirs, None, amount=5)
    redeem = client.post(
        "/api/sorting/green/redeem/",
        {"household": theirs.pk, "items": [{"reward": goods["bag"].pk, "quantity": 1}]},
        format="json",
    )
    assert redeem.status_code == 400
    assert (
        api(users["worker"])
        .post(
            "/api/sorting/green/redeem/",
            {
                "household": world["households"][0][0].pk,
                "items": [{"reward": goods["bag"].pk, "quantity": 1}],
            },
            format="json",
        )
        .status_code
        == 403
    )  # a grid worker sees the ledger but does not keep it
    assert api(users["handler"]).get("/api/sorting/green/entries/").status_code == 403
    assert PointsEntry.objects.count() == 1


def test_the_guide_on_duty_awards_households_of_the_points_community(world, users, api, clock):
    guide = api(users["resident"])
    home, theirs = world["households"][1][0], world["households"][2][0]
    not_yet = guide.post("/api/sorting/green/award/", {"household": home.pk}, format="json")
    assert not_yet.status_code == 409
    assert not_yet.json()["detail"] == "只有值守中的指导员可以记录积分"
    shift = services.do_plan_shifts(
        world["point"], None, first=MON, last=MON, guide=world["guide"]
    )[0]
    clock.set(2026, 11, 23, 7, 5)
    services.do_check_in(shift, users["resident"])
    answer = guide.post("/api/sorting/green/award/", {"household": home.pk}, format="json")
    assert answer.status_code == 201, answer.content
    assert answer.json()["entry"]["shift"] == shift.pk
    other = guide.post("/api/sorting/green/award/", {"household": theirs.pk}, format="json")
    assert other.status_code == 400 and other.json()["household"] == ["没有找到该户"]
    # A guide may not read the ledger nor redeem.
    assert guide.get("/api/sorting/green/entries/").status_code == 403
    assert PointsEntry.objects.count() == 1


def test_entries_and_balances_are_scoped_and_filtered(world, users, api, goods):
    mine, theirs = world["households"][0][0], world["households"][2][0]
    services.do_award_points(mine, None, amount=4)
    services.do_award_points(theirs, None, amount=6)
    services.do_redeem_goods(mine, None, items=[(goods["bag"], 1)])
    staff = api(users["staff"]).get("/api/sorting/green/entries/").json()
    assert [(e["household"], e["signed"]) for e in staff["results"]] == [
        (mine.pk, -2),
        (mine.pk, 4),
    ]
    everyone = api(users["operator"]).get("/api/sorting/green/entries/").json()
    assert everyone["count"] == 3
    earned = (
        api(users["operator"])
        .get("/api/sorting/green/entries/", {"reason": "earn", "household": theirs.pk})
        .json()
    )
    assert [e["amount"] for e in earned["results"]] == [6]
    code = world["west"].community.code
    west = api(users["operator"]).get("/api/sorting/green/entries/", {"community": code}).json()
    assert [e["household"] for e in west["results"]] == [theirs.pk]
    balances = api(users["staff"]).get("/api/sorting/green/balances/").json()
    assert [(b["household"], b["points"]) for b in balances["results"]] == [(mine.pk, 2)]
    one = api(users["staff"]).get(f"/api/sorting/green/balances/{world['households'][1][0].pk}/")
    assert one.status_code == 200 and one.json()["points"] == 0
    assert api(users["staff"]).get(f"/api/sorting/green/balances/{theirs.pk}/").status_code == 404
    rewards = api(users["staff"]).get("/api/sorting/green/rewards/").json()
    assert [r["name"] for r in rewards] == ["环保垃圾袋", "洗洁精"]


def test_entry_and_balance_lists_take_a_fixed_number_of_queries(world, users, api):
    client = api(users["operator"])
    homes = [h for hs in world["households"].values() for h in hs]

    def counted(path):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get(path).status_code == 200
        return len(ctx.captured_queries)

    services.do_award_points(homes[0], None, amount=1)
    few = (counted("/api/sorting/green/entries/"), counted("/api/sorting/green/balances/"))
    for home in homes:
        for _n in range(3):
            services.do_award_points(home, None, amount=2)
    many = (counted("/api/sorting/green/entries/"), counted("/api/sorting/green/balances/"))
    assert few == many


# --- pledges and conventions --------------------------------------------------------------------


def test_pledges_are_listed_in_scope_and_recorded_once(world, users, api):
    mine, theirs = world["households"][0][0], world["households"][2][0]
    services.do_record_pledge(theirs, None)
    client = api(users["staff"])
    answer = client.post(
        "/api/sorting/pledges/", {"household": mine.pk, "signed_on": "2026-11-20"}, format="json"
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["estate"] == world["east"].pk
    again = client.post("/api/sorting/pledges/", {"household": mine.pk}, format="json")
    assert again.status_code == 400 and again.json()["household"] == ["该户已签订承诺书"]
    future = client.post(
        "/api/sorting/pledges/",
        {"household": world["households"][0][1].pk, "signed_on": "2099-01-01"},
        format="json",
    )
    assert future.status_code == 400 and future.json()["signed_on"] == ["签订日期不能晚于今天"]
    out = client.post("/api/sorting/pledges/", {"household": theirs.pk}, format="json")
    assert out.status_code == 400 and out.json()["household"] == ["没有找到该户"]
    assert Pledge.objects.count() == 2
    listed = client.get("/api/sorting/pledges/").json()
    assert [p["household"] for p in listed["results"]] == [mine.pk]
    west = api(users["operator"]).get("/api/sorting/pledges/", {"estate": world["west"].pk})
    assert [p["household"] for p in west.json()["results"]] == [theirs.pk]
    assert (
        api(users["worker"])
        .post("/api/sorting/pledges/", {"household": world["households"][0][1].pk}, format="json")
        .status_code
        == 403
    )
    assert api(users["handler"]).get("/api/sorting/pledges/").status_code == 403


def test_conventions_are_versioned_per_estate_and_scoped(world, users, api):
    client = api(users["staff"])
    body = {
        "estate": world["east"].pk,
        "title": "康乐苑垃圾分类居民公约",
        "text": "一、按时定点投放。",
        "adopted_on": "2026-10-01",
        "adopted_at": "居民议事会",
    }
    assert client.post("/api/sorting/conventions/", body, format="json").status_code == 201
    second = client.post(
        "/api/sorting/conventions/",
        {**body, "text": "一、按时定点投放。二、破袋投放湿垃圾。"},
        format="json",
    )
    assert second.status_code == 201 and second.json()["version"] == 2
    assert second.json()["is_current"] is True
    services.do_adopt_convention(
        world["west"], None, title="秀康新村公约", text="文明投放。", adopted_on=MON
    )
    east = client.get("/api/sorting/conventions/", {"estate": world["east"].pk}).json()
    assert [(c["version"], c["is_current"]) for c in east["results"]] == [(2, True), (1, False)]
    current = api(users["operator"]).get("/api/sorting/conventions/", {"current": "true"}).json()
    assert sorted(c["title"] for c in current["results"]) == [
        "康乐苑垃圾分类居民公约",
        "秀康新村公约",
    ]
    assert client.get("/api/sorting/conventions/").json()["count"] == 2  # not the west's
    bad = client.post(
        "/api/sorting/conventions/", {**body, "adopted_on": "2099-01-01"}, format="json"
    )
    assert bad.status_code == 400 and bad.json()["adopted_on"] == ["请填写不晚于今天的通过日期"]
    other = client.post(
        "/api/sorting/conventions/", {**body, "estate": world["west"].pk}, format="json"
    )
    assert other.status_code == 400 and other.json()["estate"] == ["没有找到该小区"]
    assert Convention.objects.count() == 3


def test_a_convention_names_the_held_meeting_that_adopted_it(world, users, api):
    from django.utils import timezone

    from civicgrid.meetings.models import Meeting

    east = world["east"]
    base = dict(
        kind="hearing",
        community=east.community,
        estate=east,
        place="居委会议室",
        notice_days=5,
        quorum_percent=51,
        pass_percent=51,
        created_at=timezone.now(),
    )
    held = Meeting.objects.create(
        title="垃圾分类居民公约听证会",
        starts_at=timezone.now() - datetime.timedelta(days=3),
        state="held",
        **base,
    )
    planned = Meeting.objects.create(
        title="下月协调会", starts_at=timezone.now() + datetime.timedelta(days=9), **base
    )
    client = api(users["staff"])
    body = {"estate": east.pk, "title": "康乐苑垃圾分类居民公约", "text": "一、按时定点投放。"}
    early = client.post("/api/sorting/conventions/", {**body, "meeting": planned.pk}, "json")
    assert early.status_code == 400
    assert early.json()["meeting"] == ["该会议尚未召开，不能作为公约的通过会议"]
    assert Convention.objects.count() == 0
    made = client.post("/api/sorting/conventions/", {**body, "meeting": held.pk}, format="json")
    assert made.status_code == 201, made.json()
    # The meeting's day and title stand for the adoption date and meeting.
    assert made.json()["meeting"] == held.pk
    assert made.json()["adopted_at"] == "垃圾分类居民公约听证会"
    assert made.json()["adopted_on"] == str(timezone.localdate(held.starts_at))
