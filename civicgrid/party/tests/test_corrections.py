"""Corrections left after issue 16: a star rating is corrected after it was recorded (page and
API, one rating a year still holding, each change an immutable PartyEvent naming old → new), and
a member's post is ended (卸任: last day and reason) — on the member page it then shows under
历任岗位, in the API among the past posts. Readers and roles outside the party are refused."""

import pytest

from civicgrid.party import services
from civicgrid.party.models import Assignment, PartyEvent, StarRating

pytestmark = pytest.mark.django_db

RATING = {
    "year": "2025",
    "stars": "4",
    "awarded_by": "区委组织部",
    "score": "88.0",
    "criteria": "",
    "awarded_on": "2026-01-15",
}


@pytest.fixture
def rating(party):
    return services.do_rate(party["groups"][0], RATING)


@pytest.fixture
def post(party, tree):
    return services.do_assign(
        party["head"],
        {"kind": "grid_post", "grid": tree["micro_grids"][0], "started_on": "2024-03-01"},
    )


def test_a_rating_is_corrected_on_its_page_and_the_honour_roll_follows(
    party, rating, client_for, users
):
    client = client_for(users["staff"])
    stars = client.get("/party/stars/?year=2025").content.decode()
    assert f'href="/party/stars/{rating.pk}/edit/"' in stars
    assert party["groups"][0].name not in services.star_roll(2025) and not services.star_roll(2025)
    url = f"/party/stars/{rating.pk}/edit/"
    form = client.get(url).content.decode()
    assert "区委组织部" in form and 'name="organisation"' not in form
    bad = client.post(url, RATING | {"awarded_on": "2024-12-01"})
    assert bad.status_code == 400 and "评定日期不能早于评定年度" in bad.content.decode()
    assert StarRating.objects.get(pk=rating.pk).stars == 4
    done = client.post(url, RATING | {"stars": "5", "score": "96.5"})
    assert done.status_code == 302 and done["Location"] == "/party/stars/?year=2025"
    rating.refresh_from_db()
    assert (rating.stars, str(rating.score)) == (5, "96.5")
    assert [r["name"] for r in services.star_roll(2025)] == [party["groups"][0].name]
    event = PartyEvent.objects.get(kind="rate_update")
    assert event.detail["changed"] == {"stars": [4, 5], "score": ["88.0", "96.5"]}
    assert event.user == users["staff"] and event.object_id == rating.pk


def test_a_correction_keeps_one_rating_a_year(party, rating, client_for, users):
    services.do_rate(party["groups"][0], RATING | {"year": "2024", "awarded_on": "2025-01-10"})
    client = client_for(users["admin"])
    taken = client.post(f"/party/stars/{rating.pk}/edit/", RATING | {"year": "2024"})
    assert taken.status_code == 400 and "2024 年度已有星级评定" in taken.content.decode()
    assert StarRating.objects.get(pk=rating.pk).year == 2025
    assert not PartyEvent.objects.filter(kind="rate_update").exists()


def test_only_party_editors_of_its_scope_correct_a_rating(party, rating, client_for, users):
    url = f"/party/stars/{rating.pk}/edit/"
    body = RATING | {"stars": "1"}
    assert client_for(users["leader"]).post(url, body).status_code == 403
    assert client_for(users["handler"]).post(url, body).status_code == 403
    # 居委 staff of the other 居村 do not see the first 居村's group: no such rating for them.
    assert client_for(users["staff2"]).post(url, body).status_code == 404
    assert StarRating.objects.get(pk=rating.pk).stars == 4
    reader_page = client_for(users["leader"]).get("/party/stars/?year=2025").content.decode()
    assert url not in reader_page


def test_the_api_corrects_a_rating_with_put_only(party, rating, api, users):
    client = api(users["admin"])
    url = f"/api/party/ratings/{rating.pk}/"
    body = {"year": 2025, "stars": 5, "awarded_by": "区委组织部", "awarded_on": "2026-01-15"}
    bad = client.put(url, body | {"stars": 6}, format="json")
    assert bad.status_code == 400 and "stars" in bad.json()
    answer = client.put(url, body, format="json")
    assert answer.status_code == 200 and answer.json()["stars"] == 5
    assert answer.json()["organisation"] == party["groups"][0].pk and answer.json()["score"] is None
    assert client.patch(url, {"stars": 3}, format="json").status_code == 405
    assert StarRating.objects.get(pk=rating.pk).stars == 5
    for who in ("leader", "handler"):
        assert api(users[who]).put(url, body | {"stars": 1}, format="json").status_code == 403
    # A reader is refused before the body is judged (a date in the future is not the point).
    late = body | {"awarded_on": "2030-01-01"}
    assert api(users["leader"]).put(url, late, format="json").status_code == 403
    assert StarRating.objects.get(pk=rating.pk).stars == 5


def test_a_post_is_ended_on_a_page_and_shows_as_past(party, post, client_for, users):
    client = client_for(users["staff"])
    member_url = f"/party/members/{party['head'].pk}/"
    page = client.get(member_url).content.decode()
    end_url = f"/party/posts/{post.pk}/end/"
    assert f'href="{end_url}"' in page and "历任岗位" not in page
    early = client.post(end_url, {"ended_on": "2024-01-01", "reason": "任期届满"})
    assert early.status_code == 400 and "结束日期不能早于起始日期" in early.content.decode()
    blank = client.post(end_url, {"ended_on": "2026-11-20", "reason": ""})
    assert blank.status_code == 400
    later = client.post(end_url, {"ended_on": "2026-12-01", "reason": "任期届满"})
    assert later.status_code == 400 and "结束日期不能晚于今天" in later.content.decode()
    assert Assignment.objects.get(pk=post.pk).ended_on is None
    done = client.post(end_url, {"ended_on": "2026-11-20", "reason": "工作调动"})
    assert done.status_code == 302 and done["Location"] == member_url
    post.refresh_from_db()
    assert (str(post.ended_on), post.end_reason) == ("2026-11-20", "工作调动")
    page = client.get(member_url).content.decode()
    past = page[page.index("历任岗位") :]
    assert "工作调动" in past and "2024-03-01 – 2026-11-20" in past
    assert f'href="{end_url}"' not in page
    again = client.post(end_url, {"ended_on": "2026-11-21", "reason": "再次"})
    assert again.status_code == 400 and "该岗位已于 2026-11-20 结束" in again.content.decode()
    event = PartyEvent.objects.get(kind="assignment_end")
    assert event.detail["reason"] == "工作调动" and event.user == users["staff"]


def test_only_party_editors_end_a_post(party, post, client_for, users):
    url = f"/party/posts/{post.pk}/end/"
    body = {"ended_on": "2026-11-20", "reason": "工作调动"}
    assert client_for(users["leader"]).post(url, body).status_code == 403
    assert client_for(users["handler"]).get(url).status_code == 403
    assert client_for(users["staff2"]).post(url, body).status_code == 404
    assert Assignment.objects.get(pk=post.pk).ended_on is None


def test_the_api_ends_a_post_and_lists_it_as_past(party, post, api, users, tree):
    current = services.do_assign(
        party["head"], {"kind": "pioneer", "detail": "先锋队", "started_on": "2025-01-01"}
    )
    client = api(users["staff"])
    member = party["head"].pk
    url = f"/api/party/members/{member}/end-post/"
    bad = client.post(url, {"post": post.pk, "ended_on": "2026-11-20"}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()
    body = {"post": post.pk, "ended_on": "2026-11-20", "reason": "工作调动"}
    answer = client.post(url, body, format="json")
    assert answer.status_code == 200, answer.content
    assert (answer.json()["ended_on"], answer.json()["end_reason"]) == ("2026-11-20", "工作调动")
    again = client.post(url, body | {"ended_on": "2026-11-21"}, format="json")
    assert again.status_code == 400 and "已于 2026-11-20 结束" in again.json()["ended_on"][0]
    posts = client.get(f"/api/party/members/{member}/posts/").json()
    assert [(p["id"], p["ended_on"]) for p in posts] == [
        (current.pk, None),
        (post.pk, "2026-11-20"),
    ]
    # Another member's post is not this member's to end.
    other = services.do_register_member(party["groups"][0], {"name": "李梅"})
    wrong = client.post(
        f"/api/party/members/{other.pk}/end-post/", body | {"post": current.pk}, format="json"
    )
    assert wrong.status_code == 400 and wrong.json()["post"] == ["该党员没有这个岗位"]
    body["post"] = current.pk
    assert api(users["handler"]).post(url, body, format="json").status_code == 403
    assert api(users["leader"]).post(url, body, format="json").status_code == 403
    assert Assignment.objects.get(pk=current.pk).ended_on is None
