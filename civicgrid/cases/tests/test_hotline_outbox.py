"""退单 and the 办结 reply go back to the 12345 hotline through the outbox: sent by the task worker
to a real HTTP server on 127.0.0.1, retried until acknowledged, each attempt logged."""

import datetime
import http.server
import json
import threading

import pytest

from civicgrid.cases import hotline, services
from civicgrid.cases.models import Case, CaseEvent, HotlineAttempt, HotlineMessage
from civicgrid.testing.cases import walk_to
from civicgrid.testing.world import IN_MICRO

KEY = "test-hotline-key"


class Hotline:
    """A hotline on loopback: answers each POST with the next status of `answers` (200 when
    they run out) and keeps what it received."""

    def __init__(self):
        self.answers = []
        self.received = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                owner.received.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "json": json.loads(self.rfile.read(length)),
                    }
                )
                status = owner.answers.pop(0) if owner.answers else 200
                body = json.dumps({"ok": status == 200}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/tickets/feedback"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hotline_server(settings):
    with Hotline() as server:
        settings.CIVICGRID_HOTLINE_URL = server.url
        settings.CIVICGRID_HOTLINE_KEY = KEY
        settings.CIVICGRID_HOTLINE_TIMEOUT_SECONDS = 5
        yield server


def ticket(users, garbage, number="SH12345-20261123-0007"):
    case, created = services.intake_hotline(
        user=users["operator"],
        ticket=number,
        category=garbage,
        description="小区门口垃圾堆放多日",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
        hotline_request_type="help",
    )
    assert created
    return case


def test_send_back_fails_once_then_is_acknowledged(
    users, garbage, clock, hotline_server, django_capture_on_commit_callbacks
):
    hotline_server.answers = [503]
    case = ticket(users, garbage)
    with django_capture_on_commit_callbacks(execute=True):
        done = services.do_send_back(case, users["chief"], reason="地址属于周浦镇,非本街镇辖区")
    assert done.case.status == "sent_back"
    assert done.event.action == "send_back" and done.event.data == {"approved_by": "chief"}

    # The worker's first attempt met a 503: the message waits for its next attempt.
    message = HotlineMessage.objects.get(case=case)
    assert message.kind == "send_back" and message.status == "pending"
    assert message.attempts == 1
    assert message.next_attempt_at == clock.at + datetime.timedelta(minutes=1)
    first = hotline_server.received[0]
    assert first["headers"]["Authorization"] == f"Bearer {KEY}"
    assert first["json"] == {
        "ticket": "SH12345-20261123-0007",
        "kind": "send_back",
        "case": case.number,
        "reason": "地址属于周浦镇,非本街镇辖区",
        "approved_by": "赵刚",
        "at": "2026-11-23T02:00:00+00:00",
    }
    # Not yet due: nothing is sent.
    assert hotline.deliver_due() == {"acknowledged": 0, "failed": 0}

    clock.advance(minutes=1)
    assert hotline.deliver_due() == {"acknowledged": 1, "failed": 0}
    message.refresh_from_db()
    assert message.status == "acknowledged" and message.acknowledged_at == clock.at
    assert len(hotline_server.received) == 2
    # The retry is the same message to the hotline.
    keys = {r["headers"]["Idempotency-Key"] for r in hotline_server.received}
    assert keys == {f"civicgrid-hotline-{message.pk}"}
    log = list(HotlineAttempt.objects.filter(message=message).values_list("ok", "status_code"))
    assert log == [(False, 503), (True, 200)]
    # An acknowledged message is never sent again.
    clock.advance(hours=2)
    assert hotline.deliver_due() == {"acknowledged": 0, "failed": 0}
    assert len(hotline_server.received) == 2


def test_an_unreachable_hotline_is_logged_and_retried_later(users, garbage, clock, settings):
    with Hotline() as server:
        url = server.url
    settings.CIVICGRID_HOTLINE_URL = url  # the port is closed now
    settings.CIVICGRID_HOTLINE_TIMEOUT_SECONDS = 2
    case = ticket(users, garbage)
    services.do_send_back(case, users["chief"], reason="不属于街镇职权")
    message = HotlineMessage.objects.get(case=case)
    assert hotline.deliver_due() == {"acknowledged": 0, "failed": 1}
    attempt = HotlineAttempt.objects.get(message=message)
    assert not attempt.ok and attempt.status_code is None
    assert attempt.detail.startswith("ConnectionError")
    message.refresh_from_db()
    assert message.attempts == 1 and message.status == "pending"
    # The back-off doubles: 1, 2, 4 … minutes, at most an hour.
    assert [hotline.backoff(n).total_seconds() / 60 for n in (1, 2, 3, 10)] == [1, 2, 4, 60]


def test_close_sends_the_reply(
    users, garbage, clock, hotline_server, django_capture_on_commit_callbacks
):
    case = ticket(users, garbage)
    with django_capture_on_commit_callbacks(execute=True):
        walk_to(case, "closed", users)
    message = HotlineMessage.objects.get(case=case)
    assert message.kind == "reply" and message.status == "acknowledged"
    assert hotline_server.received[0]["json"]["result"] == "已清理完毕,现场恢复整洁"
    assert hotline_server.received[0]["json"]["kind"] == "reply"


def test_a_case_of_another_source_sends_nothing(users, garbage, clock, hotline_server):
    case = services.do_report(
        user=users["resident"],
        category=garbage,
        description="路边垃圾",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
    ).case
    walk_to(case, "closed", users)
    assert not HotlineMessage.objects.exists()


def test_without_a_url_the_messages_wait(users, garbage, clock, settings):
    settings.CIVICGRID_HOTLINE_URL = ""
    case = ticket(users, garbage)
    services.do_send_back(case, users["chief"], reason="不属于街镇职权")
    assert hotline.deliver_due() == {"acknowledged": 0, "failed": 0}
    assert HotlineMessage.objects.get(case=case).status == "pending"
    assert not HotlineAttempt.objects.exists()


def test_send_back_through_the_api(api, users, garbage, clock, hotline_server):
    case = ticket(users, garbage)
    url = f"/api/cases/{case.number}/send-back/"
    events = CaseEvent.objects.count()
    # The 受理/派遣员 may not: 退单 is the 值班长's approval.
    refused = api(users["operator"]).post(url, {"reason": "非本街镇"}, format="json")
    assert refused.status_code == 403
    assert (
        "send_back"
        not in api(users["operator"]).get(f"/api/cases/{case.number}/").data["allowed_actions"]
    )
    empty = api(users["chief"]).post(url, {"reason": ""}, format="json")
    assert empty.status_code == 400 and empty.data["reason"] == ["请填写退单理由"]
    assert Case.objects.get(pk=case.pk).status == "reported"
    assert CaseEvent.objects.count() == events and not HotlineMessage.objects.exists()

    assert (
        "send_back" in api(users["chief"]).get(f"/api/cases/{case.number}/").data["allowed_actions"]
    )
    done = api(users["chief"]).post(url, {"reason": "非本街镇"}, format="json")
    assert done.status_code == 200, done.data
    assert done.data["status"] == "sent_back"
    # Already sent back: a second time is a conflict.
    again = api(users["chief"]).post(url, {"reason": "非本街镇"}, format="json")
    assert again.status_code == 409


def test_only_a_12345_ticket_can_be_sent_back(api, users, garbage, clock):
    number = (
        api(users["resident"])
        .post(
            "/api/cases/",
            {
                "category": garbage.pk,
                "description": "路边垃圾",
                "lon": IN_MICRO[0][0],
                "lat": IN_MICRO[0][1],
            },
            format="json",
        )
        .data["number"]
    )
    response = api(users["chief"]).post(
        f"/api/cases/{number}/send-back/", {"reason": "非本街镇"}, format="json"
    )
    assert response.status_code == 409
    assert response.data["detail"] == f"案件{number}不是12345工单，不能退单"
    assert Case.objects.get(number=number).status == "reported"
