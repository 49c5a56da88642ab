"""The console's queues: which cases each tab holds, the filters, and the counts — in few queries.

Queues (tabs) of the 城运中心 console, each over the cases the user may see
(cases.permissions.scope_cases):

- 待受理 (reported): reported, not yet filed;
- 待派遣 (to_dispatch): filed, or returned by a department for re-dispatch;
- 处置中 (in_progress): dispatched or accepted (in a department's or the grid's hands);
- 待核查 (to_verify): handled, waiting for verification;
- 超期 (overdue): cases whose running clock has run out — cases.clock's one meaning of overdue
  (the API's `?overdue=true`, the deadline warnings' red and the dashboard count the same);
- 督办 (supervision): open cases the street has to chase — those with a 基层约请 still open
  (a community escalated them), those with a 延期 request waiting for the street's decision,
  and 12345 tickets of request type 督办/回访复核 (the city hotline supervising a case);
- 全部 (all): everything in scope, for searching.

The filters are the API's (cases.filters.CaseFilter, through `QueueFilter` with the console's
form), so `?micro_grid=`, `?category=` … mean the same on the page and in `/api/cases/`.
All tab counts come from one aggregate query (conditional COUNTs) over the filtered queryset,
so the tabs always agree with the filters; the list is one paged query with its relations
joined (the micro-grids' boundaries deferred: they are large and the list does not need them).
"""

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.cases import clock
from civicgrid.cases.choices import (
    OPEN_STATUSES,
    CallInStatus,
    CaseSource,
    CaseStatus,
    ExtensionStatus,
    HotlineRequestType,
)
from civicgrid.cases.filters import CaseFilter
from civicgrid.cases.models import CallIn, Case, ExtensionRequest
from civicgrid.cases.permissions import scope_cases
from civicgrid.console.forms import QueueFilterForm


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
    ("overdue", _("超期"), lambda: clock.overdue_q(timezone.now())),
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


class QueueFilter(CaseFilter):
    """The console's filters: cases.filters.CaseFilter's meanings through the console's form
    (console.forms.QueueFilterForm: choices limited to the user's grids, an invalid value shown
    next to its field and ignored)."""

    def __init__(self, data, queryset, *, request):
        super().__init__(data, queryset=queryset, request=request)

    @property
    def form(self):
        if not hasattr(self, "_form"):
            self._form = QueueFilterForm(self.data, user=self.request.user)
        return self._form

    def filter_queryset(self, queryset):
        # Only the valid filters (cleaned_data leaves out refused values); the tab is not one.
        for name, value in self.form.cleaned_data.items():
            if name in self.filters:
                queryset = self.filters[name].filter(queryset, value)
        return queryset


def apply_filters(queryset, data, request):
    """The cases of `queryset` the console's filters in `data` (GET or POST) keep; the filter
    with its form (for the page)."""
    filterset = QueueFilter(data, queryset, request=request)
    return filterset.qs, filterset


def queue_counts(queryset) -> dict:
    """{queue key: count} in one query."""
    return queryset.aggregate(
        **{key: Count("pk", filter=q()) if key != "all" else Count("pk") for key, _l, q in QUEUES}
    )


def running_deadline(case):
    """(label, deadline) of the clock of the case's state (cases.clock), or (None, None); a
    returned case waits for re-dispatch unclocked."""
    running = clock.clock_of(case)
    if running is None:
        return None, None
    return running.label, getattr(case, running.deadline)


def hours_left(calendar, deadline, now, pauses=()) -> float | None:
    """Working hours left until `deadline` (negative: overdue by as many), pauses excluded."""
    if deadline is None:
        return None
    if deadline >= now:
        return calendar.working_hours_between(now, deadline, exclude=pauses)
    return -calendar.working_hours_between(deadline, now, exclude=pauses)
