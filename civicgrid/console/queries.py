"""The console's queues: which cases each tab holds, the filters, and the counts — in few queries.

Queues (tabs) of the 城运中心 console, each over the cases the user may see
(cases.permissions.scope_cases):

- 待受理 (reported): reported, not yet filed;
- 待派遣 (to_dispatch): filed, or returned by a department for re-dispatch;
- 处置中 (in_progress): dispatched or accepted (in a department's or the grid's hands);
- 待核查 (to_verify): handled, waiting for verification;
- 超期 (overdue): open cases whose running clock has run out (warning level red, set by the
  deadline scan, cases.warnings);
- 督办 (supervision): open cases the street has to chase — those with a 基层约请 still open
  (a community escalated them), those with a 延期 request waiting for the street's decision,
  and 12345 tickets of request type 督办/回访复核 (the city hotline supervising a case);
- 全部 (all): everything in scope, for searching.

All tab counts come from one aggregate query (conditional COUNTs) over the filtered queryset,
so the tabs always agree with the filters; the list is one paged query with its relations
joined (the micro-grids' boundaries deferred: they are large and the list does not need them).
"""

import datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.cases.choices import (
    OPEN_STATUSES,
    CallInStatus,
    CaseSource,
    CaseStatus,
    ExtensionStatus,
    HotlineRequestType,
    WarningLevel,
)
from civicgrid.cases.models import CallIn, Case, ExtensionRequest
from civicgrid.cases.permissions import scope_cases


def supervision_q() -> Q:
    open_call_ins = CallIn.objects.filter(status=CallInStatus.OPEN).values("case_id")
    pending = ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING).values("case_id")
    return Q(status__in=OPEN_STATUSES) & (
        Q(pk__in=open_call_ins)
        | Q(pk__in=pending)
        | Q(source=CaseSource.HOTLINE_12345, hotline_request_type=HotlineRequestType.SUPERVISE)
    )


# (key, label, condition); the first is the default tab.
QUEUES = [
    ("reported", _("待受理"), lambda: Q(status=CaseStatus.REPORTED)),
    ("to_dispatch", _("待派遣"), lambda: Q(status__in=[CaseStatus.FILED, CaseStatus.RETURNED])),
    (
        "in_progress",
        _("处置中"),
        lambda: Q(status__in=[CaseStatus.DISPATCHED, CaseStatus.ACCEPTED]),
    ),
    ("to_verify", _("待核查"), lambda: Q(status=CaseStatus.HANDLED)),
    (
        "overdue",
        _("超期"),
        lambda: Q(warning_level=WarningLevel.RED, status__in=OPEN_STATUSES),
    ),
    ("supervision", _("督办"), supervision_q),
    ("all", _("全部"), lambda: Q()),
]
QUEUE_KEYS = [key for key, _label, _q in QUEUES]
_CONDITIONS = {key: q for key, _label, q in QUEUES}


def queue_condition(key: str) -> Q:
    return _CONDITIONS.get(key, _CONDITIONS[QUEUE_KEYS[0]])()


def list_queryset(user):
    """Cases in the user's scope with what a list row shows, boundaries left out."""
    base = Case.objects.select_related(
        "category", "micro_grid", "micro_grid__parent", "assigned_department"
    ).defer("micro_grid__geometry", "micro_grid__parent__geometry")
    return scope_cases(base, user)


def apply_filters(queryset, data: dict):
    """Filters of the console (cleaned values of console.forms.QueueFilterForm)."""
    if data.get("community"):
        queryset = queryset.filter(micro_grid__path__startswith=data["community"].path)
    if data.get("micro_grid"):
        queryset = queryset.filter(micro_grid=data["micro_grid"])
    if data.get("category"):
        category = data["category"]
        if category.is_leaf:
            queryset = queryset.filter(category=category)
        else:
            queryset = queryset.filter(Q(category=category) | Q(category__parent=category))
    if data.get("source"):
        queryset = queryset.filter(source=data["source"])
    if data.get("department"):
        queryset = queryset.filter(assigned_department=data["department"])
    tz = timezone.get_current_timezone()
    if data.get("date_from"):
        start = datetime.datetime.combine(data["date_from"], datetime.time.min, tzinfo=tz)
        queryset = queryset.filter(reported_at__gte=start)
    if data.get("date_to"):
        end = datetime.datetime.combine(
            data["date_to"] + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz
        )
        queryset = queryset.filter(reported_at__lt=end)
    text = (data.get("q") or "").strip()
    if text:
        # icontains: LIKE on SQLite (case-insensitive for ASCII), UPPER(...) LIKE on PostgreSQL.
        queryset = queryset.filter(Q(number__icontains=text) | Q(description__icontains=text))
    return queryset


def queue_counts(queryset) -> dict:
    """{queue key: count} in one query."""
    return queryset.aggregate(
        **{key: Count("pk", filter=q()) if key != "all" else Count("pk") for key, _l, q in QUEUES}
    )


def running_deadline(case):
    """(label, deadline) of the clock that runs now, or (None, None) — the same clocks as the
    deadline scan (cases.warnings.CLOCKS); a returned case waits for re-dispatch unclocked."""
    if case.status in (CaseStatus.REPORTED, CaseStatus.FILED):
        return _("立案派遣期限"), case.filing_deadline
    if case.status in (CaseStatus.DISPATCHED, CaseStatus.ACCEPTED):
        return _("处置期限"), case.handling_deadline
    if case.status == CaseStatus.HANDLED:
        return _("核查期限"), case.verification_deadline
    return None, None


def hours_left(calendar, deadline, now, pauses=()) -> float | None:
    """Working hours left until `deadline` (negative: overdue by as many), pauses excluded."""
    if deadline is None:
        return None
    if deadline >= now:
        return calendar.working_hours_between(now, deadline, exclude=pauses)
    return -calendar.working_hours_between(deadline, now, exclude=pauses)
