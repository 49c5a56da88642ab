"""Keeping the dashboard's rollups (models.Rollup) equal to what the cases say.

**Incremental, on an explicit signal**: the case services send `cases.signals.case_changed`
with the case's watched values before and after each step (see cases.signals for the rule:
cases change only through the services; a bulk write of a watched field is refused; after a raw
or bulk load, rebuild). The contribution before and after is computed in Python
(`contribution`), their difference is a handful of (key → counter deltas), and one statement
`INSERT … VALUES (…), (…) ON CONFLICT (key) DO UPDATE SET n = rollup.n + excluded.n` applies
them — inside the transaction of the step (the services are atomic), without a lost update under
concurrency (the database adds, not Python). Steps that change nothing the dashboard counts
(accept, a note) write nothing. Reading a case costs nothing here: no snapshot on load. A case
deleted (only possible before it has a history) is taken out on post_delete.

**Rebuild** (`rebuild()`, `manage.py rebuild_dashboard_rollups`): the same contributions in
set-based SQL — one pass over the cases for the per-micro-grid daily grains (GROUPING SETS on
PostgreSQL), the street grains summed from those, the P and O rows straight from the cases — on
SQLite and PostgreSQL.

The definitions are those of `cases.indicators` (the cohort is the cases filed in the period,
without merged and not-filed ones; 应结案 = handled or handling deadline passed …); the tests
check that rollups and `indicators.compute` agree.
"""

import datetime
import functools
import json
from collections import defaultdict
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.db.models.signals import post_delete, post_save

from civicgrid.cases import clock
from civicgrid.cases import signals as case_signals
from civicgrid.cases.choices import OPEN_STATUSES, CaseAction, CaseSource, CaseStatus
from civicgrid.cases.clock import parse_pauses
from civicgrid.core.deferral import Deferral
from civicgrid.dashboard.models import (
    COHORT_COUNTERS,
    COUNTERS,
    KEY_FIELDS,
    NO_DAY,
    NO_DEADLINE,
    REPORT_COUNTERS,
    Rollup,
    VerificationTally,
)

# The values a case's contribution depends on: what cases.signals.case_changed carries.
SNAPSHOT_FIELDS = case_signals.WATCHED_FIELDS
_IDX = {name: i for i, name in enumerate(SNAPSHOT_FIELDS)}
# Not counted among the filed: merged duplicates, cases not filed, 12345 tickets sent back (退单).
OUT_OF_COHORT = (CaseStatus.MERGED, CaseStatus.NOT_FILED, CaseStatus.SENT_BACK)
# 有效上报率: a report counts once its filing is decided (a 12345 ticket sent back is not ours,
# a report its reporter withdrew before filing was never decided).
UNDECIDED = (CaseStatus.REPORTED, CaseStatus.SENT_BACK, CaseStatus.WITHDRAWN)
VERIFY_ACTIONS = (CaseAction.VERIFY_PASS, CaseAction.VERIFY_FAIL)
NO_TALLY = (0, 0)
# The deadline of the clock that runs in each state: cases.clock's table.
RUNNING_DEADLINE = clock.DEADLINE_FIELD
EMPTY = case_signals.NEW


def zone():
    return ZoneInfo(settings.TIME_ZONE)


def local_day(value: datetime.datetime, tz=None) -> datetime.date:
    return value.astimezone(tz or zone()).date()


def snapshot(case) -> tuple:
    return tuple(getattr(case, f) for f in SNAPSHOT_FIELDS)


def daily_keys(day, mg, cat, dept, src):
    """The seven daily grains a case counts in, for one day."""
    return (
        ("A", day, 0, 0, 0, src, NO_DEADLINE),
        ("K", day, 0, cat, 0, "", NO_DEADLINE),
        ("E", day, 0, 0, dept, "", NO_DEADLINE),
        ("S", day, mg, 0, 0, src, NO_DEADLINE),
        ("C", day, mg, cat, 0, "", NO_DEADLINE),
        ("D", day, mg, 0, dept, "", NO_DEADLINE),
        ("G", day, mg, 0, 0, "", NO_DEADLINE),
    )


def first_contact_limit() -> datetime.timedelta:
    return datetime.timedelta(hours=float(settings.CIVICGRID_FIRST_CONTACT_HOURS))


def cohort_key(snap: tuple, tz=None):
    """Where a case's cohort counters go (filing day and dimensions), None outside the cohort."""
    if not snap:
        return None
    g = snap.__getitem__
    filed_at = g(_IDX["filed_at"])
    if filed_at is None or g(_IDX["status"]) in OUT_OF_COHORT:
        return None
    return (
        local_day(filed_at, tz),
        g(_IDX["micro_grid_id"]) or 0,
        g(_IDX["category_id"]) or 0,
        g(_IDX["assigned_department_id"]) or 0,
        g(_IDX["source"]) or "",
    )


def contribution(snap: tuple, tz=None, tally=NO_TALLY) -> dict:
    """{key: {counter: n}} of one case in the state `snap` (a `snapshot`); {} for EMPTY.
    `tally`: the case's (核查 count, on time) from its history (VerificationTally)."""
    if not snap:
        return {}
    g = snap.__getitem__
    status = g(_IDX["status"])
    mg = g(_IDX["micro_grid_id"]) or 0
    cat = g(_IDX["category_id"]) or 0
    dept = g(_IDX["assigned_department_id"]) or 0
    src = g(_IDX["source"]) or ""
    out = defaultdict(lambda: defaultdict(int))
    filed_at = g(_IDX["filed_at"])
    decided = 1 if status not in UNDECIDED else 0
    valid = 1 if filed_at is not None and status not in OUT_OF_COHORT else 0
    for key in daily_keys(local_day(g(_IDX["reported_at"]), tz), mg, cat, dept, src):
        row = out[key]
        row["reported"] += 1
        if decided:
            row["reported_decided"] += 1
            row["reported_filed"] += valid
    if filed_at is not None and status not in OUT_OF_COHORT:
        day = local_day(filed_at, tz)
        handled_at = g(_IDX["handled_at"])
        deadline = g(_IDX["handling_deadline"])
        rework = 1 if g(_IDX["rework_count"]) else 0
        closed = 1 if status == CaseStatus.CLOSED and g(_IDX["closed_at"]) is not None else 0
        c = {
            "filed": 1,
            "extended": 1 if g(_IDX["extension_count"]) else 0,
            # Every closure's first rating (cases.models.CaseRating), 不满意 ones included.
            "rated": g(_IDX["rated_closures"]) or 0,
            "satisfied": g(_IDX["satisfied_closures"]) or 0,
            "verified": tally[0],
            "verified_on_time": tally[1],
        }
        resolved = g(_IDX["resolved"])
        if status == CaseStatus.CLOSED and resolved is not None:
            c.update(resolution_answered=1, resolved=1 if resolved else 0)
        if src == CaseSource.HOTLINE_12345:
            # As cases.indicators: wall-clock hours from the hotline's dispatch (else the report).
            contacted = g(_IDX["first_contact_at"])
            since = g(_IDX["hotline_dispatched_at"]) or g(_IDX["reported_at"])
            c["hotline_tickets"] = 1
            if contacted is not None and contacted - since <= first_contact_limit():
                c["first_contact_on_time"] = 1
        if handled_at is not None:
            on_time = 1 if deadline is None or handled_at <= deadline else 0
            c.update(
                handled=1,
                handled_on_time=on_time,
                closed=closed,
                closed_on_time=closed & on_time,
                reworked=rework,
            )
        elif deadline is not None:
            p = out[("P", day, mg, cat, dept, src, deadline)]
            p["pending"] += 1
            p["pending_reworked"] += rework
            p["pending_closed"] += closed
        for key in daily_keys(day, mg, cat, dept, src):
            row = out[key]
            for name, n in c.items():
                if n:
                    row[name] += n
    if status in OPEN_STATUSES:
        field = clock.deadline_field(status, hotline=g(_IDX["hotline_deadline"]) is not None)
        running = g(_IDX[field]) if field and not g(_IDX["is_suspended"]) else None
        out[("O", NO_DAY, mg, cat, dept, src, running or NO_DEADLINE)]["open"] += 1
    return out


def delta(before: tuple, after: tuple, tz=None, tally=NO_TALLY) -> dict:
    """after − before, without zero entries (`tally`: the case's 核查 counts, the same on both
    sides: a step never adds a 核查 of its own — the history row does, see `_on_event`)."""
    result = defaultdict(dict)
    a, b = contribution(after, tz, tally), contribution(before, tz, tally)
    for key in a.keys() | b.keys():
        ra, rb = a.get(key, {}), b.get(key, {})
        for name in ra.keys() | rb.keys():
            n = ra.get(name, 0) - rb.get(name, 0)
            if n:
                result[key][name] = n
    return result


def _upsert_sql(rows: int) -> str:
    table = Rollup._meta.db_table
    columns = (*KEY_FIELDS, *COUNTERS)
    one = "(" + ", ".join(["%s"] * len(columns)) + ")"
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTERS)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * rows)} "
        f"ON CONFLICT ({', '.join(KEY_FIELDS)}) DO UPDATE SET {updates}"
    )


_KEY_TYPES = {"day": "date", "micro_grid": "integer", "category": "integer"}
_KEY_TYPES |= {"department": "integer", "deadline": "timestamptz"}


@functools.cache
def _upsert_json_sql() -> str:
    """The upsert on PostgreSQL: the rows as one jsonb array of objects (a counter left out is
    0), so that the statement's text is the same whatever the rows and it has one parameter.
    Every row spelled as parameters (~30 each, 8 for a report) put the statement past psycopg's
    cache of parsed statements (50 parameters): each one was split and every value quoted
    again, a sixth of an intake's CPU. Inserted in key order, as the other databases' VALUES:
    concurrent steps take the rows' locks in the same order."""
    table = Rollup._meta.db_table
    columns = (*KEY_FIELDS, *COUNTERS)
    record = ", ".join(
        f"{c} {_KEY_TYPES.get(c, 'text' if c in KEY_FIELDS else 'integer')}" for c in columns
    )
    select = ", ".join(
        [*(f"r.{c}" for c in KEY_FIELDS), *(f"coalesce(r.{c}, 0)" for c in COUNTERS)]
    )
    updates = ", ".join(f"{c} = {table}.{c} + excluded.{c}" for c in COUNTERS)
    keys = ", ".join(KEY_FIELDS)
    return (
        f"INSERT INTO {table} ({', '.join(columns)}) SELECT {select} "
        f"FROM jsonb_to_recordset(%s::jsonb) AS r({record}) ORDER BY {keys} "
        f"ON CONFLICT ({keys}) DO UPDATE SET {updates}"
    )


def _sort_key(item):
    (grain, day, mg, cat, dept, src, deadline), _counters = item
    return (grain, day, (mg, cat, dept, src), deadline.timestamp())


def apply(changes: dict, using=None):
    """Add {key: {counter: n}} to the rollups in one statement."""
    if not changes:
        return
    conn = connection if using is None else transaction.get_connection(using)
    if conn.vendor == "postgresql":
        rows = [
            {
                "grain": grain,
                "day": day.isoformat(),
                "micro_grid": mg,
                "category": cat,
                "department": dept,
                "source": src,
                "deadline": deadline.isoformat(),
                **counters,
            }
            for (grain, day, mg, cat, dept, src, deadline), counters in changes.items()
        ]
        with conn.cursor() as cursor:
            cursor.execute(_upsert_json_sql(), [json.dumps(rows)])
        return
    ops = conn.ops
    params = []
    for (grain, day, mg, cat, dept, src, deadline), counters in sorted(
        changes.items(), key=_sort_key
    ):
        params += [
            grain,
            ops.adapt_datefield_value(day),
            mg,
            cat,
            dept,
            src,
            ops.adapt_datetimefield_value(deadline),
            *(counters.get(c, 0) for c in COUNTERS),
        ]
    with conn.cursor() as cursor:
        cursor.execute(_upsert_sql(len(changes)), params)


# --- signal handlers ---------------------------------------------------------------------------

_deferral = Deferral(lambda using: rebuild(using))


def deferred(using="default"):
    """For a builder that writes many cases at once (the demo street): inside, the step-by-step
    upkeep is off (this thread's steps write no rollup and no 核查 tally), and on a clean exit
    one `rebuild` writes the same rows (rebuild equals the upkeep: dashboard/tests/test_rollups.py) at a
    fraction of the cost. Nothing may read the rollups inside."""
    return _deferral(using)


def _tally(case_pk, using=None) -> tuple:
    row = (
        VerificationTally.objects.using(using or "default")
        .filter(case_id=case_pk)
        .values_list("verified", "on_time")
        .first()
    )
    return tuple(row) if row else NO_TALLY


def _on_case_changed(sender, case, before, after, using=None, **kwargs):
    if _deferral.active:
        return
    # The 核查 counts move only when the case leaves, joins or moves within the cohort: read
    # them then (one small query), not on every step.
    tally = NO_TALLY
    if before and cohort_key(before) != cohort_key(after):
        tally = _tally(case.pk, using)
    apply(delta(before, after, tally=tally), using)


def _on_post_delete(sender, instance, using=None, **kwargs):
    if _deferral.active:
        return
    apply(delta(snapshot(instance), EMPTY), using)


def verification_on_time(handled_at, at, pauses, calendar) -> bool:
    """A 核查 at `at` is on time within VERIFICATION_LIMIT_HOURS working hours of the feedback
    it judged (pauses excluded) — cases.indicators' rule."""
    from civicgrid.cases.services.checks import VERIFICATION_LIMIT_HOURS

    spent = calendar.working_hours_between(handled_at, at, exclude=parse_pauses(pauses))
    return spent <= VERIFICATION_LIMIT_HOURS


def _on_event(sender, instance, created, raw=False, using=None, **kwargs):
    """A 核查 (passed or failed) was recorded: one more in the case's tally and, while the case
    is in the cohort, in its rollup rows."""
    if not created or raw or instance.action not in VERIFY_ACTIONS or _deferral.active:
        return
    from civicgrid.workcalendar.services import get_calendar

    case = instance.case
    if case.handled_at is None:
        return
    on_time = (
        1 if verification_on_time(case.handled_at, instance.at, case.pauses, get_calendar()) else 0
    )
    using = using or "default"
    tally = VerificationTally.objects.using(using).filter(case_id=case.pk)
    if not tally.update(verified=F("verified") + 1, on_time=F("on_time") + on_time):
        VerificationTally.objects.using(using).create(case_id=case.pk, verified=1, on_time=on_time)
    key = cohort_key(snapshot(case))
    if key is None:
        return
    day, mg, cat, dept, src = key
    changes = {
        k: {"verified": 1, "verified_on_time": on_time} for k in daily_keys(day, mg, cat, dept, src)
    }
    apply(changes, using)


def connect():
    from civicgrid.cases.models import Case, CaseEvent

    uid = "dashboard.rollups"
    case_signals.case_changed.connect(_on_case_changed, sender=Case, dispatch_uid=uid)
    post_delete.connect(_on_post_delete, sender=Case, dispatch_uid=uid)
    post_save.connect(_on_event, sender=CaseEvent, dispatch_uid=uid)


# --- rebuild in SQL ----------------------------------------------------------------------------


def _day_sql(column: str, conn) -> tuple[str, list]:
    sql, params = conn.ops.datetime_cast_date_sql(column, (), settings.TIME_ZONE)
    return sql, list(params)


def rebuild(using="default", verbose=None) -> dict:
    """Recompute every rollup row from the cases in set-based SQL; returns rows per grain.

    One pass over the cases makes the per-micro-grid grains S, C and D (on PostgreSQL one
    statement with GROUPING SETS; on SQLite one statement per grain), G/A/K/E are summed from
    those rows, P and O come straight from the cases. One transaction."""
    import time

    from civicgrid.cases.models import Case

    conn = transaction.get_connection(using)
    ops = conn.ops
    table = Rollup._meta.db_table
    cases = Case._meta.db_table
    pg = conn.vendor == "postgresql"
    no_deadline = ops.adapt_datetimefield_value(NO_DEADLINE)
    no_day = ops.adapt_datefield_value(NO_DAY)
    out_of_cohort = [str(s) for s in OUT_OF_COHORT]
    open_statuses = sorted(str(s) for s in OPEN_STATUSES)
    closed = str(CaseStatus.CLOSED)
    rday, rday_p = _day_sql("c.reported_at", conn)
    fday, fday_p = _day_sql("c.filed_at", conn)
    in_cohort = (
        f"(c.filed_at IS NOT NULL AND c.status NOT IN ({', '.join(['%s'] * len(out_of_cohort))}))"
    )
    handled = "(c.handled_at IS NOT NULL)"
    on_time = "(c.handling_deadline IS NULL OR c.handled_at <= c.handling_deadline)"
    is_closed = "(c.status = %s AND c.closed_at IS NOT NULL)"

    def b(expr):
        return f"CASE WHEN {expr} THEN 1 ELSE 0 END"

    undecided = [str(s) for s in UNDECIDED]
    undecided_in = ", ".join(["%s"] * len(undecided))
    hotline = str(CaseSource.HOTLINE_12345)
    limit_seconds = first_contact_limit().total_seconds()
    since = "COALESCE(c.hotline_dispatched_at, c.reported_at)"
    if pg:
        contact_in_time = f"c.first_contact_at - {since} <= %s * INTERVAL '1 second'"
    else:
        contact_in_time = f"(julianday(c.first_contact_at) - julianday({since})) * 86400.0 <= %s"
    tallies = VerificationTally._meta.db_table
    # One row per case and kind (0: counted on the day of report, 1: in the cohort of its
    # filing day) with its contribution.
    contrib_sql = f"""
        SELECT CASE WHEN k.kind = 0 THEN {rday} ELSE {fday} END AS day,
               COALESCE(c.micro_grid_id, 0) AS mg, c.category_id AS cat,
               COALESCE(c.assigned_department_id, 0) AS dept, c.source AS src,
               1 - k.kind AS reported,
               (1 - k.kind) * {b(f"c.status NOT IN ({undecided_in})")} AS reported_decided,
               (1 - k.kind) * {b(f"c.status NOT IN ({undecided_in}) AND {in_cohort}")}
                 AS reported_filed,
               k.kind AS filed,
               k.kind * {b(handled)} AS handled,
               k.kind * {b(f"{handled} AND {on_time}")} AS handled_on_time,
               k.kind * {b(f"{handled} AND {is_closed}")} AS closed,
               k.kind * {b(f"{handled} AND {is_closed} AND {on_time}")} AS closed_on_time,
               k.kind * {b(f"{handled} AND c.rework_count > 0")} AS reworked,
               k.kind * {b("c.extension_count > 0")} AS extended,
               k.kind * c.rated_closures AS rated,
               k.kind * c.satisfied_closures AS satisfied,
               k.kind * COALESCE(t.verified, 0) AS verified,
               k.kind * COALESCE(t.on_time, 0) AS verified_on_time,
               k.kind * {b("c.status = %s AND c.resolved IS NOT NULL")} AS resolution_answered,
               k.kind * {b("c.status = %s AND c.resolved = %s")} AS resolved,
               k.kind * {b("c.source = %s")} AS hotline_tickets,
               k.kind * {b(f"c.source = %s AND c.first_contact_at IS NOT NULL AND {contact_in_time}")}
                 AS first_contact_on_time
        FROM {cases} c
        CROSS JOIN (SELECT 0 AS kind UNION ALL SELECT 1) k
        LEFT JOIN {tallies} t ON t.case_id = c.id
        WHERE k.kind = 0 OR {in_cohort}
    """
    contrib_params = [
        *rday_p,
        *fday_p,
        *undecided,
        *undecided,
        *out_of_cohort,
        closed,
        closed,
        closed,
        closed,
        True,
        hotline,
        hotline,
        limit_seconds,
        *out_of_cohort,
    ]
    daily = (*REPORT_COUNTERS, *COHORT_COUNTERS)
    sums = ", ".join(f"SUM({c})" for c in daily)
    zeros = ", ".join("0" for _ in ("pending", "pending_reworked", "pending_closed", "open"))
    columns = f"{', '.join(KEY_FIELDS)}, {', '.join(daily)}, pending, pending_reworked, pending_closed, open"
    # grain: (micro_grid, category, department, source) expressions
    grid_grains = {
        "S": ("mg", "0", "0", "src"),
        "C": ("mg", "cat", "0", "''"),
        "D": ("mg", "0", "dept", "''"),
    }
    derived = {  # grain: (from grain, micro_grid, category, department, source)
        "G": ("S", "micro_grid", "0", "0", "''"),
        "A": ("S", "0", "0", "0", "source"),
        "K": ("C", "0", "category", "0", "''"),
        "E": ("D", "0", "0", "department", "''"),
    }
    pending_sql = f"""
        INSERT INTO {table} ({columns})
        SELECT 'P', {fday}, COALESCE(c.micro_grid_id, 0), c.category_id,
               COALESCE(c.assigned_department_id, 0), c.source, c.handling_deadline,
               {", ".join("0" for _ in daily)},
               COUNT(*), SUM({b("c.rework_count > 0")}), SUM({b(is_closed)}), 0
        FROM {cases} c
        WHERE c.handled_at IS NULL AND c.handling_deadline IS NOT NULL AND {in_cohort}
        GROUP BY 2, 3, 4, 5, 6, 7
    """
    pending_params = [*fday_p, closed, *out_of_cohort]
    # A 12345 ticket's clock is the hotline's in its states (cases.clock.deadline_field).
    hotline_statuses = ", ".join(f"'{s}'" for s in clock.HOTLINE_STATUSES)
    running = (
        f"WHEN c.hotline_deadline IS NOT NULL AND c.status IN ({hotline_statuses}) "
        f"THEN c.{clock.HOTLINE.deadline} "
    ) + " ".join(
        f"WHEN c.status = '{status}' THEN c.{field}" for status, field in RUNNING_DEADLINE.items()
    )
    open_sql = f"""
        INSERT INTO {table} ({columns})
        SELECT 'O', %s, COALESCE(c.micro_grid_id, 0), c.category_id,
               COALESCE(c.assigned_department_id, 0), c.source,
               COALESCE(CASE WHEN c.is_suspended THEN NULL {running} END, %s),
               {", ".join("0" for _ in daily)}, 0, 0, 0, COUNT(*)
        FROM {cases} c
        WHERE c.status IN ({", ".join(["%s"] * len(open_statuses))})
        GROUP BY 3, 4, 5, 6, 7
    """
    open_params = [no_day, no_deadline, *open_statuses]
    counts = {}
    started = time.perf_counter()

    def step(name):
        if verbose:
            verbose(f"  {name}: {time.perf_counter() - started:.1f} s")

    with transaction.atomic(using=using), conn.cursor() as cursor:
        counts["tallies"] = rebuild_tallies(using)
        step("核查")
        if pg:
            cursor.execute("SET LOCAL work_mem = '1GB'")
            cursor.execute(f"TRUNCATE {table}")
        else:
            cursor.execute(f"DELETE FROM {table}")
        if pg:
            # One pass, three groupings; GROUPING(...) tells which set a row belongs to. Written
            # in (grain, day) order, as the incremental upserts leave them: a period's rows
            # stay on few pages.
            cursor.execute(
                f"""INSERT INTO {table} ({columns})
                SELECT CASE GROUPING(src, cat, dept) WHEN 3 THEN 'S' WHEN 5 THEN 'C' ELSE 'D' END,
                       day, mg, COALESCE(cat, 0), COALESCE(dept, 0), COALESCE(src, ''), %s,
                       {sums}, {zeros}
                FROM ({contrib_sql}) u
                GROUP BY GROUPING SETS ((day, mg, src), (day, mg, cat), (day, mg, dept))
                ORDER BY 1, 2""",
                [no_deadline, *contrib_params],
            )
            step("S, C, D")
        else:
            for grain, (mg, cat, dept, src) in grid_grains.items():
                keys = ", ".join(x for x in (mg, cat, dept, src) if x not in ("0", "''"))
                cursor.execute(
                    f"""INSERT INTO {table} ({columns})
                    SELECT %s, day, {mg}, {cat}, {dept}, {src}, %s, {sums}, {zeros}
                    FROM ({contrib_sql}) u GROUP BY day, {keys}""",
                    [grain, no_deadline, *contrib_params],
                )
        for grain, (source_grain, mg, cat, dept, src) in derived.items():
            keys = ", ".join(x for x in (mg, cat, dept, src) if x not in ("0", "''"))
            cursor.execute(
                f"""INSERT INTO {table} ({columns})
                SELECT %s, day, {mg}, {cat}, {dept}, {src}, %s, {sums}, {zeros}
                FROM {table} WHERE grain = %s GROUP BY day, {keys}""",
                [grain, no_deadline, source_grain],
            )
            counts[grain] = cursor.rowcount
        step("G, A, K, E")
        cursor.execute(pending_sql, pending_params)
        counts["P"] = cursor.rowcount
        cursor.execute(open_sql, open_params)
        counts["O"] = cursor.rowcount
        step("P, O")
        cursor.execute(
            f"SELECT grain, COUNT(*) FROM {table} WHERE grain IN ('S', 'C', 'D') GROUP BY grain"
        )
        counts.update(dict(cursor.fetchall()))
    order = ("A", "K", "E", "S", "C", "D", "G", "P", "O")
    return {g: counts.get(g, 0) for g in order}


def rebuild_tallies(using="default") -> int:
    """Recount every case's 核查 from its history (each VERIFY event against the feedback
    before it); returns the number of cases with one."""
    from civicgrid.cases.models import CaseEvent
    from civicgrid.workcalendar.services import get_calendar

    calendar = get_calendar()
    events = (
        CaseEvent.objects.using(using)
        .filter(action__in=[CaseAction.HANDLE, *VERIFY_ACTIONS])
        .order_by("case_id", "at", "pk")
        .values_list("case_id", "action", "at", "case__pauses")
        .iterator(chunk_size=5000)
    )
    handled, tallies = {}, {}
    for case_id, action, at, pauses in events:
        if action == CaseAction.HANDLE:
            handled[case_id] = at
            continue
        since = handled.pop(case_id, None)
        if since is None:
            continue
        t = tallies.setdefault(case_id, [0, 0])
        t[0] += 1
        t[1] += verification_on_time(since, at, pauses, calendar)
    VerificationTally.objects.using(using).all().delete()
    VerificationTally.objects.using(using).bulk_create(
        (VerificationTally(case_id=pk, verified=v, on_time=o) for pk, (v, o) in tallies.items()),
        batch_size=2000,
    )
    return len(tallies)


# Migrations after which the rollups hold counters the old rows lack: `migrate` rebuilds them.
REBUILD_AFTER = {("dashboard", "0002_quality_counters_and_verification_tally")}


def rebuild_after_migration(sender, plan=None, using="default", **kwargs):
    """post_migrate: a database carried forward over a migration of REBUILD_AFTER gets its
    rollups recomputed (new counters start at 0 in old rows) — once every migration is applied,
    when the tables match the models."""
    from django.db import connections
    from django.db.migrations.executor import MigrationExecutor

    applied = {(m.app_label, m.name) for m, backwards in plan or () if not backwards}
    if not applied & REBUILD_AFTER:
        return
    executor = MigrationExecutor(connections[using])
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        return
    rebuild(using)


def prune(using="default") -> int:
    """Delete rows that changes have left at zero (P/O rows of deadlines that moved on)."""
    zero = {c: 0 for c in COUNTERS}
    return Rollup.objects.using(using).filter(grain__in=["P", "O"], **zero).delete()[0]
