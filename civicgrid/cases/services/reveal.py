"""Personal data of a case on request: the reporter's full phone, logged."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.cases.choices import (
    CaseAction,
)
from civicgrid.cases.models import (
    Case,
)
from civicgrid.cases.services.checks import _record


def reveal_reporter_phone(case, user, *, channel: str = "api") -> str:
    """The reporter's full phone for a call-back; roles with full personal-data view only, within
    their scope, and every view is logged in the case's history (action 查看上报人完整电话)."""
    from civicgrid.cases.permissions import scope_cases

    if user is None or not user.is_authenticated or not user.may_view_full_pii:
        raise PermissionDenied(_("您的角色无权查看上报人的完整电话"))
    if not scope_cases(Case.objects.filter(pk=case.pk), user).exists():
        raise PermissionDenied(_("案件%(n)s不在您的范围内") % {"n": case.number})
    with transaction.atomic():
        case = Case.objects.get(pk=case.pk)
        _record(case, CaseAction.REVEAL_PHONE, user, case.status, data={"channel": channel})
    return case.reporter_phone
