"""The SMS gateway (短信网关): one small interface, two backends.

`LoggingSmsGateway` writes each text to the log with the phone masked (the demo, tests, an
install without a provider). `HttpSmsGateway` posts JSON to the provider's endpoint
(CIVICGRID_SMS_URL) with the key as a bearer token (CIVICGRID_SMS_KEY), the sender and template
id when set, and the delivery's id as `Idempotency-Key` (a retry after a lost answer is the same
text); a network error, a timeout or a non-2xx answer raises `SmsError`, which leaves the
delivery pending for the outbox's next attempt. `gateway()` is the HTTP backend when a URL is
configured, else the logging one.
"""

import logging

import requests
from django.conf import settings

from civicgrid.core.masking import mask_phone

logger = logging.getLogger("civicgrid.messaging.sms")


class SmsError(Exception):
    """The provider did not take the text (the outbox tries again later)."""


class SmsGateway:
    """Sends one text to one mobile number; raises SmsError when it was not taken."""

    name = "base"

    def send(self, phone: str, text: str, *, key: str = "") -> None:
        raise NotImplementedError


class LoggingSmsGateway(SmsGateway):
    name = "log"

    def send(self, phone: str, text: str, *, key: str = "") -> None:
        logger.info("短信 → %s: %s (%s)", mask_phone(phone), text, key)


class HttpSmsGateway(SmsGateway):
    name = "http"

    def __init__(self, url: str, key: str = "", *, sender: str = "", template: str = ""):
        self.url = url
        self.key = key
        self.sender = sender
        self.template = template

    def send(self, phone: str, text: str, *, key: str = "") -> None:
        body = {"phone": phone, "text": text}
        if self.sender:
            body["sender"] = self.sender
        if self.template:
            body["template"] = self.template
        headers = {}
        if key:
            body["id"] = key
            headers["Idempotency-Key"] = key
        if self.key:
            headers["Authorization"] = f"Bearer {self.key}"
        try:
            answer = requests.post(
                self.url,
                json=body,
                headers=headers,
                timeout=settings.CIVICGRID_SMS_TIMEOUT_SECONDS,
            )
        except requests.RequestException as exc:
            raise SmsError(f"{type(exc).__name__}: {exc}"[:500]) from exc
        if not 200 <= answer.status_code < 300:
            raise SmsError(f"HTTP {answer.status_code}: {answer.text[:400]}")


def gateway() -> SmsGateway:
    if settings.CIVICGRID_SMS_URL:
        return HttpSmsGateway(
            settings.CIVICGRID_SMS_URL,
            settings.CIVICGRID_SMS_KEY,
            sender=settings.CIVICGRID_SMS_SENDER,
            template=settings.CIVICGRID_SMS_TEMPLATE,
        )
    return LoggingSmsGateway()
