"""Splitting a 居委 by hand: the admin's split page (reached by an action on the grid list) and
POST /api/grids/{code}/split/. Only the system administrator splits; a refused split is a
form error or a 400 in Chinese and the tree is unchanged."""

import pytest

from civicgrid.grids.models import Grid, GridCodeHistory

pytestmark = pytest.mark.django_db

STREET = "310115125"


def _snapshot():
    return sorted(Grid.objects.values_list("pk", "code", "path", "parent_id", "number", "name"))


# --- the admin ---------------------------------------------------------------------------------


def test_the_admin_action_opens_the_split_page_for_one_community(tree, users, client_for):
    first = tree["communities"][0]
    client = client_for(users["admin"])
    response = client.post(
        "/admin/grids/grid/", {"action": "split", "_selected_action": [first.pk]}
    )
    assert response.status_code == 302
    assert response.url == f"/admin/grids/grid/split/{first.code}/"
    page = client.get(response.url)
    assert page.status_code == 200
    text = page.content.decode()
    assert "拆分居委" in text and first.name in text
    assert tree["micro_grids"][0].code in text and tree["micro_grids"][2].code not in text

    # Two rows, or a micro-grid, is not one 居委.
    both = [c.pk for c in tree["communities"]]
    refused = client.post(
        "/admin/grids/grid/", {"action": "split", "_selected_action": both}, follow=True
    )
    assert "请只选择一个居委进行拆分" in refused.content.decode()


def test_the_admin_splits_a_community(tree, users, client_for):
    first = tree["communities"][0]
    moved = tree["micro_grids"][1]
    client = client_for(users["admin"])
    response = client.post(
        f"/admin/grids/grid/split/{first.code}/",
        {"micro_grids": [moved.pk], "name": "康桥新居委", "number": "", "reason": ""},
        follow=True,
    )
    assert response.status_code == 200
    new = Grid.objects.get(name="康桥新居委")
    assert response.redirect_chain == [(f"/admin/grids/grid/{new.pk}/change/", 302)]
    assert new.code == f"{STREET}003"
    assert "已拆分" in response.content.decode() and new.code in response.content.decode()
    moved.refresh_from_db()
    assert moved.parent_id == new.pk and moved.code == f"{STREET}003001"
    assert GridCodeHistory.objects.filter(old_code=f"{STREET}001002").exists()


@pytest.mark.parametrize(
    "body, message",
    [
        ({"micro_grids": "own-both"}, "不能划出居村的全部微网格"),
        ({"micro_grids": "foreign"}, "选择一个有效的选项"),
        ({"micro_grids": "none"}, "该字段是必填项"),
        ({"name": "  "}, "该字段是必填项"),
        ({"number": "2"}, f"编码 {STREET}002 已被其他网格使用"),
    ],
)
def test_a_refused_split_is_a_form_error_and_nothing_changes(
    tree, users, client_for, body, message
):
    first = tree["communities"][0]
    choices = {
        "own-both": [m.pk for m in tree["micro_grids"][:2]],
        "foreign": [tree["micro_grids"][2].pk],
        "none": [],
        None: [tree["micro_grids"][1].pk],
    }
    data = {"micro_grids": choices[body.get("micro_grids")], "name": "新居委", "reason": ""}
    data["name"] = body.get("name", data["name"])
    data["number"] = body.get("number", "")
    before = _snapshot()
    response = client_for(users["admin"]).post(f"/admin/grids/grid/split/{first.code}/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert _snapshot() == before
    assert not GridCodeHistory.objects.exists()


@pytest.mark.parametrize("key, status", [("operator", 403), ("staff", 403), ("worker", 403)])
def test_only_the_tree_editors_open_the_split_page(tree, users, client_for, key, status):
    first = tree["communities"][0]
    url = f"/admin/grids/grid/split/{first.code}/"
    client = client_for(users[key])
    assert client.get(url).status_code == status
    before = _snapshot()
    data = {"micro_grids": [tree["micro_grids"][1].pk], "name": "新居委"}
    assert client.post(url, data).status_code == status
    assert _snapshot() == before


def test_a_micro_grid_is_not_a_community_to_split(tree, users, client_for):
    url = f"/admin/grids/grid/split/{tree['micro_grids'][0].code}/"
    assert client_for(users["admin"]).get(url).status_code == 404


# --- the API -------------------------------------------------------------------------------------


def test_the_api_splits_a_community(tree, users, api):
    first = tree["communities"][0]
    moved = tree["micro_grids"][1]
    response = api(users["admin"]).post(
        f"/api/grids/{first.code}/split/",
        {"micro_grids": [moved.code], "name": "康桥新居委", "number": 7, "reason": "超过3000户"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["code"] == f"{STREET}007" and body["name"] == "康桥新居委"
    assert body["parent_code"] == first.parent.code and body["level"] == "community"
    moved.refresh_from_db()
    assert moved.code == f"{STREET}007001"
    assert GridCodeHistory.objects.get(old_code=f"{STREET}001002").reason == "超过3000户"
    # The old code still finds the moved micro-grid.
    assert api(users["admin"]).get(f"/api/grids/{STREET}001002/").json()["code"] == moved.code


@pytest.mark.parametrize(
    "body, field, message",
    [
        ({"micro_grids": ["own-both"]}, "micro_grids", "不能划出居村的全部微网格"),
        ({"micro_grids": ["foreign"]}, "micro_grids", "只能划出本居村的微网格"),
        ({"micro_grids": [f"{STREET}009009"]}, "micro_grids", "只能划出本居村的微网格"),
        ({"micro_grids": []}, "micro_grids", "该字段必须包含至少 1 个元素。"),
        ({"name": " "}, "name", "该字段不能为空。"),
        ({"number": 2}, "number", f"编码 {STREET}002 已被其他网格使用"),
    ],
)
def test_a_refused_split_is_a_400_and_nothing_changes(tree, users, api, body, field, message):
    first = tree["communities"][0]
    codes = {
        "own-both": [m.code for m in tree["micro_grids"][:2]],
        "foreign": [tree["micro_grids"][2].code],
    }
    micro = body.get("micro_grids", [tree["micro_grids"][1].code])
    if micro and micro[0] in codes:
        micro = codes[micro[0]]
    data = {"micro_grids": micro, "name": body.get("name", "新居委")}
    if "number" in body:
        data["number"] = body["number"]
    before = _snapshot()
    response = api(users["admin"]).post(f"/api/grids/{first.code}/split/", data, format="json")
    assert response.status_code == 400
    assert message in str(response.json()[field])
    assert _snapshot() == before
    assert not GridCodeHistory.objects.exists()


@pytest.mark.parametrize("key", ["operator", "chief", "staff", "leader", "worker"])
def test_only_the_tree_editors_split_through_the_api(tree, users, api, key):
    first = tree["communities"][0]
    before = _snapshot()
    response = api(users[key]).post(
        f"/api/grids/{first.code}/split/",
        {"micro_grids": [tree["micro_grids"][1].code], "name": "新居委"},
        format="json",
    )
    assert response.status_code == 403
    assert response.json()["detail"] == "您的角色不能拆分居委"
    assert _snapshot() == before


def test_a_village_is_not_split(tree, users, api):
    from civicgrid.grids import services
    from civicgrid.grids.choices import CommunityKind

    first = tree["communities"][0]
    first.community_kind = CommunityKind.VILLAGE
    services.save_grid(first)
    before = _snapshot()
    response = api(users["admin"]).post(
        f"/api/grids/{first.code}/split/",
        {"micro_grids": [tree["micro_grids"][1].code], "name": "新居委"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["community"] == ["村委会不按居委拆分"]
    assert _snapshot() == before
