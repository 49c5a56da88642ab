"""What a reporter (and the holder of a case's link) is shown of a case: the steps in public
words, and the handling result with personal data masked. One definition for the residents'
pages (civicgrid/public) and the case API's public view (cases.api.serializers.PublicCase…).

Never the actor, the note or the data of a step: they may carry staff names, phones or other
people's details.
"""

from django.utils.translation import gettext_lazy as _

from civicgrid.cases.choices import CaseAction, Rating
from civicgrid.core.scrub import scrub_text

# What the reporter is shown of each step, in plain words; anything else (extensions, call-ins,
# views of their phone, merges received, 人工定位) is internal and left out.
PUBLIC_STEPS = {
    CaseAction.REPORT: _("已受理:您的反映已提交"),
    CaseAction.FILE: _("已立案"),
    CaseAction.REFUSE_FILING: _("不予立案"),
    CaseAction.DISPATCH: _("已派遣至处置单位"),
    CaseAction.ACCEPT: _("处置单位已接单,处置中"),
    CaseAction.RETURN: _("调整处置单位"),
    CaseAction.HANDLE: _("已处置,待核查"),
    CaseAction.VERIFY_PASS: _("核查通过,已结案"),
    CaseAction.VERIFY_FAIL: _("核查未通过,重新处置"),
    CaseAction.RATE: _("已评价"),
    CaseAction.REOPEN: _("您不满意,已重新处置"),
    CaseAction.SUSPEND: _("暂停办理"),
    CaseAction.RESUME: _("恢复办理"),
    CaseAction.MERGE: _("与同一问题的案件合并办理"),
}


def public_step(at, action: str, data) -> dict | None:
    """One history row as the public sees it ({at, action, label[, rating]}), or None when the
    step is internal."""
    label = PUBLIC_STEPS.get(action)
    if label is None:
        return None
    step = {"at": at, "action": action, "label": label}
    if action == CaseAction.RATE and (data or {}).get("rating") in Rating.values:
        step["rating"] = Rating(data["rating"]).label
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
