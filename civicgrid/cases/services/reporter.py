"""The reporter's own steps on their report: 补充信息 (a note or photos added while the case is
open) and 撤销 (withdrawing it before it is filed).

The reporter is whoever the residents' track page already recognises: the resident account
the case was reported under, or the holder of the case's link (`token`, the public token the
receipt and every message carry) — a visitor without an account. Staff are never the reporter
here: they have their own steps.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import Role
from civicgrid.cases.choices import CaseAction
from civicgrid.cases.services import photos as step_photos
from civicgrid.cases.services.checks import (
    MAX_NOTE,
    Done,
    _check,
    _lock,
    _optional_text,
    _step,
)

MAX_WITHDRAW_REASON = 500


def _reporter(case, user, token, action):
    """Check that `user` (or the holder of `token`) is the case's reporter and may take `action`
    now; returns the actor to record (None: the holder of the link)."""
    if user is not None and not user.is_authenticated:
        user = None
    if token is not None:
        if token != case.public_token:
            raise PermissionDenied(_("查询码不正确"))
        if user is not None and user.pk != case.reporter_user_id:
            if user.effective_role != Role.RESIDENT:
                raise PermissionDenied(_("工作人员不能代替报告人补充或撤销反映"))
            user = None  # another resident holding the link acts as its holder
        _check(case, action, user)
        return user
    if user is None:
        raise PermissionDenied(_("只有报告人可以补充或撤销反映"))
    _check(case, action, user)
    return user


def do_add_info(case, user, *, note: str = "", photos=(), token: str | None = None, now=None):
    """补充信息: the reporter adds a note and/or photos (其他) to their own open report. The note
    and the photos are one history row; the case's state does not change."""
    note = _optional_text(note, "note", _("补充说明"), MAX_NOTE)
    uploads = step_photos.prepared(photos)
    if not note and not uploads:
        raise ValidationError({"note": _("请填写补充说明或选择照片")})
    now = now or timezone.now()
    with step_photos.atomic():
        case = _lock(case)
        actor = _reporter(case, user, token, CaseAction.ADD_INFO)
        event = _step(
            case, CaseAction.ADD_INFO, actor, note=note, data={"photos": len(uploads)}, at=now
        )
        stored = step_photos.store(case, event, actor, uploads, step_photos.OTHER)
    return Done(case, event, photos=stored)


def do_withdraw_report(case, user, *, reason: str = "", token: str | None = None, now=None):
    """撤销: the reporter withdraws their own report while it waits for 立案 (the reason is
    optional). The case leaves every queue (已撤销); its history stays."""
    reason = _optional_text(reason, "reason", _("撤销原因"), MAX_WITHDRAW_REASON)
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        actor = _reporter(case, user, token, CaseAction.WITHDRAW)
        # Nothing is running any more: the desk's filing clock stops with the report.
        case.filing_deadline = None
        case.warning_level = ""
        event = _step(case, CaseAction.WITHDRAW, actor, note=reason, at=now)
    return Done(case, event)
