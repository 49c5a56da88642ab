"""API and pages of the shop roll: scoping, masking and the logged full view, bad input refused
with a Chinese message and nothing saved, flat query counts, the walk and inspection pages."""

import pytest

from civicgrid.shops import services
from civicgrid.shops.models import Inspection, InspectionItem, Shop, ShopDataAccess, ShopEvent
from civicgrid.shops.tests.conftest import credit_code

pytestmark = pytest.mark.django_db


def test_shop_list_is_scoped_and_masked(front, users, api):
    answer = api(users["staff2"]).get("/api/shops/shops/")
    assert answer.status_code == 200
    assert [row["sign_name"] for row in answer.json()["results"]] == ["康花水果"]
    answer = api(users["operator"]).get("/api/shops/shops/", {"block": front["a"].pk})
    rows = answer.json()["results"]
    assert len(rows) == 3 and rows[0]["operator_phone"] == "139****0000"
    assert api(users["handler"]).get("/api/shops/shops/").status_code == 403
    assert api(users["resident"]).get("/api/shops/report/").status_code == 403


def test_reveal_is_logged(front, users, api):
    shop = front["shops"][0]
    answer = api(users["worker"]).post(f"/api/shops/shops/{shop.pk}/reveal/")
    assert answer.status_code == 200 and answer.json()["operator_phone"] == "13912340000"
    assert ShopDataAccess.objects.count() == 1
    assert api(users["leader"]).post(f"/api/shops/shops/{shop.pk}/reveal/").status_code == 403


def test_bad_credit_code_and_no_block_refused(front, users, api):
    before = Shop.objects.count()
    body = {
        "block": front["a"].pk,
        "sign_name": "新店",
        "address": "秀沿路99号",
        "trade": "retail",
        "credit_code": "92310115MA0000001X",
    }
    answer = api(users["worker"]).post("/api/shops/shops/", body, format="json")
    assert answer.status_code == 400 and "校验码" in answer.json()["credit_code"][0]
    answer = api(users["worker"]).post(
        "/api/shops/shops/", {**body, "block": 999999, "credit_code": ""}, format="json"
    )
    assert answer.status_code == 400 and "不存在" in answer.json()["block"][0]
    assert Shop.objects.count() == before
    answer = api(users["worker"]).post(
        "/api/shops/shops/", {**body, "credit_code": credit_code(50)}, format="json"
    )
    assert answer.status_code == 201 and answer.json()["block_code"] == "KQ-01"


def test_confirm_and_state_through_the_api(front, users, api):
    shop = front["shops"][0]
    answer = api(users["worker"]).post(
        f"/api/shops/shops/{shop.pk}/confirm/", {"state": "renovating"}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["to_state"] == "renovating"
    answer = api(users["worker2"]).post(f"/api/shops/shops/{shop.pk}/confirm/", {}, format="json")
    assert answer.status_code == 404  # not in worker2's scope at all
    answer = api(users["staff"]).post(
        f"/api/shops/shops/{shop.pk}/state/", {"state": "transfer"}, format="json"
    )
    assert answer.status_code == 400 and "直接变为" in answer.json()["state"][0]


def test_inspection_api_opens_cases(front, users, api):
    items = list(InspectionItem.objects.order_by("order"))
    results = [{"item": i.pk, "passed": True} for i in items]
    results[1] = {"item": items[1].pk, "passed": False, "note": "跨门摆摊"}
    answer = api(users["worker"]).post(
        "/api/shops/inspections/",
        {"shop": front["shops"][0].pk, "results": results},
        format="json",
    )
    assert answer.status_code == 201
    body = answer.json()
    assert body["passed"] is False
    assert [r["case"] is not None for r in body["results"]].count(True) == 1
    answer = api(users["worker"]).post(
        "/api/shops/inspections/", {"shop": front["shops"][0].pk, "results": []}, format="json"
    )
    assert answer.status_code == 400 and Inspection.objects.count() == 1


def test_block_list_query_count_is_flat(front, users, api, django_assert_max_num_queries):
    client = api(users["operator"])
    client.get("/api/shops/blocks/")
    for n in range(5):
        services.do_save_block(
            None,
            code=f"X{n}",
            name=f"路段{n}",
            community=front["a"].community,
            responsible=users["worker"],
        )
    with django_assert_max_num_queries(8):
        answer = client.get("/api/shops/blocks/")
    assert answer.status_code == 200 and answer.json()["count"] == 7


def test_shop_list_query_count_is_flat(front, users, api, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(users["operator"])
    client.get("/api/shops/shops/")
    with CaptureQueriesContext(connection) as small:
        client.get("/api/shops/shops/")
    for n in range(10):
        services.do_register_shop(
            None, block=front["a"], sign_name=f"店{n}", address=f"秀沿路{100 + n}号", trade="retail"
        )
    with django_assert_num_queries(len(small.captured_queries)):
        client.get("/api/shops/shops/")


def test_tile_query_count(front, users, django_assert_num_queries):
    with django_assert_num_queries(4):
        tile = services.tile(None)
    assert tile["blocks"] == 2 and tile["shops"] == 4


def test_pages(front, users, client_for):
    association = services.do_save_association(None, name="中邦商业街", convention="门前整洁")
    services.do_add_members(None, association, front["shops"][:2])
    client = client_for(users["operator"])
    page = client.get("/shops/")
    text = page.content.decode()
    assert page.status_code == 200 and "阿强面馆" in text
    assert "中邦商业街" in text and "成员 2 家" in text
    shop = front["shops"][0]
    page = client.get(f"/shops/{shop.pk}/")
    assert "139****0000" in page.content.decode()
    page = client.post(f"/shops/{shop.pk}/", {"action": "reveal"})
    assert "13912340000" in page.content.decode() and ShopDataAccess.objects.count() == 1
    assert client_for(users["handler"]).get("/shops/").status_code == 403


def test_walk_my_block_page(front, users, client_for, clock):
    clock.set(2026, 12, 2, 9, 0)  # a new half-month: every shop waits to be seen again
    client = client_for(users["worker"])
    page = client.get("/shops/walk/")
    assert "秀沿路东段" in page.content.decode()
    url = f"/shops/walk/{front['a'].pk}/"
    first = front["shops"][0]
    page = client.get(url)
    assert first.sign_name in page.content.decode()
    client.post(url, {"action": "confirm", "shop": first.pk})
    assert ShopEvent.objects.filter(shop=first, action="confirm").exists()
    answer = client.post(
        url,
        {
            "action": "add",
            "sign_name": "新开",
            "address": "秀沿路77号",
            "trade": "retail",
            "state": "open",
            "credit_code": "123",
        },
    )
    assert answer.status_code == 200 and "18位" in answer.content.decode()
    assert not Shop.objects.filter(sign_name="新开").exists()
    assert client_for(users["worker2"]).get(url).status_code == 403


def test_dashboard_tile(front, users, client_for, clock):
    clock.set(2026, 12, 14, 9, 0)  # near the end of the half-month
    services.do_confirm_rest(users["worker"], front["a"])
    page = client_for(users["operator"]).get("/dashboard/").content.decode()
    assert 'id="shop-roll"' in page and "区块已按半月更新（1/2）" in page
    assert "临期 1 个，超期 0 个" in page and "在册商铺 4 家" in page
    # 居委 staff of community 1 see their own block only: not yet refreshed, due soon.
    page = client_for(users["staff2"]).get("/dashboard/").content.decode()
    assert "区块已按半月更新（0/1）" in page and "在册商铺 1 家" in page


def test_admin_is_scoped_and_masked(front, users, client_for):
    page = client_for(users["staff"]).get("/admin/shops/shop/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "阿强面馆" in text and "139****0000" in text and "13912340000" not in text
    assert "康花水果" not in text
    shop = front["shops"][0]
    detail = client_for(users["staff"]).get(f"/admin/shops/shop/{shop.pk}/change/")
    assert detail.status_code == 200 and "13912340000" not in detail.content.decode()
    # Read-only: nothing changes through the admin.
    assert (
        client_for(users["staff"])
        .post(f"/admin/shops/shop/{shop.pk}/change/", {"sign_name": "改名"})
        .status_code
        == 403
    )
    assert client_for(users["worker"]).get("/admin/shops/shop/").status_code in (302, 403)
