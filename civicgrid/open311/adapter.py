"""The only place the Open311 app touches the case loop (civicgrid.cases).

Open311 speaks in service codes, request ids and open/closed; the case loop in categories, case
numbers and its own states. Everything that translates between the two lives here, so a change in
the cases app has one place to be followed in.

service_code = "<family>-<code>" (e.g. "event-0102" 暴露垃圾): category codes are unique only
within a family (部件 0102 污水井盖 and 事件 0102 暴露垃圾), so the family is part of the key.
"""

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from civicgrid.cases import services as case_services
from civicgrid.cases.choices import (
    OPEN_STATUSES,
    CaseSource,
    CaseStatus,
    HotlineRequestType,
    LimitUnit,
)
from civicgrid.cases.models import Case, Category
from civicgrid.core.scrub import scrub_address, scrub_text

SOURCE = CaseSource.OPEN311
# What GET requests.json publishes: cases that came in through the channels where a resident
# reports to the public service — this API and the residents' pages — and whose category (and
# its top-level class) is public. 12345 tickets are published by the hotline's own platform;
# grid patrols, departments' own checks and 督查 are the street's internal work. The sources are
# settings.CIVICGRID_OPEN311_PUBLIC_SOURCES (default: open311 and resident).
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
    return case_services.do_report(user=user, category=category, source=SOURCE, **fields).case


def report_once(*, user, category, client_key, fingerprint, **fields) -> tuple[Case, bool]:
    """report() for a request with an Idempotency-Key: (case, created); the key's case again if
    it exists (cases.services.report_once), IdempotencyConflict if it came with another payload."""
    return case_services.report_once(
        user=user,
        category=category,
        source=SOURCE,
        client_key=client_key,
        fingerprint=fingerprint,
        **fields,
    )


def idempotency_key(value, client):
    """The case key of an Idempotency-Key header sent by `client` (ValidationError if bad)."""
    return case_services.idempotency_key(value, f"open311:{client.pk}")


def key_is_used(key) -> bool:
    return Case.objects.filter(client_key=key).exists()


def payload_fingerprint(payload) -> str:
    return case_services.payload_fingerprint(payload)


IdempotencyConflict = case_services.IdempotencyConflict


def status_of(case: Case) -> str:
    return "open" if case.status in OPEN else "closed"


def public_sources() -> list[str]:
    return list(settings.CIVICGRID_OPEN311_PUBLIC_SOURCES)


def public_requests():
    """The cases Open311 publishes (see public_sources), with everything a public
    request row shows, in one query."""
    return (
        Case.objects.filter(
            source__in=public_sources(),
            category__is_public=True,
            category__parent__is_public=True,
        )
        .select_related("category", "assigned_department", "open311_request")
        .order_by("-reported_at", "-id")
    )


# What the public is told of each state: fixed wording, never staff's notes, reasons or names.
PUBLIC_STATUS_NOTES = {
    CaseStatus.REPORTED: gettext_lazy("已受理"),
    CaseStatus.FILED: gettext_lazy("已立案，待派遣"),
    CaseStatus.DISPATCHED: gettext_lazy("已派遣至处置部门"),
    CaseStatus.ACCEPTED: gettext_lazy("处置部门处置中"),
    CaseStatus.RETURNED: gettext_lazy("正在重新确定处置部门"),
    CaseStatus.HANDLED: gettext_lazy("处置完毕，待核查"),
    CaseStatus.CLOSED: gettext_lazy("已办结"),
    CaseStatus.NOT_FILED: gettext_lazy("不予立案：不属于受理范围"),
    CaseStatus.MERGED: gettext_lazy("与同一问题的请求合并办理"),
    CaseStatus.SENT_BACK: gettext_lazy("已退回12345热线重新派单"),
}


def status_notes(case: Case) -> str:
    """Public wording of the case's state (PUBLIC_STATUS_NOTES)."""
    if case.handled_by_grid and case.status in (CaseStatus.DISPATCHED, CaseStatus.ACCEPTED):
        text = _("已交由网格处置")
    else:
        text = str(PUBLIC_STATUS_NOTES.get(case.status, case.get_status_display()))
    if case.is_suspended:
        return _("%(status)s（暂停办理）") % {"status": text}
    return text


def public_description(case: Case) -> str:
    """The reporter's text with personal data masked (core.scrub), the reporter's name too."""
    return scrub_text(case.description, names=[case.reporter_name])


def public_address(case: Case) -> str:
    """The address without the room and personal data (core.scrub.scrub_address)."""
    return scrub_address(case.address, names=[case.reporter_name])


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
