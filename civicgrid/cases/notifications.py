"""Notifications of the case loop: what each step tells whom, written to the outbox in the step's
own transaction.

A service builds its messages inside its transaction (so they describe the state it commits) and
hands them to `schedule`, which writes them to the transactional outbox (civicgrid.messaging.outbox):
a row per message, a pending delivery per channel, an item in the notification centre of every
staff account behind the recipient — committed with the step or not at all. A worker woken after
the commit (messaging.tasks.deliver_outbox_task; the sweep `manage.py deliver_outbox` and the
deadline scan's loop pick up what a lost wake-up leaves) delivers each message once per channel.
Tests run tasks at once (ImmediateBackend, see the root conftest).

Channels are classes named in settings.CIVICGRID_NOTIFICATION_CHANNELS (messaging.channels:
console, e-mail, SMS through the gateway in messaging.sms; the test kit's memory channel). The
reporter is told by e-mail and, with a phone, by SMS at 立案, 办结 and when asked to rate (the
messages marked `data["sms"]`); staff read theirs at /notifications/. Links in messages to the
reporter are absolute (settings.CIVICGRID_PUBLIC_BASE_URL).
"""

import threading
from collections.abc import Callable
from contextlib import contextmanager

from django.conf import settings
from django.utils.translation import gettext as _

from civicgrid.cases.choices import CaseStatus
from civicgrid.messaging import outbox
from civicgrid.messaging.channels import (  # noqa: F401 (the dotted paths settings used to name)
    Channel,
    ConsoleChannel,
    EmailChannel,
    MemoryChannel,
    SmsChannel,
    channels,
)
from civicgrid.messaging.messages import Message, Recipient, mask_email  # noqa: F401

# The reporter's messages that also go out as a text message to their phone.
RESIDENT_SMS_KINDS = frozenset({"file", "verify_pass", "rate_request"})


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
def muted(*, inbox: bool = False):
    """Send nothing while generating history (the demo's backdated cases): months of made-up
    steps must not reach anybody's mailbox or phone when the worker starts. With `inbox=True`
    the staff's notification centre still gets its items (dated by the step)."""
    previous = getattr(_muted, "mode", None)
    _muted.mode = "inbox" if inbox else "all"
    try:
        yield
    finally:
        _muted.mode = previous


def schedule(messages: list[Message], *, at=None) -> None:
    """Write the messages to the outbox in the surrounding transaction (see the module's
    docstring); `at` is the step's time (the notification centre shows it)."""
    mode = getattr(_muted, "mode", None)
    if messages and mode != "all":
        outbox.write(messages, at=at, send=mode is None)


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


def verifier(case) -> Recipient | None:
    """Who does the 核查 of a handled case: the staff of its micro-grid."""
    if case.micro_grid_id:
        return Recipient("grid", grid_id=case.micro_grid_id)
    return None


def holder(case) -> Recipient | None:
    """Who holds an open case now: the street's desk (城运中心) until it is dispatched and when a
    handler returns it, the handler (a department's, or the micro-grid's staff) while it is being
    handled, the micro-grid's staff while they verify it."""
    if case.status in (CaseStatus.REPORTED, CaseStatus.FILED, CaseStatus.RETURNED):
        return Recipient("operator")
    if case.status in (CaseStatus.DISPATCHED, CaseStatus.ACCEPTED):
        return assignee(case)
    if case.status == CaseStatus.HANDLED:
        return verifier(case)
    return None


def messages_for(case, kind: str, **extra) -> list[Message]:
    """The messages one step sends; `kind` is a CaseAction value."""
    number = case.number
    out = []

    def add(recipient, text, link=""):
        if recipient is None:
            return
        data = dict(extra)
        if recipient.kind == "reporter" and kind in RESIDENT_SMS_KINDS:
            data["sms"] = True
        out.append(Message(kind, number, recipient, str(text), link, data))

    link = track_link(case)
    n = {"n": number}
    if kind == "file":
        add(reporter(case), _("您反映的问题已立案，案件编号%(n)s") % n, link)
    elif kind == "refuse_filing":
        add(reporter(case), _("您反映的问题不予立案（案件编号%(n)s）") % n, link)
    elif kind == "dispatch":
        add(assignee(case), _("新派遣：请接单处置案件%(n)s") % n)
    elif kind == "reopen":
        add(assignee(case), _("案件%(n)s居民评价不满意，已重新派遣，请再次处置") % n)
    elif kind == "verify_fail":
        add(assignee(case), _("案件%(n)s核查不通过，请返工处置") % n)
    elif kind == "return":
        add(Recipient("operator"), _("案件%(n)s被退回，请重新派遣") % n)
    elif kind in ("request_extension", "start_call_in"):
        add(Recipient("operator"), _("案件%(n)s需要城运中心处理") % n)
    elif kind == "decide_extension":
        add(assignee(case), _("案件%(n)s的延期申请已审批") % n)
    elif kind == "handle":
        add(reporter(case), _("您反映的问题已处置，案件编号%(n)s") % n, link)
        add(verifier(case), _("案件%(n)s已处置，等待网格员核查") % n)
    elif kind == "verify_pass":
        add(reporter(case), _("您反映的问题已结案（案件编号%(n)s），欢迎评价") % n, link)
    elif kind == "add_info":  # the reporter's note or photos reach whoever holds the case
        add(holder(case), _("案件%(n)s的报告人补充了信息，请查看") % n)
    if kind == "request_extension":  # the 值班长 on duty decides
        for recipient in approvers():
            add(recipient, _("案件%(n)s有延期申请，请值班长审批") % n)
    if kind == "start_call_in":
        for department_id in extra.get("departments", []):
            add(
                Recipient("department", department_id=department_id),
                _("基层约请：请参加案件%(n)s的会商") % n,
            )
    out.extend(control_messages(case, kind, extra))
    return out


def _previous_assignee(extra) -> Recipient | None:
    if extra.get("previous_department"):
        return Recipient("department", department_id=extra["previous_department"])
    if extra.get("previous_grid"):
        return Recipient("grid", grid_id=extra["previous_grid"])
    return None


def control_messages(case, kind: str, extra: dict) -> list[Message]:
    """The street's control of a dispatched case (cases.services.control): 改派 tells the old
    handler it lost the case and the new one to take it, 撤回 the old handler, 催办 the handler,
    and a dispatch with 协办 each co-handling department."""
    number = case.number
    out = []

    def add(recipient, text):
        if recipient is not None:
            out.append(Message(kind, number, recipient, str(text), "", dict(extra)))

    if kind == "redispatch":
        add(_previous_assignee(extra), _("案件%(n)s已改派其他部门，无需再处置") % {"n": number})
        add(assignee(case), _("改派：请接单处置案件%(n)s") % {"n": number})
    elif kind == "recall":
        add(_previous_assignee(extra), _("案件%(n)s已由城运中心撤回，无需再处置") % {"n": number})
    elif kind == "hurry":
        text = (
            _("催办：案件%(n)s已超过处置期限，请立即处置")
            if extra.get("level") == "red"
            else _("催办：案件%(n)s临近处置期限，请抓紧处置")
        )
        add(assignee(case), text % {"n": number})
    if kind in ("dispatch", "redispatch"):
        for department_id in extra.get("co_departments", []):
            add(
                Recipient("department", department_id=department_id),
                _("请协办案件%(n)s，并在主办部门处置反馈前提交协办意见") % {"n": number},
            )
    return out
