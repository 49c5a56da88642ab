"""The 绿色账户 pages: find a household within scope, award points for a correct drop-off (居委
staff, or the guide on duty at the point), redeem them for goods from the goods list (never
below zero: the message on the page, nothing saved), the statement with the balance after each
entry (in a fixed number of queries), and the points issued and redeemed per 居村 and month."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.sorting import services
from civicgrid.sorting.models import PointsAccount, PointsEntry

pytestmark = pytest.mark.django_db

MON = datetime.date(2026, 11, 23)


@pytest.fixture
def goods():
    return {
        "bag": services.do_save_reward(None, name="环保垃圾袋", points=2, order=1),
        "soap": services.do_save_reward(None, name="洗洁精", points=5, order=2),
    }


def test_search_finds_households_in_scope_with_their_balance(world, users, client_for):
    mine, theirs = world["households"][0][0], world["households"][2][0]
    services.do_award_points(mine, None, amount=3)
    page = client_for(users["staff"]).get("/sorting/green/", {"q": "１５０１弄"})
    assert page.status_code == 200
    found = [h.pk for h in page.context["results"]]
    assert mine.pk in found and theirs.pk not in found
    assert len(found) == 4  # the four households of community 0
    text = page.content.decode()
    assert f'id="household-{mine.pk}"' in text and "现有 3 分" in text
    everyone = client_for(users["operator"]).get("/sorting/green/", {"q": "1501弄"})
    assert len(everyone.context["results"]) == 8
    assert client_for(users["handler"]).get("/sorting/green/").status_code == 403


def test_staff_award_and_redeem_goods_on_the_page(world, users, client_for, goods):
    home = world["households"][0][0]
    client = client_for(users["staff"])
    url = f"/sorting/green/households/{home.pk}/"
    answer = client.post(url, {"form": "award", "amount": "6", "note": "周一早高峰"}, follow=True)
    assert answer.status_code == 200
    assert "已为该户记 6 分，现有 6 分" in answer.content.decode()
    answer = client.post(
        url,
        {"form": "redeem", f"reward_{goods['bag'].pk}": "1", f"reward_{goods['soap'].pk}": "0"},
        follow=True,
    )
    assert "已兑换 环保垃圾袋×1，扣 2 分，现有 4 分" in answer.content.decode()
    assert answer.context["household"].points == 4
    assert sum(services.balance(a) for a in PointsAccount.objects.all()) == 0


def test_redeeming_more_than_the_balance_is_refused_with_nothing_saved(
    world, users, client_for, goods
):
    home = world["households"][0][0]
    services.do_award_points(home, None, amount=6)
    before = PointsEntry.objects.count()
    answer = client_for(users["staff"]).post(
        f"/sorting/green/households/{home.pk}/",
        {"form": "redeem", f"reward_{goods['soap'].pk}": "2"},
    )
    assert answer.status_code == 400
    assert "积分不足：现有 6 分，兑换需 10 分" in answer.content.decode()
    assert PointsEntry.objects.count() == before
    nothing = client_for(users["staff"]).post(
        f"/sorting/green/households/{home.pk}/", {"form": "redeem"}
    )
    assert nothing.status_code == 400
    assert "请选择要兑换的礼品和数量" in nothing.content.decode()
    bad = client_for(users["staff"]).post(
        f"/sorting/green/households/{home.pk}/", {"form": "award", "amount": "0"}
    )
    assert bad.status_code == 400
    assert PointsEntry.objects.count() == before


def test_pages_are_scoped_and_readers_do_not_post(world, users, client_for, goods):
    theirs = world["households"][2][0]
    staff = client_for(users["staff"])
    assert staff.get(f"/sorting/green/households/{theirs.pk}/").status_code == 404
    assert (
        staff.post(f"/sorting/green/households/{theirs.pk}/", {"form": "award"}).status_code == 404
    )
    mine = world["households"][0][0]
    worker = client_for(users["worker"])  # reads the ledger, does not keep it
    page = worker.get(f"/sorting/green/households/{mine.pk}/")
    assert page.status_code == 200
    assert 'id="statement"' in page.content.decode()
    assert 'id="redeem"' not in page.content.decode()
    assert (
        worker.post(
            f"/sorting/green/households/{mine.pk}/", {"form": "award", "amount": "1"}
        ).status_code
        == 403
    )
    assert PointsEntry.objects.count() == 0


def test_the_guide_on_duty_awards_from_the_phone(world, users, client_for, clock):
    guide = client_for(users["resident"])
    home, theirs = world["households"][1][0], world["households"][2][0]
    off = guide.get("/sorting/green/")
    assert off.status_code == 200
    assert 'id="not-on-duty"' in off.content.decode()
    assert guide.get(f"/sorting/green/households/{home.pk}/").status_code == 404
    shift = services.do_plan_shifts(
        world["point"], None, first=MON, last=MON, guide=world["guide"]
    )[0]
    clock.set(2026, 11, 23, 7, 5)
    services.do_check_in(shift, users["resident"])
    assert 'href="/sorting/green/"' in guide.get("/sorting/m/guide/").content.decode()
    found = guide.get("/sorting/green/", {"q": "1501弄"})
    assert {h.pk for h in found.context["results"]} == {
        h.pk for i in (0, 1) for h in world["households"][i]
    }
    assert "康乐苑1号箱房" in found.content.decode()
    answer = guide.post(
        f"/sorting/green/households/{home.pk}/", {"form": "award", "amount": "1"}, follow=True
    )
    assert answer.status_code == 200
    assert "已为该户记 1 分，现有 1 分" in answer.content.decode()
    assert 'id="statement"' not in answer.content.decode()  # a guide does not read the ledger
    assert PointsEntry.objects.get().shift_id == shift.pk
    assert guide.get(f"/sorting/green/households/{theirs.pk}/").status_code == 404
    assert (
        guide.post(f"/sorting/green/households/{home.pk}/", {"form": "redeem"}).status_code == 403
    )


def test_statement_shows_the_balance_after_each_entry_in_fixed_queries(
    world, users, client_for, goods, clock
):
    home = world["households"][0][0]
    client = client_for(users["staff"])
    url = f"/sorting/green/households/{home.pk}/"

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        return len(ctx.captured_queries)

    clock.set(2026, 11, 2, 8, 0)
    services.do_award_points(home, users["staff"], amount=5)
    few = queries()
    for day in range(3, 20):
        clock.set(2026, 11, day, 8, 0)
        services.do_award_points(home, users["staff"], amount=2, shift=None)
    clock.set(2026, 11, 20, 9, 0)
    services.do_redeem_goods(home, users["staff"], items=[(goods["soap"], 1)])
    assert queries() == few
    rows = client.get(url).context["page"].object_list
    assert [(r.signed, r.balance_after) for r in rows[:3]] == [(-5, 34), (2, 39), (2, 37)]
    assert rows[-1].balance_after == 5


def test_points_per_community_and_month(world, users, client_for, goods, clock):
    mine, theirs = world["households"][0][0], world["households"][2][0]
    clock.set(2026, 10, 15, 9, 0)
    services.do_award_points(mine, None, amount=4)
    services.do_award_points(theirs, None, amount=3)
    clock.set(2026, 11, 10, 9, 0)
    services.do_award_points(mine, None, amount=6)
    services.do_redeem_goods(mine, None, items=[(goods["bag"], 2)])
    page = client_for(users["operator"]).get("/sorting/green/months/")
    figures = page.context["figures"]
    rows = [(r["month"], r["community"], r["issued"], r["redeemed"]) for r in figures["rows"]]
    c0, c1 = world["east"].community.name, world["west"].community.name
    assert rows == [
        ("2026-11", c0, 6, 4),
        ("2026-10", c0, 4, 0),
        ("2026-10", c1, 3, 0),
    ]
    assert figures["total"]["issued"] == 13 and figures["total"]["redeemed"] == 4
    staff = client_for(users["staff"]).get("/sorting/green/months/").context["figures"]
    assert {r["community"] for r in staff["rows"]} == {c0}
    assert client_for(users["resident"]).get("/sorting/green/months/").status_code == 403
