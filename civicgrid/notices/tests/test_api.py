"""The API: public notices for anyone, steps with exact status codes, a household's own
relocation figures."""

import pytest

from civicgrid.notices.models import Notice, Objection

pytestmark = pytest.mark.django_db

BASE = "/api/notices/notices/"


def test_drafts_are_staff_only_and_steps_pin_their_codes(api, users, draft, homes):
    assert api().get(f"{BASE}{draft.pk}/").status_code == 404
    assert api(users["operator"]).get(f"{BASE}{draft.pk}/").status_code == 200
    assert api(users["admin"]).post(f"{BASE}{draft.pk}/publish/").status_code == 409
    assert api(users["operator"]).post(f"{BASE}{draft.pk}/submit/").status_code == 200
    assert api(users["staff"]).post(f"{BASE}{draft.pk}/publish/").status_code == 403
    answer = api(users["admin"]).post(f"{BASE}{draft.pk}/publish/")
    assert answer.status_code == 200
    assert answer.json()["versions"][0]["number"] == 1
    listed = api().get(BASE).json()
    assert [n["id"] for n in listed["results"]] == [draft.pk]
    assert api().post(f"{BASE}{draft.pk}/object/", {"text": "匿名异议内容"}).status_code in (
        401,
        403,
    )
    bad = api(users["resident"]).post(f"{BASE}{draft.pk}/object/", {"text": ""}, format="json")
    assert bad.status_code == 400
    assert Objection.objects.count() == 0
    ok = api(users["resident"]).post(
        f"{BASE}{draft.pk}/object/", {"text": "评分过程请公开。"}, format="json"
    )
    assert ok.status_code == 201
    done = api(users["operator"]).post(
        f"{BASE}{draft.pk}/answer/",
        {"objection": ok.json()["id"], "text": "评分表已附后。"},
        format="json",
    )
    assert done.status_code == 200
    assert done.json()["objections"][0]["answer"] == "评分表已附后。"


def test_create_refuses_bad_input_with_nothing_saved(api, users, tree):
    bad = api(users["operator"]).post(
        BASE,
        {
            "kind": "nonsense",
            "scope_level": "street",
            "grid": tree["street"].pk,
            "title": "",
            "body": "x",
            "department_name": "街道办",
        },
        format="json",
    )
    assert bad.status_code == 400
    assert set(bad.json()) >= {"kind", "title"}
    assert Notice.objects.count() == 0
    assert (
        api(users["resident"])
        .post(
            BASE,
            {
                "kind": "announcement",
                "scope_level": "street",
                "grid": tree["street"].pk,
                "title": "t",
                "body": "x",
                "department_name": "d",
            },
            format="json",
        )
        .status_code
        == 403
    )


def test_my_relocation_figures(api, users, relocation):
    mine = api(users["resident"]).get("/api/notices/me/relocations/")
    assert mine.status_code == 200
    [entry] = mine.json()
    assert entry["figures"]["households"] == 2
    assert [o["recognised_area"] for o in entry["own"]] == ["63.50"]
    assert api(users["operator"]).get("/api/notices/me/relocations/").status_code == 403
    assert api().get("/api/notices/me/relocations/").status_code in (401, 403)
