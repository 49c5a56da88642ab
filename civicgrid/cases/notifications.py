"""Notifications of the case loop through pluggable channels, sent only after commit.

A service builds its messages inside its transaction (so they describe the committed state) and
hands them to `schedule`, which delivers them in `transaction.on_commit`: a rolled-back action
notifies nobody. Channels are classes named in settings.CIVICGRID_NOTIFICATION_CHANNELS (dotted
paths; default: the console channel, which logs). A channel that fails is logged and never keeps
the others, or the action, from completing. SMS and e-mail channels implement the same `send`.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from civicgrid.registry.pii import mask_phone

logger = logging.getLogger("civicgrid.cases.notifications")

DEFAULT_CHANNELS = ["civicgrid.cases.notifications.ConsoleChannel"]


@dataclass(frozen=True)
class Recipient:
    """Who is told: the reporter (phone and/or account), a department, a grid, or the operators."""

    kind: str  # "reporter" | "department" | "grid" | "operator"
    user_id: int | None = None
    phone: str = ""
    department_id: int | None = None
    grid_id: int | None = None

    def describe(self) -> str:
        if self.kind == "reporter":
            return f"reporter(user={self.user_id}, phone={mask_phone(self.phone)})"
        if self.kind == "department":
            return f"department({self.department_id})"
        if self.kind == "grid":
            return f"grid({self.grid_id})"
        return self.kind


@dataclass(frozen=True)
class Message:
    kind: str
    case_number: str
    recipient: Recipient
    text: str
    link: str = ""
    data: dict = field(default_factory=dict)


class Channel:
    """A way of delivering messages (console, e-mail, SMS …)."""

    name = "base"

    def send(self, message: Message) -> None:
        raise NotImplementedError


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


class SmsChannel(Channel):
    """Interface for an SMS gateway: subclass and implement `send_sms(phone, text)`."""

    name = "sms"

    def send(self, message: Message) -> None:
        if message.recipient.phone:
            self.send_sms(message.recipient.phone, f"{message.text} {message.link}".strip())

    def send_sms(self, phone: str, text: str) -> None:
        raise NotImplementedError("接入短信网关时实现 send_sms")


_channel_cache: dict = {}


def channels() -> list[Channel]:
    paths = tuple(getattr(settings, "CIVICGRID_NOTIFICATION_CHANNELS", DEFAULT_CHANNELS))
    if paths not in _channel_cache:
        _channel_cache[paths] = [import_string(p)() for p in paths]
    return _channel_cache[paths]


def deliver(messages: list[Message]) -> None:
    for channel in channels():
        for message in messages:
            try:
                channel.send(message)
            except Exception:
                logger.exception("通知发送失败: %s %s", channel.name, message.case_number)


def schedule(messages: list[Message]) -> None:
    """Deliver after the surrounding transaction commits (at once outside a transaction)."""
    if messages:
        transaction.on_commit(lambda: deliver(messages))


# --- what each step of the loop tells whom ------------------------------------------------------


def track_link(case) -> str:
    return f"/api/cases/track/{case.public_token}/"


def reporter(case) -> Recipient | None:
    if not (case.reporter_user_id or case.reporter_phone):
        return None
    return Recipient("reporter", user_id=case.reporter_user_id, phone=case.reporter_phone)


def assignee(case) -> Recipient | None:
    if case.handled_by_grid and case.micro_grid_id:
        return Recipient("grid", grid_id=case.micro_grid_id)
    if case.assigned_department_id:
        return Recipient("department", department_id=case.assigned_department_id)
    return None


def messages_for(case, kind: str, **extra) -> list[Message]:
    """The messages one step sends; `kind` is a CaseAction value."""
    number = case.number
    out = []

    def add(recipient, text, link=""):
        if recipient is not None:
            out.append(Message(kind, number, recipient, str(text), link, dict(extra)))

    link = track_link(case)
    if kind == "file":
        add(reporter(case), _("您反映的问题已立案,案件编号%(n)s") % {"n": number}, link)
    elif kind == "refuse_filing":
        add(reporter(case), _("您反映的问题不予立案(案件编号%(n)s)") % {"n": number}, link)
    elif kind in ("dispatch", "reopen", "verify_fail"):
        add(assignee(case), _("请处置案件%(n)s") % {"n": number})
    elif kind in ("return", "request_extension", "start_call_in"):
        add(Recipient("operator"), _("案件%(n)s需要城运中心处理") % {"n": number})
    elif kind == "decide_extension":
        add(assignee(case), _("案件%(n)s的延期申请已审批") % {"n": number})
    elif kind == "handle":
        add(reporter(case), _("您反映的问题已处置,案件编号%(n)s") % {"n": number}, link)
    elif kind == "verify_pass":
        add(
            reporter(case),
            _("您反映的问题已结案(案件编号%(n)s),欢迎评价") % {"n": number},
            link,
        )
    if kind == "start_call_in":
        for department_id in extra.get("departments", []):
            add(
                Recipient("department", department_id=department_id),
                _("基层约请:请参加案件%(n)s的会商") % {"n": number},
            )
    return out
