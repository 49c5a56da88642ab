"""Notifications of the case loop through pluggable channels, sent only after commit.

A service builds its messages inside its transaction (so they describe the committed state) and
hands them to `schedule`, which in `transaction.on_commit` enqueues one django-tasks task
(`cases.tasks.deliver_notifications_task`, handed over as `use_queue`) that the worker (`manage.py db_worker`, started by
`make demo`) runs: a rolled-back action notifies nobody, and a slow mail server never slows the
action. If the task cannot be enqueued the messages are delivered in-process instead. Tests run
tasks at once (ImmediateBackend, see the root conftest).

Channels are classes named in settings.CIVICGRID_NOTIFICATION_CHANNELS (dotted paths; default:
the console channel, which logs; the demo adds the e-mail channel). A channel that fails is
logged and never keeps the others, or the action, from completing. The e-mail channel sends
through django.core.mail (EMAIL_BACKEND) to the reporter's address (Case.reporter_email) and to
the staff accounts behind a department, a micro-grid or the operators; the SMS channel is an
interface for a gateway. Links in messages are absolute (settings.CIVICGRID_PUBLIC_BASE_URL).
"""

import logging
import threading
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from civicgrid.accounts.policy import GRID_STAFF_ROLES
from civicgrid.registry.pii import mask_phone

logger = logging.getLogger("civicgrid.cases.notifications")


@dataclass(frozen=True)
class Recipient:
    """Who is told: the reporter (phone and/or account), a department, a grid, the operators, a
    named staff account (its phone and address), or every 值班长 ("approver": nobody on the duty
    roster)."""

    kind: str  # "reporter" | "department" | "grid" | "operator" | "staff" | "approver"
    user_id: int | None = None
    phone: str = ""
    department_id: int | None = None
    grid_id: int | None = None
    email: str = ""

    def describe(self) -> str:
        if self.kind == "staff":
            return f"staff({self.user_id})"
        if self.kind == "reporter":
            return (
                f"reporter(user={self.user_id}, phone={mask_phone(self.phone)}, "
                f"email={mask_email(self.email)})"
            )
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

    def as_dict(self) -> dict:
        """JSON-safe form, the argument of the delivery task."""
        return asdict(self)

    @classmethod
    def from_dict(cls, value: dict) -> "Message":
        return cls(**{**value, "recipient": Recipient(**value["recipient"])})


def mask_email(value: str) -> str:
    """ "zhang.san@example.com" → "z***@example.com" (personal data, shown like phones)."""
    value = value or ""
    if not value:
        return ""
    local, at, domain = value.partition("@")
    if not at:
        return "*" * len(value)
    return f"{local[:1]}***@{domain}"


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
            body += "\n\n" + _("查看进度并评价:%(link)s") % {"link": message.link}
        send_mail(str(subject), str(body), None, addresses, fail_silently=False)


def email_addresses(recipient: Recipient) -> list[str]:
    """The e-mail addresses behind a recipient (a few queries, run in the delivery task)."""
    from civicgrid.accounts.choices import Role
    from civicgrid.accounts.models import User

    if recipient.kind in ("reporter", "staff"):
        return [recipient.email] if recipient.email else []
    users = User.objects.filter(is_active=True).exclude(email="")
    if recipient.kind == "department" and recipient.department_id:
        users = users.filter(role=Role.DEPT_HANDLER, department_id=recipient.department_id)
    elif recipient.kind == "grid" and recipient.grid_id:
        today = timezone.localdate()
        # One filter() call: the post that matches the grid must itself be current.
        users = users.filter(
            Q(staff_member__posts__end_date__isnull=True)
            | Q(staff_member__posts__end_date__gte=today),
            role__in=GRID_STAFF_ROLES,
            staff_member__posts__micro_grid_id=recipient.grid_id,
            staff_member__posts__start_date__lte=today,
        )
    elif recipient.kind == "operator":
        users = users.filter(role=Role.OPERATOR)
    elif recipient.kind == "approver":
        users = users.filter(role=Role.SHIFT_CHIEF)
    else:
        return []
    return sorted(set(users.values_list("email", flat=True)))


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
    paths = tuple(settings.CIVICGRID_NOTIFICATION_CHANNELS)
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


# How messages reach the worker: cases.tasks.enqueue_notifications, handed over by
# CasesConfig.ready() (this module does not import the tasks, which import it).
_queue: Callable[[list[Message]], None] | None = None


def use_queue(enqueue: Callable[[list[Message]], None] | None) -> None:
    global _queue
    _queue = enqueue


def _enqueue(messages: list[Message]) -> None:
    """Hand the messages to the worker; deliver them here if the task queue is unavailable."""
    if _queue is None:
        deliver(messages)
        return
    try:
        _queue(messages)
    except Exception:
        logger.exception("通知任务无法入队,直接发送")
        deliver(messages)


# Who approves now: the 值班长 on duty, from civicgrid.duty's roster (handed over by its
# AppConfig.ready, this app sits below it); without a roster or nobody on it, every 值班长.
_approvers: Callable[[], list[Recipient]] | None = None


def use_approvers(find: Callable[[], list[Recipient]] | None) -> None:
    global _approvers
    _approvers = find


def approvers() -> list[Recipient]:
    """The recipients of a request for the 值班长's approval (an extension, a 12345 退单 …)."""
    found = _approvers() if _approvers is not None else []
    return found or [Recipient("approver")]


_muted = threading.local()


@contextmanager
def muted():
    """Send nothing while generating history (the demo's backdated cases): months of made-up
    steps must not reach anybody's mailbox when the worker starts."""
    previous = getattr(_muted, "on", False)
    _muted.on = True
    try:
        yield
    finally:
        _muted.on = previous


def schedule(messages: list[Message]) -> None:
    """Deliver after the surrounding transaction commits (at once outside a transaction)."""
    if messages and not getattr(_muted, "on", False):
        transaction.on_commit(lambda: _enqueue(messages))


# --- what each step of the loop tells whom ------------------------------------------------------


def track_link(case) -> str:
    """The residents' follow-up page of the case (progress and rating; civicgrid.public),
    absolute: it goes out in e-mails and text messages. Machines read the same token at
    /api/cases/track/{token}/."""
    from django.urls import reverse

    base = settings.CIVICGRID_PUBLIC_BASE_URL.rstrip("/")
    return base + reverse("public:track_token", args=[case.public_token])


def reporter(case) -> Recipient | None:
    if not (case.reporter_user_id or case.reporter_phone or case.reporter_email):
        return None
    return Recipient(
        "reporter",
        user_id=case.reporter_user_id,
        phone=case.reporter_phone,
        email=case.reporter_email,
    )


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
    if kind == "request_extension":  # the 值班长 on duty decides
        for recipient in approvers():
            add(recipient, _("案件%(n)s有延期申请,请值班长审批") % {"n": number})
    if kind == "start_call_in":
        for department_id in extra.get("departments", []):
            add(
                Recipient("department", department_id=department_id),
                _("基层约请:请参加案件%(n)s的会商") % {"n": number},
            )
    return out
