"""What a reporter (and the holder of a case's link) is shown of a case: the state and the
steps in their own words, the reason when the case is not filed, the new deadline when it is
extended, and the handling result with personal data masked. One definition for the residents'
pages (civicgrid/public) and the case API's public view (cases.api.serializers.PublicCase…).

Never the actor, and never the note or the data of a step — except what is written for the
reporter: the reason of 不予立案 (scrubbed, core.scrub), the reporter's own additions and
withdrawal reason, and the deadline an approved extension set. Staff notes may carry staff
names, phones or other people's details.
"""

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.choices import CaseAction, CaseStatus, Rating
from civicgrid.core.scrub import scrub_text

# What the reporter is shown of each step, in plain words; anything else (call-ins, views of
# their phone, merges received, 人工定位, a department sending the case back to the desk) is
# internal and left out: for the reporter a case sent back is still being dealt with.
PUBLIC_STEPS = {
    CaseAction.REPORT: _("已受理：您的反映已提交"),
    CaseAction.FILE: _("已立案"),
    CaseAction.REFUSE_FILING: _("不予立案"),
    CaseAction.DISPATCH: _("已派遣至处置单位"),
    CaseAction.ACCEPT: _("处置单位已接单，处置中"),
    CaseAction.HANDLE: _("已处置，待核查"),
    CaseAction.VERIFY_PASS: _("核查通过，已结案"),
    CaseAction.VERIFY_FAIL: _("核查未通过，重新处置"),
    CaseAction.RATE: _("已评价"),
    CaseAction.REOPEN: _("您不满意，已重新处置"),
    CaseAction.SUSPEND: _("暂停办理"),
    CaseAction.RESUME: _("恢复办理"),
    CaseAction.MERGE: _("与同一问题的案件合并办理"),
    CaseAction.DECIDE_EXTENSION: _("办理期限已延长"),
    CaseAction.ADD_INFO: _("您补充了信息"),
    CaseAction.WITHDRAW: _("您已撤销本次反映"),
}

# The state as the reporter reads it: every state in somebody's hands is 处理中 (a department
# sending the case back to the desk is the street's business, not the reporter's).
PUBLIC_STATUS = {
    CaseStatus.REPORTED: _("已受理，待立案"),
    CaseStatus.FILED: _("处理中"),
    CaseStatus.DISPATCHED: _("处理中"),
    CaseStatus.ACCEPTED: _("处理中"),
    CaseStatus.RETURNED: _("处理中"),
    CaseStatus.HANDLED: _("已处置，待核查"),
    CaseStatus.CLOSED: _("已办结"),
    CaseStatus.NOT_FILED: _("不予立案"),
    CaseStatus.MERGED: _("已合并办理"),
    CaseStatus.SENT_BACK: _("已转回12345热线办理"),
    CaseStatus.WITHDRAWN: _("已撤销"),
}

# What a reporter whose case is not filed can do next.
NOT_FILED_NEXT_STEP = _("如有疑问或情况有变化，可拨打12345市民服务热线，或重新反映。")


def public_status(case) -> str:
    """The case's state in the reporter's words (暂停办理 while suspended)."""
    if case.is_suspended:
        return str(_("暂停办理"))
    return str(PUBLIC_STATUS.get(case.status, case.get_status_display()))


def _deadline_text(value) -> str:
    at = parse_datetime(value) if isinstance(value, str) else value
    if not isinstance(at, datetime.datetime):
        return ""
    if timezone.is_aware(at):
        at = timezone.localtime(at)
    return at.strftime("%Y-%m-%d %H:%M")


def public_step(at, action: str, data, note: str = "", names=()) -> dict | None:
    """One history row as the public sees it ({at, action, label[, rating][, detail]}), or None
    when the step is internal. `note` is read only where it was written for the reporter (the
    reason of 不予立案, the reporter's own addition or withdrawal), scrubbed of personal data
    (core.scrub; `names`: staff names to mask as well)."""
    label = PUBLIC_STEPS.get(action)
    if label is None:
        return None
    data = data or {}
    step = {"at": at, "action": action, "label": label}
    if action == CaseAction.RATE and data.get("rating") in Rating.values:
        step["rating"] = Rating(data["rating"]).label
    elif action == CaseAction.DECIDE_EXTENSION:
        # Only an approved extension changes what the reporter may expect.
        deadline = _deadline_text(data.get("handling_deadline")) if data.get("approved") else ""
        if not deadline:
            return None
        step["detail"] = _("新的办理期限：%(at)s") % {"at": deadline}
    elif action == CaseAction.REFUSE_FILING:
        reason = scrub_text(note or "", names=list(names)).strip()
        step["detail"] = _("原因：%(reason)s") % {"reason": reason} if reason else ""
        step["next_step"] = NOT_FILED_NEXT_STEP
    elif action in (CaseAction.ADD_INFO, CaseAction.WITHDRAW) and note:
        step["detail"] = scrub_text(note, names=list(names))
    return step


def people_names(users) -> list[str]:
    """The names under which staff may be written in a handling result: full name, the name
    written family name first, and the username."""
    names = []
    for user in users:
        if user is None:
            continue
        names += [
            user.get_full_name(),
            f"{user.last_name}{user.first_name}",
            user.username,
        ]
    return [n for n in names if n and n.strip()]


def public_result(case, staff=()) -> str:
    """The handling result (处理结果) with phones, IDs, e-mails, rooms and names masked: the
    reporter's own and those of `staff` (the users who acted on the case)."""
    return scrub_text(case.handling_result, names=[case.reporter_name, *people_names(staff)])
