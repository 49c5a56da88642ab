"""The pages and the API: who sees drafts, who compiles and approves, exact status codes, bad
input, and flat query counts on the lists."""

import pytest

from civicgrid.bulletin.models import Issue
from civicgrid.testing.cases import case_in_state

from .conftest import walk_to_published

pytestmark = pytest.mark.django_db

COMPILE = {
    "number": 42,
    "issue_date": "2026-11-23",
    "next_date": "2026-12-09",
    "period_first": "2026-11-01",
    "period_last": "2026-11-23",
    "pages": 8,
}


@pytest.fixture
def draft(users, garbage, compile_issue):
    case_in_state("closed", users, cat=garbage)
    return compile_issue()


def test_the_api_compiles_edits_approves_and_publishes(api, users, garbage, clock):
    case_in_state("closed", users, cat=garbage)
    editor, leader = api(users["operator"]), api(users["leader"])
    assert api(users["staff"]).post("/api/bulletin/issues/compile/", COMPILE).status_code == 403
    assert api().post("/api/bulletin/issues/compile/", COMPILE).status_code in (401, 403)
    answer = editor.post("/api/bulletin/issues/compile/", COMPILE, format="json")
    assert answer.status_code == 201, answer.content
    issue = answer.json()
    assert issue["number"] == 42 and issue["state"] == "draft"
    topics = [a["topic"] for a in issue["articles"]]
    assert topics == ["digest", "cases", "links"]
    cases = issue["articles"][1]
    assert cases["figures"]["filed"] == 1
    base = f"/api/bulletin/issues/{issue['id']}/"
    assert leader.post(base + "approve/", {}).status_code == 409
    edit = f"/api/bulletin/articles/{cases['id']}/edit/"
    assert editor.post(edit, {"title": "", "body": "正文。"}).status_code == 400
    assert leader.post(edit, {"title": "标题", "body": "正文。"}).status_code == 403
    assert editor.post(edit, {"title": "标题", "body": "正文。"}).status_code == 200
    assert editor.post(base + "approve/", {}).status_code == 403
    assert api().get(base).status_code == 404  # a draft is not public
    assert leader.post(base + "approve/", {"note": "同意"}).status_code == 200
    assert leader.post(base + "publish/", {}).json()["state"] == "published"
    assert editor.post(edit, {"title": "再改", "body": "正文。"}).status_code == 409
    public = api().get(base)
    assert public.status_code == 200 and public.json()["articles"][1]["title"] == "标题"
    events = api().get(base + "events/").json()
    assert [e["action"] for e in events] == ["compile", "edit", "approve", "publish"]


def test_the_api_refuses_bad_input_and_writes_nothing(api, users, clock):
    editor = api(users["operator"])
    for change in (
        {"period_first": "2026-12-01"},
        {"issue_date": "not a date"},
        {"pages": 99},
        {"number": 0},
    ):
        answer = editor.post("/api/bulletin/issues/compile/", COMPILE | change, format="json")
        assert answer.status_code == 400, (change, answer.content)
    assert not Issue.objects.exists()
    # A year no date can have is a 400 on the list, not a server error.
    for year in ("100000000", "abc", "2026.5"):
        assert editor.get(f"/api/bulletin/issues/?year={year}").status_code == 400, year
    assert editor.get("/api/bulletin/issues/?year=2026").status_code == 200


def test_the_list_shows_drafts_to_staff_only(api, users, compile_issue, django_assert_num_queries):
    for number in (40, 41, 42):
        compile_issue(number=number)
    walk_to_published(Issue.objects.get(number=41), users)
    anonymous = api().get("/api/bulletin/issues/").json()
    assert [row["number"] for row in anonymous["results"]] == [41]
    staff = api(users["leader"]).get("/api/bulletin/issues/?state=draft").json()
    assert [row["number"] for row in staff["results"]] == [42, 40]
    assert api().get("/api/bulletin/issues/?state=nonsense").status_code == 400
    client = api(users["operator"])
    with django_assert_num_queries(2) as few:
        client.get("/api/bulletin/issues/")
    for number in (43, 44, 45):
        compile_issue(number=number)
    with django_assert_num_queries(len(few.captured_queries)):
        client.get("/api/bulletin/issues/")


def test_the_pages(client_for, client, users, draft):
    editor = client_for(users["operator"])
    index = editor.get("/bulletin/")
    assert index.status_code == 200 and "第 42 期" in index.content.decode()
    assert "生成新一期初稿" in index.content.decode()
    bad = editor.post("/bulletin/", COMPILE | {"number": 43, "period_first": "2026-12-01"})
    assert bad.status_code == 400 and "数据截止日不能早于起始日" in bad.content.decode()
    assert not Issue.objects.filter(number=43).exists()
    desk = editor.get("/bulletin/42/edit/")
    assert desk.status_code == 200 and "城运中心本期立案 1 件" in desk.content.decode()
    article = draft.articles.get(topic="cases")
    form = editor.get(f"/bulletin/articles/{article.pk}/")
    assert form.status_code == 200
    saved = editor.post(
        f"/bulletin/articles/{article.pk}/",
        {"title": "改写的标题", "body": "一段。\n<b>二段</b>。"},
    )
    assert saved.status_code == 302
    refused = editor.post(f"/bulletin/articles/{article.pk}/", {"title": "", "body": ""})
    assert refused.status_code == 400
    assert client_for(users["staff"]).get("/bulletin/").status_code == 403
    client.logout()
    assert client.get("/bulletin/42/").status_code == 404
    assert client.get("/bulletin/42/wechat/").status_code == 404
    leader = client_for(users["leader"])
    assert leader.post("/bulletin/42/edit/", {"action": "publish"}).status_code == 400
    assert leader.post("/bulletin/42/edit/", {"action": "approve"}).status_code == 302
    assert leader.post("/bulletin/42/edit/", {"action": "publish"}).status_code == 302
    client.logout()
    page = client.get("/bulletin/42/")
    assert page.status_code == 200
    text = page.content.decode()
    assert (
        "改写的标题" in text
        and "本期 8 版 第 42 期" in text
        and "街道党工委、办事处联合出版" in text
    )
    assert "&lt;b&gt;二段&lt;/b&gt;" in text and "<b>二段</b>" not in text  # words, never markup
    wechat = client.get("/bulletin/42/wechat/")
    assert wechat.status_code == 200 and "改写的标题" in wechat.content.decode()
