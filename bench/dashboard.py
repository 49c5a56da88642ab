"""Benchmark: the dashboard's figures from the rollups on PostgreSQL, against DuckDB scanning the
same cases exported to Parquet.

    make bench-dashboard                                  # 10,000,000 cases (1M checkpoint)
    .venv/bin/python bench/dashboard.py --cases 200000    # a quick run
    .venv/bin/python bench/dashboard.py --database-url postgres://user@host:5432/other_db

Set-up: creates the database if missing (default civicgrid_bench_dashboard on the local
PostgreSQL), migrates it and loads the demo street once (251 micro-grids, 8 departments, the
seeded categories; no population). Then, in the same run:

1. empties the cases and generates them set-based in SQL (`INSERT … SELECT … FROM
   generate_series`), `--per-day` cases a day (default 5,500) going back from today, so more
   cases mean a longer history: 1M ≈ the last 6 months, 10M ≈ 5 years. Every case has a
   category (popular ones more often), a micro-grid, a source, a department by category, and an
   outcome by age — not filed 4 %, merged 3 %, closed (≈93 % handled by the deadline, 70 %
   rated, 5 % reworked, 3 % extended), a few old ones stuck open, the last days' still in the
   loop (待受理 … 已处置); the secondary indexes of the cases table are dropped while loading and
   created again afterwards, the foreign-key triggers are skipped (session_replication_role
   = replica, as a restore does: the ids come from their tables) and two connections insert
   a million at a time each; columns added to cases since the generator was written that it does
   not name get their empty value as a default in this database (`default_new_columns`);
2. builds the rollups with the rebuild command's SQL (`dashboard.rollups.rebuild`);
3. exports the cases' columns the figures need with `COPY … TO STDOUT` (psycopg) into a CSV
   file, and DuckDB turns it into Parquet;
4. times the dashboard of the whole street for the last `--period-days` days (default 30;
   `dashboard.figures.dashboard`, the
   function the pages call: KPIs today/month, open/overdue, trends by day and month, sources,
   categories, department ranking, top-5 recurring problems, per community, the map counts)
   and DuckDB computing the same figures from the Parquet file (2 threads); checks that both
   give the same numbers; best of `--repeat` runs each.

The first `--checkpoint` cases (default 1,000,000) are measured too, so the run shows the time
at 1M and at the full size. The last line is `dashboard_ratio_vs_duckdb_scan=<ours/duckdb>` at
the full size (goal ≤ 1). No network access: DuckDB reads CSV and writes Parquet natively.
"""

import argparse
import datetime
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/civicgrid_bench_dashboard"
CHUNK = 1_000_000


def ensure_database(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
            print(f"created database {name}")


def prepare(args):
    os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    call_command(
        "load_demo_street",
        if_empty=True,
        households_per_building_group=0,
        no_logins=True,
        cases=0,
        verbosity=0,
    )


# --- generation --------------------------------------------------------------------------------

GENERATE = """
INSERT INTO cases_case (
    number, source, external_ticket, category_id, hotline_request_type, description, lon, lat,
    address, micro_grid_id, needs_manual_location, reporter_name, reporter_phone,
    reporter_email, reporter_user_id, is_anonymous, status, assigned_department_id,
    handled_by_grid, reported_at, filed_at, dispatched_at, accepted_at, handled_at, closed_at,
    rated_at, filing_deadline, handling_deadline, verification_deadline, calendar_published,
    warning_level, rework_count, extension_count, returned_count, reopened_once, merged_into_id,
    is_suspended, suspended_at, suspension_reason, pauses, handling_result, rating,
    rating_comment, rated_closures, satisfied_closures, public_token, updated_at)
SELECT
    to_char(rep AT TIME ZONE 'Asia/Shanghai', 'YYYYMMDD') || lpad((i %% %(per_day)s + 1)::text, 5, '0'),
    src, '', cat, '', descr, NULL, NULL, '', mg, false, '', '', '', NULL, false,
    status,
    CASE WHEN status IN ('reported', 'filed', 'not_filed', 'merged') THEN NULL ELSE dept END,
    false, rep,
    CASE WHEN status IN ('reported', 'not_filed', 'merged') THEN NULL ELSE filed END,
    CASE WHEN status IN ('reported', 'filed', 'not_filed', 'merged') THEN NULL ELSE disp END,
    CASE WHEN status IN ('accepted', 'handled', 'closed') THEN disp + interval '20 minutes' END,
    CASE WHEN status IN ('handled', 'closed') THEN handled END,
    CASE WHEN status = 'closed' THEN closed END,
    CASE WHEN status = 'closed' AND rating <> '' THEN closed + interval '1 day' END,
    rep + interval '30 minutes',
    CASE WHEN status IN ('reported', 'filed', 'not_filed', 'merged') THEN NULL ELSE deadline END,
    CASE WHEN status IN ('handled', 'closed') THEN handled + interval '1 hour' END,
    true, '',
    CASE WHEN status IN ('handled', 'closed') AND r13 < 0.05 THEN 1 ELSE 0 END,
    CASE WHEN status NOT IN ('reported', 'filed', 'not_filed', 'merged') AND r13 BETWEEN 0.05 AND 0.08
         THEN 1 ELSE 0 END,
    0, false, NULL, false, NULL, '', '[]'::jsonb, '',
    CASE WHEN status = 'closed' THEN rating ELSE '' END,
    '',
    CASE WHEN status = 'closed' AND rating <> '' THEN 1 ELSE 0 END,
    CASE WHEN status = 'closed' AND rating IN ('satisfied', 'basically') THEN 1 ELSE 0 END,
    'b' || i::text, rep
FROM (
    SELECT *,
        CASE
            WHEN r5 < 0.04 THEN 'not_filed'
            WHEN r5 < 0.07 THEN 'merged'
            WHEN r10 < 0.0005 THEN 'accepted'
            WHEN closed <= now_ THEN 'closed'
            WHEN handled <= now_ THEN 'handled'
            WHEN disp <= now_ THEN CASE WHEN r9 < 0.3 THEN 'dispatched' ELSE 'accepted' END
            WHEN filed <= now_ THEN 'filed'
            ELSE 'reported'
        END AS status,
        CASE WHEN r11 < 0.49 THEN 'satisfied' WHEN r11 < 0.63 THEN 'basically'
             WHEN r11 < 0.70 THEN 'unsatisfied' ELSE '' END AS rating
    FROM (
        SELECT *,
            disp + span * interval '1 day' AS deadline,
            disp + span * 1.15 * r8 * r8 * interval '1 day' AS handled,
            disp + span * 1.15 * r8 * r8 * interval '1 day' + (1 + r9 * 20) * interval '1 hour'
                AS closed
        FROM (
            SELECT *,
                filed + (2 + r6 * 20) * interval '1 minute' AS disp,
                3 + floor(r7 * 8) AS span
            FROM (
                SELECT *, rep + (5 + r6 * 25) * interval '1 minute' AS filed
                FROM (
                    SELECT i, now_, r5, r6, r7, r8, r9, r10, r11, r13,
                        least(
                            day0 - (i / %(per_day)s) * interval '1 day'
                                + (7 + r1 * 14) * interval '1 hour',
                            now_ - interval '1 minute'
                        ) AS rep,
                        cats[1 + floor(power(r2, 1.7) * array_length(cats, 1))::int] AS cat,
                        mgs[1 + floor(power(r3, 1.3) * array_length(mgs, 1))::int] AS mg,
                        srcs[1 + floor(r4 * array_length(srcs, 1))::int] AS src,
                        descrs[1 + floor(r1 * array_length(descrs, 1))::int] AS descr,
                        depts[1 + (floor(power(r2, 1.7) * array_length(cats, 1))::int
                                   %% array_length(depts, 1))] AS dept
                    FROM (
                        SELECT i, random() AS r1, random() AS r2, random() AS r3,
                            random() AS r4, random() AS r5, random() AS r6, random() AS r7,
                            random() AS r8, random() AS r9, random() AS r10, random() AS r11,
                            random() AS r13
                        FROM generate_series(%(lo)s::int, %(hi)s::int) AS i
                    ) g,
                    (SELECT %(now)s::timestamptz AS now_, %(day0)s::timestamptz AS day0,
                            %(cats)s::bigint[] AS cats, %(mgs)s::bigint[] AS mgs,
                            %(depts)s::bigint[] AS depts, %(srcs)s::text[] AS srcs,
                            %(descrs)s::text[] AS descrs) k
                ) a
            ) b
        ) c
    ) d
) e
"""
SOURCES = ["grid_patrol"] * 4 + ["resident"] * 2 + ["hotline_12345"] * 3 + ["department"]
SOURCES += ["supervision", "open311"]
DESCRIPTIONS = [
    "小区门口生活垃圾堆放未清运",
    "人行道共享单车乱停放挡住盲道",
    "路口井盖松动车辆经过响声大",
    "楼道堆放纸箱旧家具存在消防隐患",
    "夜间施工噪音扰民",
    "沿街商铺店外经营占用人行道",
    "电线从窗口拉下给电瓶车充电",
    "小区内僵尸车长期停放",
]


# The empty value of a column type, for columns the generator's INSERT does not name.
EMPTY = {
    "text": "''",
    "character varying": "''",
    "boolean": "false",
    "integer": "0",
    "smallint": "0",
    "bigint": "0",
    "jsonb": "'[]'",
}


def default_new_columns(cursor) -> list[str]:
    """Columns added to cases since GENERATE was written that are NOT NULL without a database
    default (Django fills them in Python; the generator's SQL does not name them) get their empty
    value as default, in this benchmark database only, so the generator's rows insert. Returns
    the columns given a default (bench/lists.py and bench/city.py use the same generator)."""
    import re

    named = set(re.findall(r"\w+", GENERATE.split("SELECT", 1)[0]))
    cursor.execute(
        """SELECT column_name, data_type FROM information_schema.columns
           WHERE table_name = 'cases_case' AND table_schema = current_schema()
             AND is_nullable = 'NO' AND column_default IS NULL AND is_identity = 'NO'"""
    )
    filled = []
    for name, kind in cursor.fetchall():
        if name in named:
            continue
        if kind not in EMPTY:
            raise SystemExit(
                f"cases_case.{name} ({kind}) is required and the generator does not fill it: "
                "add it to GENERATE in bench/dashboard.py"
            )
        cursor.execute(f'ALTER TABLE cases_case ALTER COLUMN "{name}" SET DEFAULT {EMPTY[kind]}')
        filled.append(name)
    return filled


def drop_secondary_indexes(cursor) -> list[str]:
    cursor.execute(
        """SELECT i.indexname, i.indexdef FROM pg_indexes i
           WHERE i.tablename = 'cases_case' AND i.indexname NOT IN (
               SELECT conname FROM pg_constraint WHERE conrelid = 'cases_case'::regclass)"""
    )
    found = cursor.fetchall()
    for name, _ in found:
        cursor.execute(f'DROP INDEX "{name}"')
    return [d for _, d in found]


def _insert_chunks(database_url, chunks, params):
    """One connection inserting its share of the chunks (a bulk load, as pg_restore does it:
    the foreign keys are right by construction — ids taken from their tables — so their
    per-row triggers are skipped)."""
    import psycopg

    with psycopg.connect(database_url) as conn:
        conn.execute("SET synchronous_commit = off")
        conn.execute("SET session_replication_role = replica")
        for a, b in chunks:
            conn.execute("SELECT setseed(%s)", [((a // CHUNK) % 1000) / 1000])
            conn.execute(GENERATE, {**params, "lo": a, "hi": b})
            conn.commit()
            print(f"  generated cases {a:,}–{b:,}", flush=True)


def generate(lo: int, hi: int, args, now, first_reports: bool = True) -> float:
    """Cases lo..hi-1 in chunks of a million over two connections (two cores), the cases
    table's secondary indexes dropped meanwhile and built again afterwards. `first_reports`
    False leaves the stored 未诉先办 answers out (proactive.first.rebuild walks every case in
    Python: the longest step at 10M; only the dashboard reads them)."""
    import threading

    from django.db import connection

    from civicgrid.accounts.models import Department
    from civicgrid.cases.models import Category
    from civicgrid.grids.choices import GridLevel
    from civicgrid.grids.models import Grid

    cats = list(
        Category.objects.filter(parent__isnull=False, is_active=True)
        .order_by("family", "code")
        .values_list("pk", flat=True)
    )
    mgs = list(
        Grid.objects.filter(level=GridLevel.MICRO_GRID)
        .order_by("code")
        .values_list("pk", flat=True)
    )
    depts = list(Department.objects.order_by("code").values_list("pk", flat=True))
    tz = datetime.timezone(datetime.timedelta(hours=8))
    day0 = datetime.datetime.combine(now.astimezone(tz).date(), datetime.time.min, tzinfo=tz)
    params = {
        "per_day": args.per_day,
        "now": now,
        "day0": day0,
        "cats": cats,
        "mgs": mgs,
        "depts": depts,
        "srcs": SOURCES,
        "descrs": DESCRIPTIONS,
    }
    started = time.perf_counter()
    with connection.cursor() as cursor:
        filled = default_new_columns(cursor)
        if filled:
            print(f"  columns the generator leaves empty: {', '.join(filled)}", flush=True)
        ddl = drop_secondary_indexes(cursor)
    chunks = [(a, min(hi, a + CHUNK) - 1) for a in range(lo, hi, CHUNK)]
    workers = [
        threading.Thread(target=_insert_chunks, args=(args.database_url, chunks[i::2], params))
        for i in range(2)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    # A failed chunk (its thread's traceback above) must not pass for a generated table.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cases_case")
        if cursor.fetchone()[0] < hi - lo:
            raise SystemExit("the generator's INSERT failed (above)")
    print(f"  inserted ({time.perf_counter() - started:.0f} s)", flush=True)
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for statement in ddl:
            at = time.perf_counter()
            cursor.execute(statement)
            name = statement.split(" ON ", 1)[0].rsplit(" ", 1)[-1]
            print(f"    {name} ({time.perf_counter() - at:.0f} s)", flush=True)
        cursor.execute("RESET maintenance_work_mem")
        print(f"  indexes rebuilt ({time.perf_counter() - started:.0f} s)", flush=True)
        cursor.execute("ANALYZE cases_case")
    if not first_reports:
        print("  未诉先办 answers not stored (first_reports=False)", flush=True)
        return time.perf_counter() - started
    # The stored 未诉先办 answers (proactive.first) of the generated cases: the dashboard's
    # 主动治理 tile reads them.
    from civicgrid.proactive import first

    rows = first.rebuild()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE proactive_firstreport")
    print(
        f"  未诉先办 stored for {rows:,} cases ({time.perf_counter() - started:.0f} s)", flush=True
    )
    return time.perf_counter() - started


# --- DuckDB side ---------------------------------------------------------------------------------

EXPORT = """COPY (
    SELECT id, extract(epoch FROM reported_at)::bigint, extract(epoch FROM filed_at)::bigint,
        extract(epoch FROM handled_at)::bigint, extract(epoch FROM closed_at)::bigint,
        extract(epoch FROM handling_deadline)::bigint, extract(epoch FROM filing_deadline)::bigint,
        extract(epoch FROM verification_deadline)::bigint, status, COALESCE(micro_grid_id, 0),
        category_id, COALESCE(assigned_department_id, 0), source, rework_count, extension_count,
        rating, is_suspended
    FROM cases_case) TO STDOUT (FORMAT csv)"""
COLUMNS = {
    "id": "BIGINT",
    "reported_at": "BIGINT",
    "filed_at": "BIGINT",
    "handled_at": "BIGINT",
    "closed_at": "BIGINT",
    "handling_deadline": "BIGINT",
    "filing_deadline": "BIGINT",
    "verification_deadline": "BIGINT",
    "status": "VARCHAR",
    "micro_grid": "BIGINT",
    "category": "BIGINT",
    "department": "BIGINT",
    "source": "VARCHAR",
    "rework_count": "INTEGER",
    "extension_count": "INTEGER",
    "rating": "VARCHAR",
    "is_suspended": "BOOLEAN",
}


def export_parquet(database_url: str, workdir: Path) -> tuple[Path, float]:
    import duckdb
    import psycopg

    started = time.perf_counter()
    csv_path = workdir / "cases.csv"
    parquet = workdir / "cases.parquet"
    with psycopg.connect(database_url) as conn, conn.cursor() as cur, open(csv_path, "wb") as out:
        with cur.copy(EXPORT) as copy:
            for block in copy:
                out.write(block)
    con = duckdb.connect()
    columns = ", ".join(f"'{k}': '{v}'" for k, v in COLUMNS.items())
    con.execute(
        f"COPY (SELECT * FROM read_csv('{csv_path}', header=false, columns={{{columns}}})) "
        f"TO '{parquet}' (FORMAT parquet)"
    )
    con.close()
    csv_path.unlink()
    return parquet, time.perf_counter() - started


def duck_figures(con, parquet, grids, first, last, today, now, m_first, this_month):
    """The same figures as dashboard.figures.dashboard for the whole street, scanning Parquet."""
    e = int(now.timestamp())
    # Asia/Shanghai is UTC+8 all year (no DST since 1991): the local day in plain arithmetic.
    day = "(DATE '1970-01-01' + CAST(floor(({c} + 28800) / 86400) AS INTEGER))"
    rday, fday = day.format(c="reported_at"), day.format(c="filed_at")
    in_cohort = "filed_at IS NOT NULL AND status NOT IN ('merged', 'not_filed')"
    on_time = "(handling_deadline IS NULL OR handled_at <= handling_deadline)"
    is_closed = "(status = 'closed' AND closed_at IS NOT NULL)"
    counters = f"""
        count(*) AS filed,
        count(*) FILTER (handled_at IS NOT NULL) AS handled,
        count(*) FILTER (handled_at IS NOT NULL AND {on_time}) AS handled_on_time,
        count(*) FILTER (handled_at IS NOT NULL AND {is_closed}) AS closed,
        count(*) FILTER (handled_at IS NOT NULL AND {is_closed} AND {on_time}) AS closed_on_time,
        count(*) FILTER (handled_at IS NOT NULL AND rework_count > 0) AS reworked,
        count(*) FILTER (extension_count > 0) AS extended,
        count(*) FILTER (rating <> '') AS rated,
        count(*) FILTER (rating IN ('satisfied', 'basically')) AS satisfied,
        count(*) FILTER (handled_at IS NULL AND handling_deadline < {e}) AS pending,
        count(*) FILTER (handled_at IS NULL AND handling_deadline < {e} AND rework_count > 0)
            AS pending_reworked,
        count(*) FILTER (handled_at IS NULL AND handling_deadline < {e} AND {is_closed})
            AS pending_closed"""
    src = f"read_parquet('{parquet}')"
    lo, hi = min(first, m_first, this_month), max(last, today)
    q = {}
    q["intake"] = con.execute(
        f"SELECT {rday} AS d, source, count(*) FROM {src} WHERE {rday} BETWEEN ? AND ? GROUP BY 1, 2",
        [lo, hi],
    ).fetchall()
    q["cohort_month"] = con.execute(
        f"SELECT date_trunc('month', {fday}) AS m, count(*) FROM {src} "
        f"WHERE {in_cohort} AND {fday} BETWEEN ? AND ? GROUP BY 1",
        [m_first, last],
    ).fetchall()

    def cohort(group):
        cols = f"{group}, " if group else ""
        return con.execute(
            f"SELECT {cols}{counters} FROM {src} WHERE {in_cohort} AND {fday} BETWEEN ? AND ?"
            + (f" GROUP BY {group}" if group else ""),
            [first, last],
        ).fetchall()

    q["street"] = cohort(None)
    q["dept"] = cohort("department")
    q["mg"] = cohort("micro_grid")
    q["cat_intake"] = con.execute(
        f"SELECT category, count(*) AS n FROM {src} WHERE {rday} BETWEEN ? AND ? "
        "GROUP BY 1 ORDER BY n DESC, category",
        [first, last],
    ).fetchall()
    q["mg_intake"] = con.execute(
        f"SELECT micro_grid, count(*) FROM {src} WHERE {rday} BETWEEN ? AND ? GROUP BY 1",
        [first, last],
    ).fetchall()
    q["recurring"] = con.execute(
        f"SELECT micro_grid, category, count(*) AS n FROM {src} "
        f"WHERE {rday} BETWEEN ? AND ? AND micro_grid <> 0 GROUP BY 1, 2 "
        "ORDER BY n DESC, micro_grid, category LIMIT 5",
        [first, last],
    ).fetchall()
    running = """CASE WHEN is_suspended THEN NULL
        WHEN status IN ('reported', 'filed') THEN filing_deadline
        WHEN status IN ('dispatched', 'accepted') THEN handling_deadline
        WHEN status = 'handled' THEN verification_deadline END"""
    q["open"] = con.execute(
        f"SELECT micro_grid, department, count(*), count(*) FILTER ({running} < {e}) FROM {src} "
        "WHERE status IN ('reported','filed','dispatched','accepted','returned','handled') "
        "GROUP BY 1, 2"
    ).fetchall()
    return q


COHORT = (
    "filed",
    "handled",
    "handled_on_time",
    "closed",
    "closed_on_time",
    "reworked",
    "extended",
    "rated",
    "satisfied",
    "pending",
    "pending_reworked",
    "pending_closed",
)


def duck_comparable(q, grids, first, last, today, this_month, m_first):
    from civicgrid.dashboard.figures import MONTHS, TOP_CATEGORIES, indicator_row, month_start

    def split(row):
        c = dict(zip(COHORT, row, strict=True))
        return c, {k: c[k] for k in ("pending", "pending_reworked", "pending_closed")}

    intake = q["intake"]
    by_day = {}
    sources = {}
    for d, s, n in intake:
        if first <= d <= last:
            by_day[d] = by_day.get(d, 0) + n
            sources[s] = sources.get(s, 0) + n
    months = [month_start(last, b) for b in range(MONTHS - 1, -1, -1)]
    by_month = {}
    for d, _, n in intake:
        if m_first <= d <= last:
            key = (d.year, d.month)
            by_month[key] = by_month.get(key, 0) + n
    street = indicator_row(*split(q["street"][0]))
    open_total = sum(r[2] for r in q["open"])
    overdue_total = sum(r[3] for r in q["open"])
    depts = {}
    for row in q["dept"]:
        ind = indicator_row(*split(row[1:]))
        depts[row[0] or None] = (ind["filed"], ind["due"], ind["closed_on_time"], ind["overdue"])
    parent = dict(grids)
    comm = {}
    for row in q["mg"]:
        c, p = split(row[1:])
        acc = comm.setdefault(parent.get(row[0]), {})
        for k, v in {**c}.items():
            acc[k] = acc.get(k, 0) + v
    comm_rows = {}
    for k, acc in comm.items():
        ind = indicator_row(acc, acc)
        comm_rows[k] = (ind["filed"], ind["due"], ind["closed_on_time"])
    mg_intake = {}
    for mg, n in q["mg_intake"]:
        mg_intake[parent.get(mg)] = mg_intake.get(parent.get(mg), 0) + n
    opens = {}
    for mg, _, o, od in q["open"]:
        a = opens.setdefault(parent.get(mg), [0, 0])
        a[0] += o
        a[1] += od
    return {
        "today_reported": sum(n for d, _, n in intake if d == today),
        "month_reported": sum(n for d, _, n in intake if this_month <= d <= today),
        "open": open_total,
        "overdue": overdue_total,
        "filed": street["filed"],
        "on_time_closure_rate": street["on_time_closure_rate"],
        "satisfaction_rate": street["satisfaction_rate"],
        "trend_day": [by_day.get(d, 0) for d in _days(first, last)],
        "trend_month": [by_month.get((m.year, m.month), 0) for m in months],
        "trend_month_filed": sorted(n for _, n in q["cohort_month"]),
        "sources": {s: n for s, n in sources.items() if n},
        "categories": [(c, n) for c, n in q["cat_intake"][:TOP_CATEGORIES]],
        "departments": depts,
        "communities": comm_rows,
        "community_intake": {k: v for k, v in mg_intake.items() if v},
        "community_open": {k: tuple(v) for k, v in opens.items()},
        "recurring": [tuple(r) for r in q["recurring"]],
    }


def _days(first, last):
    d = first
    while d <= last:
        yield d
        d += datetime.timedelta(days=1)


def ours_comparable(fig):
    k = fig["kpi"]
    return {
        "today_reported": k["today_reported"],
        "month_reported": k["month_reported"],
        "open": k["open"],
        "overdue": k["overdue"],
        "filed": k["filed"],
        "on_time_closure_rate": k["on_time_closure_rate"],
        "satisfaction_rate": k["satisfaction_rate"],
        "trend_day": fig["trend_day"]["reported"],
        "trend_month": fig["trend_month"]["reported"],
        "trend_month_filed": sorted(n for n in fig["trend_month"]["filed"] if n),
        "sources": {s["key"]: s["n"] for s in fig["sources"]},
        "categories": [(c["id"], c["n"]) for c in fig["categories"] if c["id"] is not None],
        "departments": {
            d["key"]: (d["filed"], d["due"], d["closed_on_time"], d["overdue"])
            for d in fig["departments"]
        },
        "communities": {
            c["key"]: (c["filed"], c["due"], c["closed_on_time"])
            for c in fig["children"]
            if c["filed"]
        },
        "community_intake": {c["key"]: c["reported"] for c in fig["children"] if c["reported"]},
        "community_open": {
            c["key"]: (c["open"], c["overdue_now"])
            for c in fig["children"]
            if c["open"] or c["overdue_now"]
        },
        "recurring": [(r["grid_id"], r["category_id"], r["n"]) for r in fig["recurring"]],
    }


def best_of(fn, repeat):
    times, result = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t)
    return min(times), statistics.median(times), result


def measure(args, now, label, workdir) -> tuple[float, float]:
    import duckdb
    from django.contrib.auth.models import AnonymousUser  # noqa: F401
    from django.db import connection
    from django.utils import timezone

    from civicgrid.accounts.choices import Role
    from civicgrid.accounts.models import User
    from civicgrid.cases.models import Case
    from civicgrid.dashboard import figures, rollups
    from civicgrid.grids.choices import GridLevel
    from civicgrid.grids.models import Grid

    n = Case.objects.count()
    t = time.perf_counter()
    counts = rollups.rebuild(verbose=lambda text: print(text, flush=True))
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE dashboard_rollup")
    print(
        f"[{label}] {n:,} cases; rollups rebuilt in {time.perf_counter() - t:.1f} s: "
        f"{sum(counts.values()):,} rows ({', '.join(f'{g}={c:,}' for g, c in counts.items())})",
        flush=True,
    )
    parquet, took = export_parquet(args.database_url, workdir)
    print(
        f"[{label}] exported to Parquet in {took:.1f} s ({parquet.stat().st_size / 1e6:.0f} MB)",
        flush=True,
    )

    leader, _ = User.objects.get_or_create(username="bench-leader", defaults={"role": Role.LEADER})
    today = timezone.localdate(now)
    first, last = today - datetime.timedelta(days=args.period_days - 1), today
    this_month = figures.month_start(today)
    m_first = figures.month_start(last, figures.MONTHS - 1)

    def ours():
        scope = figures.resolve_scope(leader, None)
        return figures.dashboard(scope, first, last, now=now)

    grids = list(Grid.objects.filter(level=GridLevel.MICRO_GRID).values_list("pk", "parent_id"))
    con = duckdb.connect()
    con.execute("SET threads = 2")

    def duck():
        q = duck_figures(con, parquet, grids, first, last, today, now, m_first, this_month)
        return duck_comparable(q, grids, first, last, today, this_month, m_first)

    ours()  # warm caches (both sides run once before timing)
    duck()
    o_best, o_med, fig = best_of(ours, args.repeat)
    d_best, d_med, dres = best_of(duck, args.repeat)
    mine = ours_comparable(fig)
    diffs = [k for k in mine if mine[k] != dres[k]]
    if diffs:
        for k in diffs:
            print(f"  MISMATCH {k}: ours={mine[k]!r}\n           duckdb={dres[k]!r}")
        raise SystemExit(f"[{label}] the dashboard and DuckDB disagree on {', '.join(diffs)}")
    print(
        f"[{label}] same numbers ({len(mine)} figures: month intake {mine['month_reported']:,}, "
        f"open {mine['open']:,}, overdue {mine['overdue']:,}, 按期结案率 "
        f"{mine['on_time_closure_rate']} %, 满意率 {mine['satisfaction_rate']} %)",
        flush=True,
    )
    print(
        f"[{label}] dashboard from rollups: best {o_best * 1000:.1f} ms (median {o_med * 1000:.1f});"
        f" DuckDB scanning Parquet: best {d_best * 1000:.1f} ms (median {d_med * 1000:.1f})",
        flush=True,
    )
    con.close()
    parquet.unlink()
    return o_best, d_best


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--cases", type=int, default=10_000_000)
    parser.add_argument("--checkpoint", type=int, default=1_000_000)
    parser.add_argument("--per-day", type=int, default=5500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--period-days", type=int, default=30)
    args = parser.parse_args()
    started = time.perf_counter()
    ensure_database(args.database_url)
    prepare(args)
    from django.db import connection
    from django.utils import timezone

    now = timezone.now().replace(microsecond=0)
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE cases_case, cases_caseevent, dashboard_rollup RESTART IDENTITY CASCADE"
        )
    steps = [args.checkpoint] if 0 < args.checkpoint < args.cases else []
    steps.append(args.cases)
    results = {}
    done = 0
    with tempfile.TemporaryDirectory(prefix="bench-dashboard-") as tmp:
        for target in steps:
            took = generate(done, target, args, now)
            print(
                f"generated {target - done:,} cases in {took:.0f} s (total {target:,})", flush=True
            )
            done = target
            label = f"{target / 1e6:g}M" if target >= 1_000_000 else f"{target:,}"
            results[label] = measure(args, now, label, Path(tmp))
    print()
    for label, (o, d) in results.items():
        print(f"{label:>6} cases: ours {o * 1000:8.1f} ms   duckdb scan {d * 1000:8.1f} ms")
    print(f"total run {time.perf_counter() - started:.0f} s")
    o, d = results[list(results)[-1]]
    print(f"dashboard_ratio_vs_duckdb_scan={o / d:.3f}")


if __name__ == "__main__":
    main()
