"""未诉先办, stored (proactive.models.FirstReport): each counted case found by the street's people
or complained of carries the number of cases of the other kind — same category, same place —
reported in the window before it (proactive.indicators' rule: a found case is found first, a
complaint first reported by residents, when that number is 0). The dashboard's tile then sums
stored values instead of classifying half a year of cases on every view.

**Kept on every step of a case.** proactive listens to `cases.signals.case_changed` (cases may
not import it) and acts inside the step's transaction. The rule is a count, so a change needs no
recomputation of other cases' neighbourhoods: a case that leaves a place, a time, a category or
the counted statuses takes one off every case of the other kind it preceded within the window
there; where it arrives it adds one to each of those (a late report with an earlier time takes
"first" from a case reported after it) and counts its own predecessors. One query reads the
cases of the other kind around each version of the case (old, new); the writes are one row and
one UPDATE per change of count. A step that moves none of the rule's values costs nothing.

**Rebuilt** by `manage.py rebuild_first_reports` (after raw SQL, bulk loads, deleting cases, or a change of
CIVICGRID_PROACTIVE_FIRST_RADIUS_M / _WINDOW_DAYS), by the benchmark's generator, and after a
migration when the table is empty but cases exist (an upgraded database).

Two intakes at the same place committed at the same moment under READ COMMITTED may each miss
the other (neither row is visible to the other's transaction). The periodic job
`first_reports_recent` (`refresh_recent`, hourly) recomputes the answers of the cases of the last
FIRST_WINDOW_DAYS + 1 days (`rebuild_since`), which is where such a race can leave one; the
rebuild command corrects any.
"""

import datetime
import math
from collections import Counter, defaultdict

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from civicgrid.cases.duplicates import EARTH_RADIUS_M
from civicgrid.cases.signals import NEW, WATCHED_FIELDS
from civicgrid.core.deferral import Deferral
from civicgrid.proactive.choices import FirstKind
from civicgrid.proactive.hotspots import NOT_COUNTED
from civicgrid.proactive.indicators import (
    COMPLAINT_SOURCES,
    FOUND_SOURCES,
    Earlier,
    same_place,
    window,
)

KIND = {**dict.fromkeys(FOUND_SOURCES, FirstKind.FOUND)}
KIND.update(dict.fromkeys(COMPLAINT_SOURCES, FirstKind.COMPLAINT))
OTHER_SOURCES = {FirstKind.FOUND: COMPLAINT_SOURCES, FirstKind.COMPLAINT: FOUND_SOURCES}
# The values of a case the rule reads, by their place in the signal's tuples.
RULE_FIELDS = ("reported_at", "status", "micro_grid_id", "category_id", "source", "lon", "lat")
_AT = {name: WATCHED_FIELDS.index(name) for name in RULE_FIELDS}
ROW_FIELDS = ("pk", "lon", "lat", "micro_grid_id", "reported_at")
BATCH = 5000


def _models(case_model=None, store_model=None):
    if case_model is None:
        from civicgrid.cases.models import Case as case_model
    if store_model is None:
        from civicgrid.proactive.models import FirstReport as store_model
    return case_model, store_model


def version(pk, values: tuple) -> dict | None:
    """The case as the rule sees it from a signal's tuple, or None when the rule leaves it out
    (a source of neither kind, or a status not counted)."""
    if values == NEW:
        return None
    case = {name: values[i] for name, i in _AT.items()}
    kind = KIND.get(case["source"])
    if kind is None or case["status"] in NOT_COUNTED:
        return None
    return {"pk": pk, "kind": kind, **case}


def _has_point(case) -> bool:
    return case["lon"] is not None and case["lat"] is not None


def _box(case) -> tuple[float, float]:
    """Half the sides, in degrees, of a box around the case's point holding its radius."""
    radius = settings.CIVICGRID_PROACTIVE_FIRST_RADIUS_M
    dlat = math.degrees(radius / EARTH_RADIUS_M) * 1.01 + 1e-9
    coslat = math.cos(math.radians(min(89.0, abs(case["lat"]) + dlat)))
    return dlat, dlat / max(coslat, 1e-6)


def _place(case) -> Q | None:
    """Cases that may lie at the case's place (a superset; same_place decides): points in a box
    a little wider than the radius, and the point-less cases of its micro-grid — or, without a
    point, every case of its micro-grid."""
    micro = case["micro_grid_id"]
    if not _has_point(case):
        return Q(micro_grid_id=micro) if micro is not None else None
    dlat, dlon = _box(case)
    place = Q(
        lon__gte=case["lon"] - dlon,
        lon__lte=case["lon"] + dlon,
        lat__gte=case["lat"] - dlat,
        lat__lte=case["lat"] + dlat,
    )
    if micro is not None:
        place |= (Q(lon__isnull=True) | Q(lat__isnull=True)) & Q(micro_grid_id=micro)
    return place


def _around(case, using, case_model=None) -> list[dict]:
    """The counted cases of the other kind, same category, within the window either side of
    the case and at its place (one query)."""
    place = _place(case)
    if place is None:
        return []
    case_model, _store = _models(case_model)
    at, span = case["reported_at"], window()
    rows = (
        case_model._base_manager.using(using)
        .filter(
            place,
            category_id=case["category_id"],
            source__in=OTHER_SOURCES[case["kind"]],
            reported_at__gte=at - span,
            reported_at__lte=at + span,
        )
        .exclude(status__in=NOT_COUNTED)
        .exclude(pk=case["pk"])
        .values(*ROW_FIELDS)
    )
    return list(rows)


def _earlier(case, rows) -> int:
    """How many of the rows came in the window before the case at its place (indicators'
    any_before, counted)."""
    at = case["reported_at"]
    return sum(1 for r in rows if at - window() <= r["reported_at"] <= at and same_place(case, r))


def _later(case, rows) -> list[int]:
    """The rows whose own window before holds the case (the rule read from their side)."""
    at = case["reported_at"]
    return [
        r["pk"] for r in rows if at <= r["reported_at"] <= at + window() and same_place(r, case)
    ]


def apply_change(pk, before: tuple, after: tuple, using="default") -> None:
    """Carry one step of a case into the stored counts (inside the step's transaction)."""
    old, new = version(pk, before), version(pk, after)
    if old is None and new is None:
        return
    if old is not None and new is not None and all(old[f] == new[f] for f in RULE_FIELDS):
        return
    if before == NEW and connections[using].vendor == "postgresql":
        _report_in_one_statement(new, using)
        return
    _case, store = _models()
    delta = Counter()
    if old is not None:
        for other in _later(old, _around(old, using)):
            delta[other] -= 1
    if new is not None:
        rows = _around(new, using)
        for other in _later(new, rows):
            delta[other] += 1
        values = {
            "kind": new["kind"],
            "earlier": _earlier(new, rows),
            "micro_grid_id": new["micro_grid_id"],
            "reported_at": new["reported_at"],
        }
        # A new case has no row yet; a later step updates it (or, on a table not yet
        # rebuilt, creates it).
        if before == NEW or not store.objects.using(using).filter(case_id=pk).update(**values):
            store.objects.using(using).create(case_id=pk, **values)
    else:
        store.objects.using(using).filter(case_id=pk).delete()
    by_step = defaultdict(list)
    for other, step in delta.items():
        if step:
            by_step[step].append(other)
    for step, pks in sorted(by_step.items()):
        # Never below 0: a table not yet rebuilt after a bulk load may lack a predecessor.
        store.objects.using(using).filter(case_id__in=pks).update(
            earlier=Greatest(F("earlier") + step, Value(0))
        )


# A report on PostgreSQL: the rule in SQL, in one statement (one round trip on the intake's path):
# the cases of the other kind around the new one, its own row counting those before it, and one
# more for those after it (a report back-dated among them). Python's distance_m and same_place,
# term for term (the same libm functions in the same order), so both give the same answers.
_PG_REPORT = """
WITH x AS (
    SELECT %(pk)s::bigint AS id, %(lon)s::float8 AS lon, %(lat)s::float8 AS lat,
        %(micro)s::bigint AS micro, %(at)s::timestamptz AS at
), around AS (
    SELECT c.id, c.reported_at FROM {case} c, x
    WHERE c.category_id = %(category)s AND c.source = ANY(%(sources)s)
        AND NOT (c.status = ANY(%(not_counted)s)) AND c.id <> x.id
        AND c.reported_at BETWEEN x.at - %(window)s AND x.at + %(window)s
        AND ({place})
        AND CASE WHEN x.lon IS NULL OR x.lat IS NULL OR c.lon IS NULL OR c.lat IS NULL
            THEN x.micro IS NOT NULL AND x.micro = c.micro_grid_id
            ELSE 2 * %(earth)s::float8 * asin(least(1.0::float8, sqrt(
                power(sin((radians(c.lat) - radians(x.lat)) / 2), 2)
                + cos(radians(x.lat)) * cos(radians(c.lat))
                  * power(sin(radians(c.lon - x.lon) / 2), 2)))) <= %(radius)s::float8
        END
), later AS (
    UPDATE {store} f SET earlier = f.earlier + 1
    FROM around a, x WHERE f.case_id = a.id AND a.reported_at >= x.at
)
INSERT INTO {store} (case_id, kind, earlier, micro_grid_id, reported_at)
SELECT x.id, %(kind)s, (SELECT count(*) FROM around a WHERE a.reported_at <= x.at), x.micro, x.at
FROM x
"""
_PG_POINT = """(c.lon BETWEEN %(lon_lo)s AND %(lon_hi)s AND c.lat BETWEEN %(lat_lo)s AND %(lat_hi)s)
    OR ((c.lon IS NULL OR c.lat IS NULL) AND c.micro_grid_id = x.micro)"""


def _report_in_one_statement(case, using) -> None:
    case_model, store = _models()
    params = {
        "pk": case["pk"],
        "lon": case["lon"],
        "lat": case["lat"],
        "micro": case["micro_grid_id"],
        "at": case["reported_at"],
        "category": case["category_id"],
        "sources": [str(s) for s in OTHER_SOURCES[case["kind"]]],
        "not_counted": list(NOT_COUNTED),
        "window": window(),
        "earth": EARTH_RADIUS_M,
        "radius": float(settings.CIVICGRID_PROACTIVE_FIRST_RADIUS_M),
        "kind": str(case["kind"]),
    }
    if _has_point(case):
        dlat, dlon = _box(case)
        place = _PG_POINT
        params.update(
            lon_lo=case["lon"] - dlon,
            lon_hi=case["lon"] + dlon,
            lat_lo=case["lat"] - dlat,
            lat_hi=case["lat"] + dlat,
        )
    else:
        place = "c.micro_grid_id = x.micro"
    sql = _PG_REPORT.format(case=case_model._meta.db_table, store=store._meta.db_table, place=place)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)


_deferral = Deferral(lambda using: rebuild(using=using))


def deferred(using="default"):
    """For a builder that writes many cases at once (the demo street): inside, the step-by-step
    upkeep is off, and on a clean exit one rebuild writes the same counts (rebuild's answer is
    the upkeep's, tests/test_first_stored.py) at a fraction of the cost."""
    return _deferral(using)


def on_case_changed(sender, case, before, after, using=None, **kwargs):
    if _deferral.active:
        return
    apply_change(case.pk, before, after, using or "default")


def rebuild(using="default", case_model=None, store_model=None, verbose=None) -> int:
    """Recompute every stored count from the cases, one category at a time (the rule never
    compares two categories), in one transaction. Returns the number of rows written."""
    case_model, store = _models(case_model, store_model)
    cases = (
        case_model._base_manager.using(using)
        .filter(source__in=FOUND_SOURCES + COMPLAINT_SOURCES)
        .exclude(status__in=NOT_COUNTED)
    )
    written = 0
    with transaction.atomic(using=using):
        store.objects.using(using).all()._raw_delete(using)
        categories = cases.order_by().values_list("category_id", flat=True).distinct()
        for category in sorted(categories):
            rows = list(cases.filter(category_id=category).values("source", *ROW_FIELDS))
            for row in rows:
                row["category_id"] = category
                row["kind"] = KIND[row["source"]]
            index = {
                kind: Earlier(r for r in rows if r["kind"] == kind)
                for kind in (FirstKind.FOUND, FirstKind.COMPLAINT)
            }
            objs = [
                store(
                    case_id=r["pk"],
                    kind=r["kind"],
                    earlier=index[_other(r["kind"])].count_before(r),
                    micro_grid_id=r["micro_grid_id"],
                    reported_at=r["reported_at"],
                )
                for r in rows
            ]
            store.objects.using(using).bulk_create(objs, batch_size=BATCH)
            written += len(objs)
            if verbose:
                verbose(f"  category {category}: {len(objs):,} cases")
    return written


def refresh_recent(now=None, using="default") -> dict:
    """The periodic job `first_reports_recent`: the answers of the cases reported in the last
    FIRST_WINDOW_DAYS + 1 days recomputed (rebuild_since). A race of two same-place reports
    leaves a wrong count only on cases that close together; older answers are not read."""
    now = now or timezone.now()
    return rebuild_since(now - window() - datetime.timedelta(days=1), using=using)


def rebuild_since(since, using="default", case_model=None, store_model=None) -> dict:
    """Recompute the stored answers of the counted cases reported at or after `since` (rebuild's
    rule, read only from `since` minus the window on: a range of the cases' reported_at index),
    in one transaction; rows of cases before `since` are not touched. Returns the counts:
    cases, corrected, missing (rows written where none was), removed (rows of cases no longer
    counted), and skipped (rows changed by a concurrent step meanwhile).

    A step of another case may commit while this runs and move a count by one (apply_change):
    the stored answers are read before the cases, and each correction is written only where the
    row still holds the value read (compare and set), so a count moved meanwhile is left to the
    next run instead of being overwritten with an answer that missed that step."""
    case_model, store = _models(case_model, store_model)
    rows_of = store.objects.using(using)
    cases = case_model._base_manager.using(using).order_by()
    with transaction.atomic(using=using):
        # By the cases' time (their reported_at index), joined: the table has no index of its
        # own on it.
        recent = rows_of.filter(case__reported_at__gte=since)
        stored = {
            r["case_id"]: r
            for r in recent.values("case_id", "kind", "earlier", "micro_grid_id", "reported_at")
        }
        rows = list(
            cases.filter(
                reported_at__gte=since - window(), source__in=FOUND_SOURCES + COMPLAINT_SOURCES
            )
            .exclude(status__in=NOT_COUNTED)
            .values("source", "category_id", *ROW_FIELDS)
        )
        for row in rows:
            row["kind"] = KIND[row["source"]]
        index = {
            kind: Earlier(r for r in rows if r["kind"] == kind)
            for kind in (FirstKind.FOUND, FirstKind.COMPLAINT)
        }
        targets = [r for r in rows if r["reported_at"] >= since]
        by_counts, single, new = defaultdict(list), [], []
        for r in targets:
            answer = {
                "kind": r["kind"],
                "earlier": index[_other(r["kind"])].count_before(r),
                "micro_grid_id": r["micro_grid_id"],
                "reported_at": r["reported_at"],
            }
            old = stored.get(r["pk"])
            if old is None:
                new.append(store(case_id=r["pk"], **answer))
            elif all(old[k] == v for k, v in answer.items() if k != "earlier"):
                if old["earlier"] != answer["earlier"]:
                    by_counts[(old["earlier"], answer["earlier"])].append(r["pk"])
            else:
                single.append((r["pk"], old["earlier"], answer))
        corrected = 0
        # The usual run corrects nothing or a few: one UPDATE per (stored, right) pair of counts.
        for (was, right), pks in sorted(by_counts.items()):
            corrected += rows_of.filter(case_id__in=pks, earlier=was).update(earlier=right)
        for pk, was, answer in single:
            corrected += rows_of.filter(case_id=pk, earlier=was).update(**answer)
        # A row written meanwhile by the case's own step stays (its step counted it).
        rows_of.bulk_create(new, batch_size=BATCH, ignore_conflicts=True)
        counted = {r["pk"] for r in targets}
        gone = defaultdict(list)
        for pk, old in stored.items():
            if pk not in counted:
                gone[old["earlier"]].append(pk)
        removed = 0
        for was, pks in gone.items():
            removed += rows_of.filter(case_id__in=pks, earlier=was).delete()[0]
    expected = sum(len(p) for p in by_counts.values()) + len(single)
    return {
        "cases": len(targets),
        "corrected": corrected,
        "missing": len(new),
        "removed": removed,
        "skipped": expected - corrected + sum(len(p) for p in gone.values()) - removed,
    }


def _other(kind):
    return FirstKind.COMPLAINT if kind == FirstKind.FOUND else FirstKind.FOUND


def rebuild_if_empty(sender=None, using="default", **kwargs):
    """post_migrate: a database whose cases predate the table (an upgrade) gets it filled once;
    an empty street, or one already filled, costs two small queries."""
    from django.db import connections

    case_model, store = _models()
    # Migrated back to before the table: nothing to fill.
    if store._meta.db_table not in connections[using].introspection.table_names():
        return
    if store.objects.using(using).exists():
        return
    counted = (
        case_model._base_manager.using(using)
        .filter(source__in=FOUND_SOURCES + COMPLAINT_SOURCES)
        .exclude(status__in=NOT_COUNTED)
    )
    if counted.exists():
        rebuild(using)
