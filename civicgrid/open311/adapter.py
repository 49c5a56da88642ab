"""The only place the Open311 app touches the case loop (civicgrid.cases).

Open311 speaks in service codes, request ids and open/closed; the case loop in categories, case
numbers and its own states. Everything that translates between the two lives here, so a change in
the cases app has one place to be followed in.

service_code = "<family>-<code>" (e.g. "event-0102" 暴露垃圾): category codes are unique only
within a family (部件 0102 污水井盖 and 事件 0102 暴露垃圾), so the family is part of the key.
"""

from django.db.models import OuterRef, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from civicgrid.cases import services as case_services
from civicgrid.cases.choices import (
    OPEN_STATUSES,
    CaseAction,
    CaseSource,
    CaseStatus,
    HotlineRequestType,
    LimitUnit,
)
from civicgrid.cases.models import Case, CaseEvent, Category

SOURCE = CaseSource.OPEN311
# Statuses Open311 calls "open"; everything else (结案, 不予立案, 已合并) is "closed".
OPEN = frozenset(OPEN_STATUSES)
REQUEST_TYPES = HotlineRequestType


def service_code(category: Category) -> str:
    return f"{category.family}-{category.code}"


def services_queryset():
    """Active second-level categories (only those can be reported) with their top-level class."""
    return (
        Category.objects.filter(is_active=True, parent__isnull=False, parent__is_active=True)
        .select_related("parent", "default_department")
        .order_by("family", "code")
    )


def category_for(code: str, *, active_only: bool = True) -> Category | None:
    """The category of a service code; with active_only=False also retired ones (for queries)."""
    family, sep, number = (code or "").partition("-")
    if not sep or not number:
        return None
    queryset = services_queryset() if active_only else Category.objects.filter(parent__isnull=False)
    return queryset.filter(family=family, code=number).first()


def limit_text(category: Category) -> str:
    n = category.handling_limit_value
    if category.handling_limit_unit == LimitUnit.WORKING_HOURS:
        text = ngettext("立案派遣后%(n)s个工作小时内处置", "立案派遣后%(n)s个工作小时内处置", n)
    else:
        text = ngettext("立案派遣后%(n)s个工作日内处置", "立案派遣后%(n)s个工作日内处置", n)
    return text % {"n": n}


def may_report_as(user) -> bool:
    """Whether `user` may be the account an API client reports Open311 cases as."""
    return SOURCE in case_services.SOURCES_BY_ROLE.get(user.effective_role, [])


def report(*, user, category, **fields) -> Case:
    """Create the case through the loop's intake (受理); raises ValidationError/PermissionDenied."""
    return case_services.do_report(user=user, category=category, source=SOURCE, **fields)


def status_of(case: Case) -> str:
    return "open" if case.status in OPEN else "closed"


def public_requests():
    """Cases with everything a public request row shows, in a fixed number of queries."""
    refusal = (
        CaseEvent.objects.filter(case=OuterRef("pk"), action=CaseAction.REFUSE_FILING)
        .order_by("-at", "-id")
        .values("note")[:1]
    )
    return (
        Case.objects.select_related(
            "category", "assigned_department", "merged_into", "open311_request"
        )
        .annotate(refusal_note=Subquery(refusal))
        .order_by("-reported_at", "-id")
    )


def status_notes(case: Case) -> str:
    label = str(case.get_status_display())
    if case.status == CaseStatus.NOT_FILED and getattr(case, "refusal_note", ""):
        return f"{label}:{case.refusal_note}"
    if case.status == CaseStatus.MERGED and case.merged_into_id:
        return _("%(label)s:与案件%(number)s重复,一并处理") % {
            "label": label,
            "number": case.merged_into.number,
        }
    if case.status in (CaseStatus.HANDLED, CaseStatus.CLOSED) and case.handling_result:
        return f"{label}:{case.handling_result}"
    if case.is_suspended:
        return _("%(label)s(挂起中)") % {"label": label}
    return label


def agency_responsible(case: Case) -> str | None:
    if case.assigned_department_id:
        return case.assigned_department.name
    if case.handled_by_grid:
        return _("网格内处置")
    return None


def updated_at(case: Case):
    if case.status == CaseStatus.CLOSED and case.closed_at:
        return case.closed_at
    return case.updated_at
