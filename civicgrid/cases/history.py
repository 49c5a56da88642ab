"""Who a history row names as its actor (操作人) on the staff's pages.

A row without an account behind it is not the system's doing when a person took the step: a
resident's report through the web without logging in, a 12345 ticket, the reporter rating or
adding to the report through the case's link. Those are named after who did it (an anonymous
report stays anonymous); only what the application did by itself reads 系统.
"""

from django.utils.translation import gettext as _

from civicgrid.cases.choices import CaseAction, CaseSource

# Steps a reporter without an account takes through the case's link.
_REPORTER_STEPS = {CaseAction.REPORT, CaseAction.RATE, CaseAction.ADD_INFO, CaseAction.WITHDRAW}


def actor_label(event) -> str:
    user = event.actor
    if user is not None:
        return user.get_full_name() or user.username
    if event.action not in _REPORTER_STEPS:
        return _("系统")
    case = event.case
    if case.is_anonymous:
        return _("匿名居民")
    if case.source == CaseSource.HOTLINE_12345:
        return _("12345热线")
    if case.source in (CaseSource.RESIDENT, CaseSource.OPEN311):
        return _("上报居民")
    return case.reporter_name or _("上报人")
