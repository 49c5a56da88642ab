"""The channels a message goes out on, named (dotted paths) in
settings.CIVICGRID_NOTIFICATION_CHANNELS. Each pending `Delivery` row names its channel by
`Channel.name`; a channel's `accepts` decides at write time whether it takes a message at all
(the SMS channel only takes what the builder marked for a text to the reporter's phone)."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from civicgrid.messaging import sms
from civicgrid.messaging.messages import Message
from civicgrid.messaging.recipients import email_addresses

logger = logging.getLogger("civicgrid.cases.notifications")


class Channel:
    """A way of delivering messages (console, e-mail, SMS …)."""

    name = "base"

    def accepts(self, message: Message) -> bool:
        return True

    def send(self, message: Message) -> None:
        raise NotImplementedError

    def deliver(self, message: Message, key: str) -> None:
        """Send one message; `key` is the delivery's identity (the same on every retry).
        Raise to have the outbox try again later."""
        self.send(message)


class ConsoleChannel(Channel):
    """Writes each message to the log (the demo's channel); phones are masked."""

    name = "console"

    def send(self, message: Message) -> None:
        logger.info(
            "[%s] %s → %s: %s %s",
            message.kind,
            message.case_number,
            message.recipient.describe(),
            message.text,
            message.link,
        )


class MemoryChannel(Channel):
    """Keeps messages in a list (tests, and a development shell)."""

    name = "memory"
    outbox: list = []

    def send(self, message: Message) -> None:
        MemoryChannel.outbox.append(message)


class EmailChannel(Channel):
    """Sends each message as an e-mail through django.core.mail (settings.EMAIL_BACKEND): to the
    reporter's address, or to the active staff accounts with an address behind the recipient
    (a department's handlers, a micro-grid's grid workers and leader, the operators). Nobody with
    an address: nothing is sent."""

    name = "email"

    def send(self, message: Message) -> None:
        addresses = email_addresses(message.recipient)
        if not addresses:
            return
        subject = _("【网格化管理】案件%(n)s") % {"n": message.case_number}
        body = message.text
        if message.link:
            body += "\n\n" + _("查看进度并评价：%(link)s") % {"link": message.link}
        send_mail(str(subject), str(body), None, addresses, fail_silently=False)


class SmsChannel(Channel):
    """Texts the reporter's mobile through the SMS gateway (messaging.sms): only the messages the
    builder marked for it (`data["sms"]`: 立案, 办结 and the request to rate)."""

    name = "sms"

    def accepts(self, message: Message) -> bool:
        return bool(message.recipient.phone and message.data.get("sms"))

    def send(self, message: Message) -> None:
        self.deliver(message, "")

    def deliver(self, message: Message, key: str) -> None:
        if not self.accepts(message):
            return
        text = f"{message.text} {message.link}".strip()
        sms.gateway().send(message.recipient.phone, text, key=key)


_channel_cache: dict = {}


def channels() -> list[Channel]:
    paths = tuple(settings.CIVICGRID_NOTIFICATION_CHANNELS)
    if paths not in _channel_cache:
        _channel_cache[paths] = [import_string(p)() for p in paths]
    return _channel_cache[paths]
