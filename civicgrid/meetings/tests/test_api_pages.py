"""API and pages of the 三会: scoping, bad input refused with a Chinese message and nothing
saved, a wrong state a 409, flat query counts, the run page's steps, the phone sign-in, the
public notice page, training and the dashboard tile (基层评议)."""

import datetime

import pytest

from civicgrid.meetings import services
from civicgrid.meetings.models import Meeting, MeetingEvent, Participant, TrainingRecord

pytestmark = pytest.mark.django_db


def _plan_body(tree, clock, **extra):
    return {
        "kind": "coordination",
        "community": tree["communities"][0].pk,
        "title": "停车协调会",
        "starts_at": (clock.at + datetime.timedelta(days=8)).isoformat(),
        "place": "居委会议室",
        **extra,
    }


def test_api_plan_and_scope(users, tree, clock, api):
    answer = api(users["staff"]).post(
        "/api/meetings/meetings/", _plan_body(tree, clock), format="json"
    )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert body["state"] == "planned" and body["notice_days"] == 5 and body["quorum_percent"] == 50
    assert "sign_in_token" not in body
    assert [
        m["id"] for m in api(users["staff"]).get("/api/meetings/meetings/").json()["results"]
    ] == [body["id"]]
    assert api(users["staff2"]).get("/api/meetings/meetings/").json()["results"] == []
    assert api(users["staff2"]).get(f"/api/meetings/meetings/{body['id']}/").status_code == 404
    assert api(users["operator"]).get("/api/meetings/meetings/").json()["count"] == 1
    assert api(users["handler"]).get("/api/meetings/meetings/").status_code == 403
    assert api(users["resident"]).get("/api/meetings/meetings/").status_code == 403
    assert api().get("/api/meetings/meetings/").status_code in (401, 403)
    # Another 居村's meeting is refused; a reader may not plan.
    answer = api(users["staff2"]).post(
        "/api/meetings/meetings/", _plan_body(tree, clock), format="json"
    )
    assert answer.status_code == 403
    answer = api(users["leader"]).post(
        "/api/meetings/meetings/", _plan_body(tree, clock), format="json"
    )
    assert answer.status_code == 403
    assert Meeting.objects.count() == 1


def test_api_bad_input_refused_nothing_saved(users, tree, clock, api):
    answer = api(users["staff"]).post(
        "/api/meetings/meetings/",
        _plan_body(tree, clock, title="  ", quorum_percent=100),
        format="json",
    )
    assert answer.status_code == 400
    assert "quorum_percent" in answer.json()
    answer = api(users["staff"]).post(
        "/api/meetings/meetings/",
        _plan_body(tree, clock, starts_at=(clock.at - datetime.timedelta(days=1)).isoformat()),
        format="json",
    )
    assert answer.status_code == 400
    assert answer.json()["starts_at"] == ["召开时间不能早于现在。"]
    assert not Meeting.objects.exists() and not MeetingEvent.objects.exists()


def test_api_run_a_hearing(hearing, users, api, clock):
    meeting = hearing["meeting"]
    client = api(users["staff"])
    url = f"/api/meetings/meetings/{meeting.pk}/"
    assert client.post(url + "hold/").status_code == 409
    assert client.post(url + "notice/").json()["state"] == "noticed"
    assert client.post(url + "notice/").status_code == 409
    clock.move_to(hearing["starts"])
    reps = hearing["reps"]
    for rep in reps[:3]:
        assert client.post(url + "tick/", {"participant": rep.pk}, format="json").status_code == 200
    assert client.post(url + "tick/", {"participant": 999999}, format="json").status_code == 400
    # The resident signs in with the QR code's token, through their own account.
    answer = api(users["resident"]).post(
        "/api/meetings/sign-in/", {"token": meeting.sign_in_token}, format="json"
    )
    assert answer.status_code == 200 and answer.json()["sign_in_method"] == "tick"
    body = client.post(url + "hold/").json()
    assert body["state"] == "held" and body["present_count"] == 3
    body = client.post(url + "motions/", {"title": "同意改建"}, format="json").json()
    motion = body["tallies"][0]["motion"]
    answer = client.post(
        url + "votes/",
        {"motion": motion, "ballots": {str(reps[0].pk): "for", str(reps[1].pk): "for"}},
        format="json",
    )
    tally = answer.json()["tallies"][0]
    assert tally["present"] == 3 and tally["representatives"] == 5
    assert tally["quorum_met"] is True and tally["votes_for"] == 2 and tally["passed"] is True
    answer = client.post(
        url + "opinions/",
        {"participant": reps[0].pk, "stance": "amend", "text": "增设座椅"},
        format="json",
    )
    assert answer.status_code == 200 and answer.json()["opinions"][0]["stance"] == "amend"
    assert client.post(url + "minutes/", {"text": "纪要"}, format="json").status_code == 200
    assert client.post(url + "sign-minutes/").json()["state"] == "minutes_signed"
    assert client.post(url + "minutes/", {"text": "改"}, format="json").status_code == 409
    answer = client.post(
        url + "correct-minutes/", {"text": "纪要（更正）", "reason": "笔误"}, format="json"
    )
    versions = answer.json()["minutes"]
    assert [m["version"] for m in versions] == [1, 2] and versions[1]["corrects"] == versions[0][
        "id"
    ]
    answer = client.post(url + "publish/")
    assert answer.status_code == 400 and "听证结论" in answer.json()["outcome"][0]
    client.post(url + "outcome/", {"outcome": "同意", "decision": "approved"}, format="json")
    assert client.post(url + "publish/").json()["state"] == "published"
    assert (
        api(users["staff2"]).post(url + "follow-up/", {"text": "x"}, format="json").status_code
        == 404
    )
    assert client.post(url + "follow-up/", {"text": "已落实"}, format="json").json()["state"] == (
        "followed_up"
    )


def test_list_query_count_is_flat(users, tree, clock, api, django_assert_num_queries):
    def plan(n):
        for i in range(n):
            services.do_plan_meeting(
                None,
                kind="hearing",
                community=tree["communities"][0],
                title=f"会议{i}",
                starts_at=clock.at + datetime.timedelta(days=9 + i),
                place="居委",
            )

    plan(2)
    client = api(users["staff"])
    client.get("/api/meetings/meetings/")
    with django_assert_num_queries(2) as small:
        client.get("/api/meetings/meetings/")
    plan(8)
    with django_assert_num_queries(len(small.captured_queries)):
        assert client.get("/api/meetings/meetings/").json()["count"] == 10


def test_pages_run_the_meeting(hearing, users, client_for, clock):
    meeting = hearing["meeting"]
    client = client_for(users["staff"])
    page = client.get("/meetings/").content.decode()
    assert "问题角改建花卉园" in page
    url = f"/meetings/{meeting.pk}/"
    client.post(url, {"action": "notice"})
    page = client.get(url).content.decode()
    assert 'id="sign-in-qr"' in page and "<svg" in page
    clock.move_to(hearing["starts"])
    client.post(url, {"action": "tick", "participant": hearing["reps"][0].pk})
    client.post(url, {"action": "hold"})
    answer = client.post(
        url,
        {
            "action": "opinion",
            "participant": hearing["reps"][0].pk,
            "stance": "support",
            "text": "",
        },
        follow=True,
    )
    assert "请填写意见内容。" in answer.content.decode()
    answer = client.post(url, {"action": "sign"}, follow=True)
    assert "请先编写会议纪要。" in answer.content.decode()
    meeting.refresh_from_db()
    assert meeting.state == "held"
    # Another 居村's staff and a reader: no page, no step.
    assert client_for(users["staff2"]).get(url).status_code == 404
    assert client_for(users["leader"]).post(url, {"action": "notice"}).status_code == 403


def test_plan_page_refuses_bad_input(users, tree, client_for, clock):
    client = client_for(users["staff"])
    answer = client.post(
        "/meetings/new/",
        {
            "kind": "hearing",
            "community": tree["communities"][0].pk,
            "title": "听证",
            "starts_at": (clock.at - datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
            "place": "居委",
            "notice_days": 5,
            "quorum_percent": 50,
            "pass_percent": 50,
        },
    )
    assert answer.status_code == 200 and "召开时间不能早于现在。" in answer.content.decode()
    assert not Meeting.objects.exists()


def test_phone_sign_in_page(hearing, users, client_for):
    meeting = hearing["meeting"]
    services.do_notice_meeting(users["staff"], meeting)
    client = client_for(users["resident"])
    url = f"/meetings/s/{meeting.sign_in_token}/"
    assert "确认签到" in client.get(url).content.decode()
    page = client.post(url, follow=True).content.decode()
    assert "签到成功。" in page
    assert Participant.objects.get(user=users["resident"]).sign_in_method == "qr"
    stranger = client_for(users["resident2"]).get(url).content.decode()
    assert "您不在本次会议的参会名单中" in stranger


def test_public_notice_page(hearing, users, client):
    community = hearing["meeting"].community
    url = f"/meetings/notices/{community.pk}/"
    assert "问题角改建花卉园" not in client.get(url).content.decode()
    services.do_notice_meeting(users["staff"], hearing["meeting"])
    page = client.get(url).content.decode()
    assert "问题角改建花卉园" in page and "居委会议室" in page


def test_training_page_and_api(users, client_for, api):
    client = client_for(users["operator"])
    answer = client.post(
        "/meetings/training/",
        {
            "trainee": users["staff"].pk,
            "post": "secretary",
            "course": "三会实训",
            "trained_on": "2026-03-01",
            "passed": "on",
        },
    )
    assert answer.status_code == 302
    assert TrainingRecord.objects.get().passed is True
    rows = api(users["operator"]).get("/api/meetings/coverage/").json()
    assert {r["community_name"]: r["ratio"] for r in rows}[users["staff"].community.name] == 1.0
    answer = api(users["staff2"]).post(
        "/api/meetings/training/",
        {
            "trainee": users["staff"].pk,
            "post": "worker",
            "course": "三会",
            "trained_on": "2026-03-01",
            "passed": True,
        },
        format="json",
    )
    assert answer.status_code == 400 and "管辖范围" in answer.json()["trainee"][0]
    assert TrainingRecord.objects.count() == 1
    assert api(users["staff2"]).get("/api/meetings/training/").json()["count"] == 0


def test_the_tile_on_the_dashboard(users, tree, clock, client_for, departments, api):
    start = clock.at + datetime.timedelta(days=6)
    meeting = services.do_plan_meeting(
        None,
        kind="evaluation",
        community=tree["communities"][0],
        title="评议会",
        starts_at=start,
        place="居委",
    )
    services.do_notice_meeting(None, meeting)
    services.do_hold_meeting(None, meeting, now=start)
    services.do_record_score(
        None,
        meeting,
        body_kind="department",
        department=departments["cg"],
        item="市容",
        satisfied=7,
        fairly=1,
        dissatisfied=2,
    )
    services.do_write_minutes(None, meeting, text="纪要")
    services.do_sign_minutes(None, meeting, now=start)
    services.do_publish_outcome(None, meeting, now=start)
    clock.move_to(start + datetime.timedelta(days=1))
    page = client_for(users["operator"]).get("/dashboard/").content.decode()
    assert 'id="meetings-tile"' in page and 'id="grassroots-evaluation"' in page
    assert "城管中队（职能部门）" in page and "80%" in page
    data = client_for(users["operator"]).get("/dashboard/data.json").json()
    assert data["tiles"]["meetings"]["evaluations"][0]["rate"] == pytest.approx(0.8)
    rows = api(users["operator"]).get("/api/meetings/evaluations/").json()
    assert rows[0]["name"] == "城管中队" and rows[0]["dissatisfied"] == 2


def test_a_step_without_an_account_is_shown_with_a_dash(hearing, users, client_for):
    # The demo's meetings (and any step the system takes) carry history rows with no account:
    # the page named them through a failed template lookup and answered 500.
    meeting = hearing["meeting"]
    MeetingEvent.objects.create(meeting=meeting, action="notice", user=None, note="系统发出通知")
    page = client_for(users["staff"]).get(f"/meetings/{meeting.pk}/")
    assert page.status_code == 200
    assert "系统发出通知 · —" in page.content.decode()
