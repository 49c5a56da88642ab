"""The SMS channel: residents who left a phone get a text at 立案, 办结 (with the request to
rate); the HTTP gateway posts JSON to a real server on loopback and a refused or unanswered
post is retried by the outbox; the logging gateway masks phones."""

import http.server
import json
import logging
import threading
import time

import pytest

from civicgrid.cases import services
from civicgrid.messaging import outbox as box
from civicgrid.messaging import sms
from civicgrid.messaging.choices import DeliveryStatus
from civicgrid.messaging.models import Delivery
from civicgrid.testing.cases import case_in_state, report, walk_to

SMS = "civicgrid.messaging.channels.SmsChannel"


class Provider:
    """An SMS provider on loopback: answers each POST with the next (status, delay) of
    `answers` ((200, 0) when they run out) and keeps what it received."""

    def __init__(self):
        self.answers = []
        self.received = []
        owner = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                owner.received.append(
                    {"headers": dict(self.headers), "json": json.loads(self.rfile.read(length))}
                )
                status, delay = owner.answers.pop(0) if owner.answers else (200, 0)
                time.sleep(delay)
                body = json.dumps({"ok": status == 200}).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up waiting
                    pass

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sms/send"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider(settings):
    with Provider() as server:
        settings.CIVICGRID_NOTIFICATION_CHANNELS = [SMS]
        settings.CIVICGRID_SMS_URL = server.url
        settings.CIVICGRID_SMS_KEY = "sms-key"
        settings.CIVICGRID_SMS_SENDER = "浦东街道"
        settings.CIVICGRID_SMS_TEMPLATE = "SMS_0001"
        settings.CIVICGRID_SMS_TIMEOUT_SECONDS = 1
        settings.CIVICGRID_PUBLIC_BASE_URL = "https://civicgrid.example.org"
        yield server


def test_resident_texted_when_filed_and_closed_through_the_provider(
    users, garbage, clock, provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        case = case_in_state("closed", users, cat=garbage)  # reporter 13912345678
    texts = [r["json"] for r in provider.received]
    assert [t["phone"] for t in texts] == ["13912345678", "13912345678"]
    assert "已立案" in texts[0]["text"] and case.number in texts[0]["text"]
    assert "已结案" in texts[1]["text"] and "欢迎评价" in texts[1]["text"]
    assert f"https://civicgrid.example.org/resident/t/{case.public_token}/" in texts[1]["text"]
    assert {t["sender"] for t in texts} == {"浦东街道"} and {t["template"] for t in texts} == {
        "SMS_0001"
    }
    headers = provider.received[0]["headers"]
    assert headers["Authorization"] == "Bearer sms-key"
    assert headers["Idempotency-Key"] == texts[0]["id"]
    # 已处置 goes by e-mail only; staff get no texts (their notification centre tells them).
    assert Delivery.objects.filter(channel="sms").count() == 2


def test_no_phone_no_text(users, garbage, clock, provider):
    case = report(users["worker"], garbage)  # a patrol report carries no reporter phone
    walk_to(case, "closed", users)
    assert not Delivery.objects.filter(channel="sms").exists()


def test_a_refused_or_unanswered_post_is_retried_and_sent_once(
    users, garbage, clock, provider, caplog
):
    case = report(users["resident"], garbage)
    services.do_file(case, users["operator"])
    provider.answers = [(503, 0), (200, 2)]  # down, then too slow (the timeout is 1 s)
    with caplog.at_level(logging.ERROR, logger="civicgrid.cases.notifications"):
        assert box.deliver_pending()["failed"] == 1
        row = Delivery.objects.get(channel="sms")
        assert row.status == DeliveryStatus.PENDING and "HTTP 503" in row.last_error
        clock.advance(minutes=1)
        assert box.deliver_pending()["failed"] == 1
    row.refresh_from_db()
    assert "Timeout" in row.last_error and row.attempts == 2
    clock.advance(minutes=2)
    assert box.deliver_pending()["delivered"] == 1
    row.refresh_from_db()
    assert row.status == DeliveryStatus.DELIVERED
    # Every attempt carried the same identity, so the provider can drop a repeat.
    keys = {r["headers"]["Idempotency-Key"] for r in provider.received}
    assert keys == {f"civicgrid-notification-{row.pk}"} and len(provider.received) == 3
    clock.advance(hours=1)
    assert box.deliver_pending()["delivered"] == 0 and len(provider.received) == 3
    assert "13912345678" not in caplog.text


def test_the_logging_gateway_masks_the_phone(users, garbage, clock, settings, caplog):
    settings.CIVICGRID_NOTIFICATION_CHANNELS = [SMS]
    settings.CIVICGRID_SMS_URL = ""
    assert isinstance(sms.gateway(), sms.LoggingSmsGateway)
    services.do_file(report(users["resident"], garbage), users["operator"])
    with caplog.at_level(logging.INFO, logger="civicgrid.messaging.sms"):
        assert box.deliver_pending()["delivered"] == 1
    assert "139****5678" in caplog.text and "13912345678" not in caplog.text
    assert "已立案" in caplog.text


def test_an_unreachable_provider_is_a_failure(settings):
    settings.CIVICGRID_SMS_TIMEOUT_SECONDS = 1
    gateway = sms.HttpSmsGateway("http://127.0.0.1:9/none")
    with pytest.raises(sms.SmsError):
        gateway.send("13912345678", "测试")
