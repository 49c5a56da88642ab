"""退单 and the 办结 reply: what the street sends back to the 12345 hotline (cases.hotline); the
值班长's approval of a 复杂 ticket's 15-working-day limit."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.cases.choices import (
    HOTLINE_LIMIT_DAYS,
    CaseAction,
    CaseSource,
    HotlineMessageKind,
    HotlineRequestType,
)
from civicgrid.cases.models import HotlineMessage
from civicgrid.cases.services.checks import (
    Done,
    IllegalTransition,
    _check,
    _lock,
    _optional_text,
    _required_text,
    _set_deadline,
    _step,
)
from civicgrid.cases.services.clocks import pause_intervals
from civicgrid.workcalendar.services import add_working_days


def is_hotline_ticket(case) -> bool:
    return case.source == CaseSource.HOTLINE_12345 and bool(case.external_ticket)


def queue_message(case, kind: str, payload: dict, now) -> HotlineMessage:
    """The outbox row, in the caller's transaction; the worker sends it after the commit."""
    from civicgrid.cases.tasks import deliver_hotline_message_task

    message = HotlineMessage.objects.create(
        case=case,
        kind=kind,
        payload={"ticket": case.external_ticket, "kind": kind, "case": case.number, **payload},
        created_at=now,
        next_attempt_at=now,
    )
    transaction.on_commit(lambda: deliver_hotline_message_task.enqueue(message.pk))
    return message


def do_send_back(case, user, *, reason: str, now=None) -> Done:
    """退单: a 12345 ticket goes back to the hotline (wrong street, not its competence) with the
    reason; the 值班长 takes the step under their own name (the approval). The street's part is
    over (已退单) and the hotline is told through the outbox."""
    reason = _required_text(reason, "reason", _("退单理由"))
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.SEND_BACK, user)
        if not is_hotline_ticket(case):
            raise IllegalTransition(
                _("案件%(number)s不是12345工单，不能退单") % {"number": case.number}
            )
        approver = (f"{user.last_name}{user.first_name}".strip() or user.username) if user else ""
        event = _step(
            case,
            CaseAction.SEND_BACK,
            user,
            note=reason,
            data={"approved_by": user.username if user is not None else None},
            at=now,
        )
        queue_message(
            case,
            HotlineMessageKind.SEND_BACK,
            {"reason": reason, "approved_by": approver, "at": now.isoformat()},
            now,
        )
    return Done(case, event)


def queue_reply(case, now) -> HotlineMessage | None:
    """办结: the reply of a closed 12345 ticket (the handling result), inside the close's
    transaction; nothing for a case of another source."""
    if not is_hotline_ticket(case):
        return None
    return queue_message(
        case,
        HotlineMessageKind.REPLY,
        {"result": case.handling_result, "closed_at": now.isoformat()},
        now,
    )


def needs_complex_approval(case) -> bool:
    """A 12345 ticket typed 复杂 whose 15-working-day limit the 值班长 has not yet approved."""
    return (
        case.source == CaseSource.HOTLINE_12345
        and case.hotline_request_type == HotlineRequestType.COMPLEX
        and case.complex_limit_approved_at is None
    )


def do_approve_complex_limit(case, user, *, note: str = "", now=None) -> Done:
    """The 值班长 grants a 复杂 12345 ticket its 15 working days: the handling deadline becomes
    15 working days from the hotline's dispatch (or, without one, the street's dispatch),
    leaving out the time the case was suspended. A ticket not yet dispatched gets that limit when
    it is dispatched. Until this step a 复杂 ticket runs on the 求助/投诉 limit."""
    note = _optional_text(note, "note", _("说明"))
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.APPROVE_COMPLEX_LIMIT, user)
        if not needs_complex_approval(case):
            raise IllegalTransition(
                _("案件%(number)s不是待批准时限的12345复杂件") % {"number": case.number}
                if case.complex_limit_approved_at is None
                else _("案件%(number)s的复杂件时限已批准") % {"number": case.number}
            )
        case.complex_limit_approved_at = now
        case.complex_limit_approved_by = user
        data = {"days": HOTLINE_LIMIT_DAYS[HotlineRequestType.COMPLEX]}
        start = case.hotline_dispatched_at or case.dispatched_at
        if start is not None:
            data["previous_deadline"] = (
                case.handling_deadline.isoformat() if case.handling_deadline else None
            )
            _set_deadline(
                case,
                "handling_deadline",
                add_working_days(start, data["days"], exclude=pause_intervals(case, now)),
            )
            data["handling_deadline"] = case.handling_deadline.isoformat()
        event = _step(case, CaseAction.APPROVE_COMPLEX_LIMIT, user, note=note, data=data, at=now)
    return Done(case, event)
