"""The console's queues: which cases each tab holds, the filters, and the counts — in few queries.

Queues (tabs) of the 城运中心 console, each over the cases the user may see
(cases.permissions.scope_cases):

- 待受理 (reported): reported, not yet filed;
- 待派遣 (to_dispatch): filed, or returned by a department for re-dispatch;
- 处置中 (in_progress): dispatched or accepted (in a department's or the grid's hands);
- 待核查 (to_verify): handled, waiting for verification;
- 超期 (overdue): cases whose running clock has run out — cases.clock's one meaning of overdue
  (the API's `?overdue=true`, the deadline warnings' red and the dashboard count the same);
- 督办 (supervision): open cases the street has to chase — those a 带班领导 supervised (督办,
  civicgrid.duty) and not yet answered, those with a 基层约请 still open (a community escalated
  them), those with a 延期 request waiting for the street's decision, and 12345 tickets of
  request type 督办/回访复核 (the city hotline supervising a case); each row says why
  (`supervision_reasons`);
- 全部 (all): everything in scope, for searching.

The filters are the API's (cases.filters.CaseFilter, through `QueueFilter` with the console's
form), so `?micro_grid=`, `?category=` … mean the same on the page and in `/api/cases/`.
The tab counts come from one aggregate query (conditional COUNTs) over the filtered open cases
and a capped count of 全部 (queue_counts), so the tabs always agree with the filters; the list is one paged query with its relations
joined (the micro-grids' boundaries deferred: they are large and the list does not need them).
"""

from django.db import connections
from django.db.models import Count, F, OuterRef, Q, Subquery
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
from civicgrid.cases.choices import CaseAction as A
from civicgrid.cases.filters import CaseFilter
from civicgrid.cases.models import CallIn, Case, CaseEvent, Category, ExtensionRequest
from civicgrid.cases.permissions import scope_cases
from civicgrid.console.forms import QueueFilterForm
from civicgrid.core.lean import lean
from civicgrid.duty.choices import SupervisionStatus
from civicgrid.duty.models import Supervision


def supervision_q() -> Q:
    open_call_ins = CallIn.objects.filter(status=CallInStatus.OPEN).values("case_id")
    pending = ExtensionRequest.objects.filter(status=ExtensionStatus.PENDING).values("case_id")
    supervised = Supervision.objects.filter(status=SupervisionStatus.OPEN).values("case_id")
    return Q(status__in=OPEN_STATUSES) & (
        Q(pk__in=open_call_ins)
        | Q(pk__in=pending)
        | Q(pk__in=supervised)
        | Q(source=CaseSource.HOTLINE_12345, hotline_request_type=HotlineRequestType.SUPERVISE)
    )


def supervision_reasons(cases) -> dict:
    """{case pk: [why it is on the 督办 tab, …]} for a page of cases, in three queries: the
    带班领导's open 督办 (by whom, the instruction, its deadline), an open 基层约请, a 延期 request
    waiting, a 12345 督办件; the warning level shows beside it as a badge."""
    from django.utils.formats import date_format
    from django.utils.timezone import localtime

    by_case = {case.pk: [] for case in cases}
    if not by_case:
        return by_case
    for row in (
        Supervision.objects.filter(case_id__in=by_case, status=SupervisionStatus.OPEN)
        .select_related("by")
        .order_by("created_at")
    ):
        by_case[row.case_id].append(
            _("%(who)s督办：%(what)s（%(when)s前答复）")
            % {
                "who": f"{row.by.last_name}{row.by.first_name}".strip() or row.by.username,
                "what": row.instruction,
                "when": date_format(localtime(row.deadline), "m-d H:i"),
            }
        )
    for row in CallIn.objects.filter(case_id__in=by_case, status=CallInStatus.OPEN):
        by_case[row.case_id].append(_("基层约请：%(r)s") % {"r": row.reason})
    for row in ExtensionRequest.objects.filter(case_id__in=by_case, status=ExtensionStatus.PENDING):
        by_case[row.case_id].append(
            _("延期申请待审批：%(d)s个工作日，%(r)s") % {"d": row.days, "r": row.reason}
        )
    for case in cases:
        if (
            case.source == CaseSource.HOTLINE_12345
            and case.hotline_request_type == HotlineRequestType.SUPERVISE
        ):
            by_case[case.pk].append(_("12345督办件"))
    return by_case


def returned_reasons(cases) -> dict:
    """{case pk: the last 退回 or 撤回 row} of the returned cases of a page (one query): who
    sent it back, from which department, why."""
    returned = [c.pk for c in cases if c.status == CaseStatus.RETURNED]
    if not returned:
        return {}
    rows = (
        CaseEvent.objects.filter(case_id__in=returned, action__in=[A.RETURN, A.RECALL])
        .select_related("actor")
        .order_by("case_id", "at", "pk")
    )
    return {row.case_id: row for row in rows}  # the last one of each case wins


# The queue's orders (?sort=): the first is the default — most urgent deadline first.
SORTS = {
    "deadline": (_("期限"), ("running_deadline", "-id")),
    "-created": (_("上报时间（新→旧）"), ("-reported_at", "-id")),
    "created": (_("上报时间（旧→新）"), ("reported_at", "id")),
    "category": (_("类别"), ("category__family", "category__code", "-reported_at", "-id")),
    "state": (_("状态"), ("status", "running_deadline", "-id")),
}
SORT_KEYS = list(SORTS)


def sorted_cases(queryset, key: str):
    """The queue in the chosen order (an unknown one is the default); the running deadline is
    cases.clock's, cases without one last."""
    key = key if key in SORTS else SORT_KEYS[0]
    fields = SORTS[key][1]
    if any(f.lstrip("-") == "running_deadline" for f in fields):
        queryset = queryset.annotate(running_deadline=clock.running_deadline_expression())
    return queryset.order_by(*(_order(f) for f in fields)), key


# Only the running deadline can be NULL: NULLS LAST on it alone, so the report-time orders are
# plain `reported_at DESC, id DESC` — the index's order (a NULLS LAST there sorted every case).
NULLABLE_ORDERS = {"running_deadline"}


def _order(field: str):
    name = field.lstrip("-")
    nulls_last = True if name in NULLABLE_ORDERS else None
    return (
        F(name).desc(nulls_last=nulls_last)
        if field.startswith("-")
        else F(name).asc(nulls_last=nulls_last)
    )


def overdue_tab_q(now) -> Q:
    """超期 (the queue's tab and the inbox's) as a range of the running deadline: cases.clock's
    one meaning — a clock runs (an open state, not suspended) and now is past the deadline it
    watches — said on cases.clock.running_deadline_expression, which is NULL where no clock runs
    and is the deadline each state watches otherwise: the same cases as clock.overdue_q
    (console/tests/test_overdue.py compares them on cases in every state). PostgreSQL reads it
    as a range of the running deadline's indexes (cases.Case.Meta), in that order at any depth;
    clock.overdue_q's OR of states and deadlines it could only filter, with estimates far off
    (a page of 超期 sorted every overdue case, or walked the closed history)."""
    from django.db.models.lookups import LessThan

    return Q(LessThan(clock.running_deadline_expression(), now), is_suspended=False)


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
    ("overdue", _("超期"), lambda: overdue_tab_q(timezone.now())),
    ("supervision", _("督办"), supervision_q),
    ("all", _("全部"), lambda: Q()),
]
QUEUE_KEYS = [key for key, _label, _q in QUEUES]
_CONDITIONS = {key: q for key, _label, q in QUEUES}


def queue_condition(key: str, sort: str = "") -> Q:
    """The tab's condition (an unknown tab is the default), for a list in the order `sort`."""
    condition = _CONDITIONS.get(key, _CONDITIONS[QUEUE_KEYS[0]])()
    if key == "overdue" and sort in INDEX_ORDERS:
        # In report order 超期 is read from the open cases' index (cases.Case.Meta), once it is
        # said that an overdue case is open: with the index of every case, oldest first walked
        # the closed history before the first open case (85 ms at 1M cases). Here the clock's
        # own condition (the same cases): given the deadline's range, PostgreSQL sorted every
        # overdue case instead. The deadline orders read that range in order.
        condition = Q(status__in=OPEN_STATUSES) & clock.overdue_q(timezone.now())
    return condition


def list_queryset(user):
    """Cases in the user's scope with what a list row shows, boundaries left out."""
    base = Case.objects.select_related(
        "category", "micro_grid", "micro_grid__parent", "assigned_department"
    ).defer("micro_grid__geometry", "micro_grid__parent__geometry")
    return scope_cases(base, user)


# What a row of the queue or the inbox reads (console.tables, views._rows, cases.clock's running
# clock and time left, the 督办/退回 reasons, the sorts' cursors): about a quarter of the columns
# of the case and its joined rows. The ORM's cost of a page (compiling the SELECT, building the
# instances) grows with the columns; a field left out would be read by a query per row, which
# the pages' query-count tests would catch.
ROW_FIELDS = (
    "number",
    "source",
    "external_ticket",
    "hotline_request_type",
    "hotline_deadline",
    "description",
    "address",
    "status",
    "handled_by_grid",
    "reported_at",
    "filing_deadline",
    "handling_deadline",
    "verification_deadline",
    "warning_level",
    "rework_count",
    "hurry_count",
    "is_suspended",
    "suspended_at",
    "pauses",
    "category__name",
    "category__family",
    "category__code",
    "category__is_urgent",
    "micro_grid__name",
    "micro_grid__parent__name",
    "assigned_department__name",
)


def row_columns(queryset):
    """`queryset` (list_queryset's) reading only what a list row shows (ROW_FIELDS)."""
    return queryset.only(*ROW_FIELDS)


class QueueFilter(CaseFilter):
    """The console's filters: cases.filters.CaseFilter's meanings through the console's form
    (console.forms.QueueFilterForm: choices limited to the user's grids, an invalid value shown
    next to its field and ignored)."""

    def __init__(self, data, queryset, *, request, reads=None):
        super().__init__(data, queryset=queryset, request=request)
        self.reads = reads

    @property
    def form(self):
        if not hasattr(self, "_form"):
            user = self.request.user
            form = QueueFilterForm(self.data, user=user)
            form.use_options(
                cached_options(options_key(user, self.data), form.option_choices, self.reads)
            )
            self._form = form
        return self._form

    def filter_queryset(self, queryset):
        # Only the valid filters (cleaned_data leaves out refused values); the tab is not one.
        for name, value in self.form.cleaned_data.items():
            if name in self.filters:
                queryset = self.filters[name].filter(queryset, value)
        return queryset


def apply_filters(queryset, data, request, reads=None):
    """The cases of `queryset` the console's filters in `data` (GET or POST) keep; the filter
    with its form (for the page); `reads`: shared_reads() made for the page."""
    filterset = QueueFilter(data, queryset, request=request, reads=reads)
    return filterset.qs, filterset


# 全部 counts up to here (shown "10000+" beyond): counting every case of a 10M-case street on
# each page view would scan them all; the list pages by number up to it (the filters narrow).
ALL_COUNT_CAP = 10_000


def queue_counts(queryset) -> dict:
    """{queue key: count} in two queries: every tab but 全部 holds open cases only (each tab's
    state, 超期's running clock, 督办's open states), so one aggregate over the open cases (the
    state index: a street's open cases, not its history); 全部 counted up to ALL_COUNT_CAP + 1."""
    counts = queryset.filter(status__in=OPEN_STATUSES).aggregate(
        **{key: Count("pk", filter=q()) for key, _l, q in QUEUES if key != "all"}
    )
    counts["all"] = queryset.order_by().values("pk")[: ALL_COUNT_CAP + 1].count()
    return counts


# The tab counts read every open case in scope (the list itself reads one page): kept in the
# cache for at most COUNTS_SECONDS (the key holds the time's COUNTS_SECONDS bucket: 超期 follows
# the clock) per user, scope and filters, under a version moved by every change of what they
# count, so a page never shows counts older than the last change that affects them:
# - the queues' (any scope, any filter) go by the street's COUNTS_VERSION, moved by every change
#   (cases.signals.case_changed, saving or deleting a case, a 督办, a 基层约请, a 协办 or a 延期
#   request, see ConsoleConfig.ready);
# - a department's inbox counts only the cases assigned to it and its 协办 parts
#   (views.INBOX_TABS, CO_TAB): it goes by its department's version (department_version_key,
#   with DEPARTMENTS_VERSION, which moves every department's at once), moved by a change of a
#   case assigned to it before or after the change (dispatch, transfer, return and recall move
#   a case: case_changed carries the department before), of one of its 协办 parts, or of a case
#   it holds a part of (parts are opened by bulk_create, which sends no signal: the changed
#   cases' parts are read at the commit). A change that cannot tell its departments (a raw
#   load, a sender not known here) moves them all. At 3 intakes a second the street's version
#   moved on almost every inbox view; an intake (no department yet) now leaves the inboxes'.
# The cache is the shared one (Redis on several machines): every node drops them together.
# Inside a transaction the versions move once, at its commit (other connections cannot see the
# change before it; with the database cache a write of a version row there would lock it until
# the commit and serialise every intake), and the transaction's own reads use a mark of this
# connection (see counts_version).
COUNTS_SECONDS = 30
COUNTS_VERSION = "console:counts-version"
DEPARTMENTS_VERSION = "console:counts-version:departments"
# In a change's departments: it cannot tell them (every department's counts are dropped).
ALL_DEPARTMENTS = "*"


def department_version_key(department_id) -> str:
    return f"console:counts-version:department:{department_id}"


def counts_version_keys(department_id=None) -> list[str]:
    """The cache keys whose values make the counts' version: the street's, or for a department's
    inbox (`department_id`) every department's and its own."""
    if department_id is None:
        return [COUNTS_VERSION]
    return [DEPARTMENTS_VERSION, department_version_key(department_id)]


def counts_version(department_id=None) -> str:
    import uuid

    from django.core.cache import cache
    from django.db import connection

    keys = counts_version_keys(department_id)
    found = cache.get_many(keys)
    if any(found.get(k) is None for k in keys):
        # A first read (or an evicted version): add, not set — a bump racing it is kept.
        for k in keys:
            if found.get(k) is None:
                cache.add(k, uuid.uuid4().hex, None)
        found = cache.get_many(keys)
    version = ".".join(found.get(k) or "none" for k in keys)
    mark = getattr(connection, "console_counts_mark", None)
    if mark is not None and connection.in_atomic_block:
        # This transaction changed what the counts count: its own pages must not reuse counts
        # cached before the change (the shared versions move only at the commit).
        version = f"{version}.{mark}"
    return version


def _bump(departments, cases=()) -> None:
    """Move the street's version and those of `departments` (every department's with
    ALL_DEPARTMENTS) and of the departments holding a 协办 part of `cases`."""
    import uuid

    from django.core.cache import cache
    from django.db import DatabaseError, router

    from civicgrid.cases.models import CoHandling

    departments = set(departments)
    names = {COUNTS_VERSION}
    if cases and ALL_DEPARTMENTS not in departments:
        try:
            # The primary's rows (a replica may not have the parts just opened yet).
            parts = CoHandling.objects.using(router.db_for_write(CoHandling))
            departments.update(
                parts.filter(case_id__in=cases)
                .order_by()
                .values_list("department_id", flat=True)
                .distinct()
            )
        except DatabaseError:
            departments.add(ALL_DEPARTMENTS)
    if ALL_DEPARTMENTS in departments:
        names.add(DEPARTMENTS_VERSION)
    else:
        names.update(department_version_key(d) for d in departments if d is not None)
    cache.set_many({name: uuid.uuid4().hex for name in names}, None)


def bump_counts_version(**_kwargs) -> None:
    """At a commit (on_case_changed queues it): move the street's version and those of the
    departments the transaction's changes noted on this connection; every department's when
    none are noted (a caller that cannot tell)."""
    from django.db import transaction

    connection = transaction.get_connection()
    pending = getattr(connection, "console_counts_pending", None)
    connection.console_counts_pending = None
    if pending is None:
        _bump({ALL_DEPARTMENTS})
    else:
        _bump(*pending)


def _changed(sender, kwargs) -> tuple[set, set]:
    """(the departments whose inbox counts the change may move — ALL_DEPARTMENTS when it cannot
    tell —, the cases whose 协办 departments' it may move)."""
    from civicgrid.cases.models import CoHandling
    from civicgrid.cases.signals import NEW, WATCHED_FIELDS

    if sender is Case and "after" in kwargs:
        # case_changed: the department before the step (its stored row) and after.
        at = WATCHED_FIELDS.index("assigned_department_id")
        before, after = kwargs["before"], kwargs["after"]
        if before == NEW:
            return {after[at]}, set()
        return {before[at], after[at]}, {kwargs["case"].pk}
    instance = kwargs.get("instance")
    if instance is None or kwargs.get("raw"):
        return {ALL_DEPARTMENTS}, set()
    if sender is Case:
        # Saved or deleted: its department now. Only cases.services save a case, and a step that
        # moves it to another department sends case_changed, which names the one it left.
        return {instance.assigned_department_id}, set() if kwargs.get("created") else {instance.pk}
    if sender is CoHandling:
        return {instance.department_id}, set()
    if sender in (CallIn, ExtensionRequest, Supervision):
        # The inbox counts none of them (a step they make on the case sends its own signals):
        # the queues' 督办 tab only.
        return set(), set()
    return {ALL_DEPARTMENTS}, set()


def on_case_changed(sender=None, **kwargs) -> None:
    import uuid

    from django.db import transaction

    departments, cases = _changed(sender, kwargs)
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _bump(departments, cases)
        return
    connection.console_counts_mark = uuid.uuid4().hex
    # One bump per transaction however many rows it changes (an intake saves a case and sends
    # case_changed): a callback already queued, and not dropped with a rolled-back savepoint,
    # covers this change too. Without one queued, what was noted before belongs to rolled-back
    # changes (a callback is dropped only with them): start afresh.
    queued = any(func is bump_counts_version for _sids, func, _robust in connection.run_on_commit)
    pending = getattr(connection, "console_counts_pending", None)
    if pending is None or not queued:
        pending = connection.console_counts_pending = (set(), set())
    pending[0].update(departments)
    pending[1].update(cases)
    if not queued:
        transaction.on_commit(bump_counts_version)


def counts_key(kind: str, user, data) -> str:
    """The counts' key: the list, the user and their scope, the filters (not the tab, the sort
    or the page), the time's bucket."""
    import time

    filters = sorted(
        (k, v)
        for k, values in data.lists()
        if k not in ("tab", "sort", "page", "cursor")
        for v in values
    )
    scope = (user.pk, user.effective_role, user.community_id, user.area_id, user.department_id)
    return f"{kind}|{scope}|{filters}|{int(time.time() // COUNTS_SECONDS)}"


# The filter's options (居村, 微网格, 类别, 处置部门: four queries, hundreds of options) change only
# when a grid, a category or a department does: kept in the shared cache per scope, chosen 居村
# and language, under OPTIONS_VERSION — bumped by saving or deleting a grid, a category or a
# department (at once and at the commit, see ConsoleConfig.ready) — and for at most
# OPTIONS_SECONDS (a bulk update sends no signal).
OPTIONS_VERSION = "console:options-version"
OPTIONS_SECONDS = 300


def bump_options_version(**_kwargs) -> None:
    import uuid

    from django.core.cache import cache

    cache.set(OPTIONS_VERSION, uuid.uuid4().hex, None)


def on_options_changed(**kwargs) -> None:
    from django.db import transaction

    if kwargs.get("raw"):
        return
    # At once (this transaction's own pages) and again at the commit (a page read in between by
    # another connection cached the old options under the first bump). Grids, categories and
    # departments change rarely: holding the version's row until the commit costs nothing.
    bump_options_version()
    transaction.on_commit(bump_options_version)


def options_key(user, data) -> str | None:
    """The filter options' key: the grids the user sees (the street, a 居村, a 片区), the 居村
    chosen (its micro-grids only) and the language; None for a scope the key cannot name (posts
    of grid staff: computed each time)."""
    from django.utils.translation import get_language

    from civicgrid.accounts.choices import Role

    role = user.effective_role
    if user.sees_whole_street:
        scope = "street"
    elif role == Role.COMMUNITY_STAFF:
        scope = f"community:{user.community_id}"
    elif role == Role.AREA_HEAD:
        scope = f"area:{user.area_id}"
    else:
        return None
    return f"{scope}|{data.get('community', '')}|{get_language()}"


def _entry(prefix: str, key: str) -> str:
    import hashlib

    return prefix + hashlib.sha256(key.encode()).hexdigest()


def shared_reads(
    counts: str | None = None, options: str | None = None, *, user=None, department_id=None
) -> dict:
    """What a console page keeps in the shared cache — the counts' (the street's, or with
    `department_id` a department inbox's: counts_version_keys) and the options' versions and
    entries (counts_key, options_key), the working calendar's revision (for the time left) and
    `user`'s notification badge (for the header) and, for a department handler, the fire
    office's department (the menu's is_fire_office) — read in one round trip (the cache is a
    table of the database without Redis: each read was a query; with Redis, a round trip each)."""
    from django.core.cache import cache

    from civicgrid.accounts.choices import Role
    from civicgrid.firesafety.services import FIRE_OFFICE_KEY, note_fire_office
    from civicgrid.messaging.inbox import badge_key
    from civicgrid.workcalendar.services import REVISION_CACHE_KEY

    names = [*counts_version_keys(department_id), OPTIONS_VERSION, REVISION_CACHE_KEY]
    if counts is not None:
        names.append(_entry("console:counts:", counts))
    if options is not None:
        names.append(_entry("console:options:", options))
    handler = user is not None and user.effective_role == Role.DEPT_HANDLER
    if user is not None:
        names.append(badge_key(user.pk))
        if handler:
            names.append(FIRE_OFFICE_KEY)
    reads = cache.get_many(names)
    if handler:
        note_fire_office(user, reads.get(FIRE_OFFICE_KEY))
    return reads


def written_fields_key(reads: dict, options_key: str | None, data):
    """The key under which console.tables keeps the filter fields written for these options
    and this input: the options' version as read with the page (shared_reads); None inside a
    transaction (it may have changed the options without moving the shared version yet)."""
    from django.db import connection

    from civicgrid.console.tables import written_key

    if connection.in_atomic_block:
        return None
    return written_key(reads.get(OPTIONS_VERSION), options_key, data)


def calendar_key(reads: dict):
    """The calendar's (revision, token) as read with the page's entries (shared_reads), for
    workcalendar.services.get_calendar; None — read it there — when it was not cached or inside
    a transaction (which may have moved the revision: get_calendar knows)."""
    from django.db import connection

    from civicgrid.workcalendar.services import REVISION_CACHE_KEY

    key = reads.get(REVISION_CACHE_KEY)
    if key is None or connection.in_atomic_block:
        return None
    return tuple(key)


def badge_context(reads: dict, user) -> dict:
    """{"nav_unread": the user's badge} when it came with the page's entries (shared_reads):
    the header's context processor would read it again (web.context.front); {} otherwise."""
    from civicgrid.messaging.inbox import badge_key

    count = reads.get(badge_key(user.pk))
    return {} if count is None else {"nav_unread": count}


def _versioned(version_keys, current, prefix, key, compute, reads, seconds):
    """compute() kept under `key` with the version it was computed at; a stored value of
    another version (something changed since) is computed again. The version is the values of
    `version_keys` (a key or a list of keys) read with the page's other entries (`reads`), or
    current()'s inside a transaction (which may have changed what is counted and not yet moved
    the shared version) or when one was not read."""
    from django.core.cache import cache
    from django.db import connection

    if isinstance(version_keys, str):
        version_keys = [version_keys]
    name = _entry(prefix, key)
    if reads is None:
        reads = cache.get_many([*version_keys, name])
    parts = [reads.get(k) for k in version_keys]
    version = None if None in parts else ".".join(parts)
    if version is None or connection.in_atomic_block:
        version = current()
    stored = reads.get(name)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == version:
        return stored[1]
    value = compute()
    cache.set(name, (version, value), seconds)
    return value


def options_version() -> str:
    from django.core.cache import cache

    version = cache.get(OPTIONS_VERSION)
    if version is None:
        bump_options_version()
        version = cache.get(OPTIONS_VERSION) or "none"
    return version


def cached_counts(
    key: str, compute, reads: dict | None = None, department_id: int | None = None
) -> dict:
    """compute() cached under `key` (counts_key) until anything it counts changes; `reads`:
    shared_reads() made for the page (with the same `department_id`); `department_id`: a
    department inbox's counts, which go by the department's version only."""
    return _versioned(
        counts_version_keys(department_id),
        lambda: counts_version(department_id),
        "console:counts:",
        key,
        compute,
        reads,
        COUNTS_SECONDS,
    )


def cached_options(key: str | None, compute, reads: dict | None = None):
    """The filter's options (compute()) cached under `key` (options_key) until a grid, a
    category or a department changes; computed each time when `key` is None."""
    if key is None:
        return compute()
    return _versioned(
        OPTIONS_VERSION,
        options_version,
        "console:options:",
        key,
        compute,
        reads,
        OPTIONS_SECONDS,
    )


def count_label(count: int):
    """A tab's count as shown: beyond the cap, "10000+"."""
    return f"{ALL_COUNT_CAP}+" if count > ALL_COUNT_CAP else count


def running_deadline(case):
    """(label, deadline) of the clock of the case's state (cases.clock), or (None, None)."""
    running = clock.clock_of(case)
    if running is None:
        return None, None
    return running.label, getattr(case, running.deadline)


# --- keyset pages (any depth) --------------------------------------------------------------------
#
# Numbered pages (?page=) read OFFSET rows before the page: the 300th page of 全部 walks 9,000
# rows. The first NUMBERED_PAGES pages keep their numbers; beyond them (and back from there) the
# page is read by a cursor (?cursor=): the sort's values of the row a page ends (or starts) with,
# so the database starts from there in the order's index — the same cost at any depth. The
# cursor is opaque (base64 of JSON); a malformed one, or one of another order, is the first page.

NUMBERED_PAGES = 10
_DATETIME_FIELDS = {"reported_at", "running_deadline"}


def _sort_fields(key: str):
    """[(field, descending, nullable)] of a sort (the SORTS entry)."""
    return [
        (f.lstrip("-"), f.startswith("-"), f.lstrip("-") in NULLABLE_ORDERS) for f in SORTS[key][1]
    ]


def _value_of(case, name: str):
    value = case
    for part in name.split("__"):
        value = getattr(value, "pk" if part == "id" else part)
    return value


def encode_cursor(sort: str, case, *, forward: bool) -> str:
    """The cursor of the page after (forward) or before `case` in the sort `sort`."""
    import base64
    import json

    values = [_value_of(case, name) for name, _d, _n in _sort_fields(sort)]
    raw = json.dumps(
        [
            sort,
            "a" if forward else "b",
            [v.isoformat() if hasattr(v, "isoformat") else v for v in values],
        ],
        separators=(",", ":"),
        ensure_ascii=False,
    )
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(text: str, sort: str):
    """(forward, values) of a cursor of the sort `sort`, or None if it is not one."""
    import base64
    import binascii
    import json

    from django.utils.dateparse import parse_datetime

    fields = _sort_fields(sort)
    try:
        padded = text + "=" * (-len(text) % 4)
        key, direction, raw = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if key != sort or direction not in ("a", "b") or len(raw) != len(fields):
            return None
        values = []
        for (name, _d, nullable), value in zip(fields, raw, strict=True):
            if value is None:
                if not nullable:
                    return None
            elif name in _DATETIME_FIELDS:
                value = parse_datetime(value) if isinstance(value, str) else None
                if value is None or value.tzinfo is None:
                    return None
            elif name == "id":
                if not isinstance(value, int) or isinstance(value, bool):
                    return None
            elif not isinstance(value, str):
                return None
            values.append(value)
    except (ValueError, TypeError, binascii.Error, UnicodeDecodeError):
        return None
    return direction == "a", values


def _beyond(fields, values, forward: bool) -> Q:
    """Rows strictly after `values` in the order (forward), or strictly before it (backward:
    the order reversed, NULLs first). A non-nullable first field also bounds the range (the
    index range; the OR only filters within it)."""
    terms, same = [], Q()
    for (name, desc, nullable), value in zip(fields, values, strict=True):
        later = desc == forward  # going down the field's values
        if value is None:
            strictly = None if forward else Q(**{f"{name}__isnull": False})
            equal = Q(**{f"{name}__isnull": True})
        else:
            strictly = Q(**{f"{name}__{'lt' if later else 'gt'}": value})
            if forward and nullable:
                strictly |= Q(**{f"{name}__isnull": True})
            equal = Q(**{name: value})
        if strictly is not None:
            terms.append(same & strictly)
        same &= equal
    condition = Q(pk__in=[])
    for term in terms:
        condition |= term
    name, desc, nullable = fields[0]
    if values[0] is not None and not nullable:
        later = desc == forward
        condition &= Q(**{f"{name}__{'lte' if later else 'gte'}": values[0]})
    return condition


# The orders the index on (reported_at, id) serves: PostgreSQL reads the page's rows from it in
# order and joins their relations row by row.
INDEX_ORDERS = {"-created", "created"}


def page_of(ordered, sort: str, start: int, stop: int, *, in_order: bool = False) -> list:
    """Rows [start:stop) of `ordered` (sorted_cases' queryset in the sort `sort`). In an order
    no index serves (the running deadline, the category, the state) the database sorts every
    case of the tab: with the relations joined first it joined them all (a department's inbox:
    each of its open cases with its category, micro-grid, 居村 and department, then kept 30) —
    so the page's ids are chosen on the cases alone, in a subquery of the same statement, and
    only those rows are joined (one round trip still). `in_order`: `ordered` is a range of an
    index in the sort's order already (a keyset page of 期限, _two_ranges), read and joined row
    by row as the report orders are, without choosing the ids first (≈2 ms of ORM work)."""
    if in_order or sort in INDEX_ORDERS:
        return list(lean(ordered[start:stop]))
    if sort == "category" and _by_category_index(ordered):
        return _rows_of(ordered, _category_ids(ordered, stop)[start:stop])
    chosen = ordered.values("pk")[start:stop]
    return list(lean(ordered.filter(pk__in=chosen)))


# 类别 (the category's family and code, then newest first) is an order of the categories'
# columns, which no index on the cases holds: at a million cases PostgreSQL sorted every case of
# the tab (280–540 ms). The categories are few and in that order already (their unique family
# and code), so a page is read category by category, each from the index on (category,
# reported_at DESC, id DESC): the first `count` ids of every category in one statement (an
# array per category), then the page's rows. SQLite (no arrays; a street's cases) sorts.


def _within_category(forward: bool) -> tuple:
    """A category's cases in the 类别 order (newest first), or reversed: its index's order."""
    return ("-reported_at", "-id") if forward else ("reported_at", "id")


def _by_category_index(queryset) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def _category_ids(cases, count: int, *, after=None, forward: bool = True) -> list:
    """Up to `count` case ids of `cases` in the 类别 order (reversed when not `forward`), from
    the categories after (before) the one whose (family, code) is `after` — all when None."""
    ids = []
    for chunk in category_arrays(cases, count, after=after, forward=forward):
        # None, not []: a selection no case can match (pk__in=[]) is no subquery at all, and
        # Django writes its array as NULL.
        ids += chunk or []
        if len(ids) >= count:
            break
    return ids[:count]


def category_arrays(cases, count: int, *, after=None, forward: bool = True):
    """The statement of _category_ids: per category in the order, its first `count` ids."""
    from django.contrib.postgres.expressions import ArraySubquery

    categories = Category.objects.using(cases.db).order_by(
        *(("family", "code") if forward else ("-family", "-code"))
    )
    if after is not None:
        family, code = after
        if forward:
            later = Q(family__gt=family) | Q(family=family, code__gt=code)
        else:
            later = Q(family__lt=family) | Q(family=family, code__lt=code)
        categories = categories.filter(later)
    per_category = cases.filter(category_id=OuterRef("pk")).order_by(*_within_category(forward))
    per_category = per_category.values("pk")
    return categories.annotate(ids=ArraySubquery(per_category[:count])).values_list(
        "ids", flat=True
    )


def _rows_of(ordered, ids: list) -> list:
    """The rows of `ids` (lean), in the order of `ids`."""
    if not ids:
        return []
    place = {pk: i for i, pk in enumerate(ids)}
    rows = list(lean(ordered.filter(pk__in=ids).order_by()))
    return sorted(rows, key=lambda row: place[row.pk])


def _category_keyset(ordered, values, forward: bool, count: int) -> list:
    """Up to `count` rows after (before, nearest first) a cursor of the 类别 order: the rest of
    the cursor's category — a range of its index — then the categories after (before) it."""
    ids = list(own_category_rest(ordered, values, forward).values_list("pk", flat=True)[:count])
    if len(ids) < count:
        after = tuple(values[:2])
        ids += _category_ids(ordered, count - len(ids), after=after, forward=forward)
    return _rows_of(ordered, ids)


def own_category_rest(ordered, values, forward: bool):
    """The cases of the cursor's category after (before) it, nearest first."""
    family, code, reported_at, pk = values
    within = [("reported_at", True, False), ("id", True, False)]
    # The category's id itself (a subquery the database runs first), so that it can lead the
    # index: a condition on the joined category's columns only filters.
    category = Category.objects.using(ordered.db).filter(family=family, code=code)
    own = ordered.filter(category_id=Subquery(category.values("pk")[:1])).filter(
        _beyond(within, [reported_at, pk], forward)
    )
    return own.order_by(*_within_category(forward))


def keyset_page(ordered, sort: str, cursor, size: int):
    """(rows, has_more) of the page a decoded cursor (forward, values) points to; `ordered` is
    the queue in the sort's order (sorted_cases). Backward pages are read in the reversed order
    and turned round."""
    forward, values = cursor
    if sort == "category" and _by_category_index(ordered):
        rows = _category_keyset(ordered, values, forward, size + 1)
    else:
        fields = _sort_fields(sort)
        queryset = ordered.filter(_beyond(fields, values, forward))
        if not forward:
            queryset = queryset.reverse()
        name, desc, nullable = fields[0]
        if nullable and not desc:
            rows = _two_ranges(queryset, sort, fields, values, forward, size + 1)
        else:
            rows = page_of(queryset, sort, 0, size + 1)
    has_more = len(rows) > size
    rows = rows[:size]
    if not forward:
        rows.reverse()
    return rows, has_more


def _two_ranges(queryset, sort: str, fields, values, forward: bool, count: int) -> list:
    """Up to `count` rows of a keyset page whose order starts with a nullable field, ascending
    with NULLs last (the running deadline: 期限). The rows beyond a cursor are two ranges of
    that field's index — the values on one side of the cursor's and the NULLs — and a condition
    joining them by OR is no range at all: the database walked the index from its start to the
    cursor (every open case before it). So each range is read by itself, the second only when
    the first does not fill the page (one query, two at the border)."""
    name, value = fields[0][0], values[0]
    if forward and value is not None:
        # After a deadline: the later deadlines, then every case without one.
        ranges = [Q(**{f"{name}__gte": value}), Q(**{f"{name}__isnull": True})]
    elif forward:
        # Among the cases without a deadline: _beyond's condition is a range already.
        ranges = [Q()]
    elif value is not None:
        # Back from a deadline: only earlier ones (NULLs come after it).
        ranges = [Q(**{f"{name}__lte": value})]
    else:
        # Back from a case without a deadline: the rest of those (a range of the next fields:
        # said alone, as the OR hides it), then the latest deadlines.
        rest = _beyond(fields[1:], values[1:], forward) if len(fields) > 1 else Q()
        ranges = [Q(**{f"{name}__isnull": True}) & rest, Q(**{f"{name}__isnull": False})]
    rows = []
    for condition in ranges:
        rows += page_of(queryset.filter(condition), sort, 0, count - len(rows), in_order=True)
        if len(rows) >= count:
            break
    return rows
