"""Benchmark: a page of 50 cases through the app against the same page built by hand (one SQL
query + json.dumps), for each list kind, on the first page and a deep one.

    make bench-lists                                   # 1,000,000 cases
    .venv/bin/python bench/lists.py --cases 100000     # a quick run
    .venv/bin/python bench/lists.py --cases 10000000   # the street's five years

Set-up as bench/dashboard.py (whose generator it reuses): the database (default
civicgrid_bench_lists on the local PostgreSQL) is created if missing, migrated, the demo street
loaded once, then the cases are emptied and generated set-based in SQL (`--per-day` a day going
back from today; the table's secondary indexes dropped meanwhile and built again from their own
definitions, then VACUUM ANALYZE as autovacuum would leave it). The stored 未诉先办 answers
(proactive.first) are left out: no list reads them, and computing them walks every case in
Python. Lists timed, each through the whole request (django.test.Client: middleware,
session, scoping, filters, serialization, JSON):

- api: `GET /api/cases/?cursor=` as an operator (the whole street, newest first); deep: the
  cursor of the row at `--deep` (default 90 % down the list);
- api_department: the same as a department handler (their department's cases and 协办);
- console_queue: the 城运中心 queue, tab 全部 sorted newest first (`?tab=all&sort=-created`),
  page 1 and the page by cursor after the row at `--deep` (numbered pages are the first ten;
  then 下一页 carries a cursor; 30 rows a page); its tab counts cached until a case changes
  (console.queries; `--uncached-counts` also times them made on every request, apart);
- console_queue 期限: the same queue in its default order, the running deadline (tab 全部:
  the open cases by urgency, then every case without a clock), page 1 and by cursor at `--deep`;
- console_queue 类别: the same queue by category (family and code, then newest first), page 1
  and by cursor at `--deep`;
- console_inbox: the department inbox (its default tab, in the running deadline's order), page 1.

Two yardsticks for each, both one SQL query (the list's columns and joins, the kind's
condition, ORDER BY reported_at DESC, id DESC LIMIT 50, a keyset condition for the deep page) and
json.dumps of the rows as dicts:

- the in-process query (the old yardstick, still printed): the statement run on the benchmark's
  connection, no request at all. Against it the app's page is charged for the framework every
  page pays (the client, the middleware, loading the session and the user): that is not "the
  same page", and on a loaded machine each of those round trips also queues for the database.
- the hand-built page (the ratio that counts): `GET /bench/list/` (civicgrid.bench_urls,
  CIVICGRID_URLCONF set here), timed exactly like the app's page through the same test client:
  every middleware, the same session authentication, the user's scope condition as
  cases.permissions.scope_cases has it (the street for the operator; for the department handler
  its department, its 协办 and its own reports — the department lists' page adds the department
  condition), then the one query and json.dumps into an HttpResponse. The difference is what the
  app's own code costs: ORM, filters, counts, serializers, rows, templates.

The shared cache (tab counts, filter options, badges, the calendar revision) is Redis, as a city
deployment has it (REDIS_URL): `--redis-url` (default redis://127.0.0.1:6379/14, a database of
its own, flushed at the start) when it answers a PING, else, or with `--no-redis`, the database
cache table; the run prints which.

Best of `--repeat` each. Prints both ratios per kind; then `list_ratio_vs_inprocess_query=<worst>`
and, last, `list_ratio_vs_handbuilt=<worst>` against the hand-built page (goal ≤ 3).
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")
# The production URLs plus /bench/list/, the hand-built page served by the same stack.
os.environ["CIVICGRID_URLCONF"] = "civicgrid.bench_urls"

import dashboard  # noqa: E402 — the generator of 10M cases in SQL

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/civicgrid_bench_lists"
DEFAULT_REDIS = "redis://127.0.0.1:6379/14"
PAGE = 50


def handbuilt(where: str, params: list):
    from django.db import connection

    # The same statement the hand-built page serves (GET /bench/list/).
    from civicgrid.bench_urls import LIST_KEYS, LIST_SQL

    def run():
        with connection.cursor() as cursor:
            cursor.execute(LIST_SQL.format(where=where), params)
            rows = [dict(zip(LIST_KEYS, row, strict=True)) for row in cursor.fetchall()]
        return json.dumps({"results": rows}, default=str).encode()

    return run


def best_of(fn, repeat: int) -> float:
    fn()  # warm: plans, caches, the first connection
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def users():
    from civicgrid.accounts.choices import Role
    from civicgrid.accounts.models import Department, User

    department = Department.objects.order_by("code").first()
    operator, _ = User.objects.get_or_create(
        username="bench-lists-operator", defaults={"role": Role.OPERATOR}
    )
    handler, _ = User.objects.get_or_create(
        username="bench-lists-handler",
        defaults={"role": Role.DEPT_HANDLER, "department": department},
    )
    return operator, handler, department


def client_for(user):
    from django.test import Client

    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    return client


def page_getter(client, url):
    def run():
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return response.content

    return run


def deep_row(where: str, params: list, depth: int):
    """(reported_at, id) of the row `depth` down the kind's list, and its cursor."""
    from django.db import connection

    from civicgrid.cases.api.pagination import encode_cursor

    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT reported_at, id FROM cases_case c WHERE {where}"
            " ORDER BY reported_at DESC, id DESC OFFSET %s LIMIT 1",
            [*params, depth],
        )
        at, pk = cursor.fetchone()
    return at, pk, encode_cursor(SimpleNamespace(reported_at=at, pk=pk))


def handbuilt_page(client, where_kind: str, keyset=None):
    """The hand-built page through the same stack (civicgrid.bench_urls.handbuilt_list): the same
    middleware, session and user as the app's page, the user's scope, one SQL query, json.dumps.
    `where_kind` "own" adds the department condition; `keyset` (reported_at, id) starts after it."""
    from urllib.parse import urlencode

    query = {}
    if where_kind == "own":
        query["own"] = "1"
    if keyset is not None:
        query["at"], query["id"] = keyset[0].isoformat(), keyset[1]
    return page_getter(client, f"/bench/list/?{urlencode(query)}")


def measure(args) -> dict:
    operator, handler, department = users()
    street = client_for(operator)
    desk = client_for(handler)
    dept_where = "c.assigned_department_id = %s"
    results = {}

    def pair(label, ours, where, params, page):
        o = best_of(ours, args.repeat)
        h = best_of(handbuilt(where, params), args.repeat)
        p = best_of(page, args.repeat)
        results[label] = (o, h, p)
        print(
            f"{label:<30} ours {o * 1000:7.2f} ms | in-process query {h * 1000:6.2f} ms"
            f" ×{o / h:6.2f} | hand-built page {p * 1000:6.2f} ms ×{o / p:5.2f}",
            flush=True,
        )

    total = dashboard_count("TRUE", [])
    depth = min(args.deep or int(total * 0.9), total - 1)
    at, pk, cursor = deep_row("TRUE", [], depth)
    keyset = "(c.reported_at, c.id) < (%s, %s)"
    pair(
        "api page 1",
        page_getter(street, "/api/cases/?cursor="),
        "TRUE",
        [],
        handbuilt_page(street, "scope"),
    )
    pair(
        f"api depth {depth:,}",
        page_getter(street, f"/api/cases/?cursor={cursor}"),
        keyset,
        [at, pk],
        handbuilt_page(street, "scope", (at, pk)),
    )
    in_dept = dashboard_count(dept_where, [department.pk])
    d_depth = min(args.deep or int(in_dept * 0.9), in_dept - 1)
    d_at, d_pk, d_cursor = deep_row(dept_where, [department.pk], d_depth)
    pair(
        "api_department page 1",
        page_getter(desk, "/api/cases/?cursor="),
        dept_where,
        [department.pk],
        handbuilt_page(desk, "scope"),
    )
    pair(
        f"api_department depth {d_depth:,}",
        page_getter(desk, f"/api/cases/?cursor={d_cursor}"),
        f"{dept_where} AND {keyset}",
        [department.pk, d_at, d_pk],
        handbuilt_page(desk, "scope", (d_at, d_pk)),
    )
    queue = "/console/?tab=all&sort=-created"
    pair(
        "console_queue page 1",
        page_getter(street, queue),
        "TRUE",
        [],
        handbuilt_page(street, "scope"),
    )
    if not args.skip_console_deep:
        # Beyond its first numbered pages the console pages by cursor (console.queries): the
        # page after the row `depth` down, as its 下一页 link reads it.
        from civicgrid.console import queries

        token = queries.encode_cursor(
            "-created", SimpleNamespace(reported_at=at, pk=pk), forward=True
        )
        pair(
            f"console_queue depth {depth:,}",
            page_getter(street, f"{queue}&cursor={token}"),
            keyset,
            [at, pk],
            handbuilt_page(street, "scope", (at, pk)),
        )
    # The queue's own orders over 全部, first and deep by cursor: 期限 (the running deadline,
    # NULL — no clock running — last) and 类别 (the category's family and code, then newest
    # first: read category by category, console.queries._category_ids). The yardstick stays
    # the hand-built page in report order (as for the inbox), so the ratio holds what the
    # order costs too.
    from civicgrid.console import queries

    def deep_deadline(ordered):
        return SimpleNamespace(**ordered.values("pk", "running_deadline")[depth])

    def deep_category(ordered):
        row = ordered.values("category__family", "category__code", "reported_at", "pk")[depth]
        category = SimpleNamespace(family=row["category__family"], code=row["category__code"])
        return SimpleNamespace(category=category, reported_at=row["reported_at"], pk=row["pk"])

    for label, sort, deep_row_of in (
        ("期限", "deadline", deep_deadline),
        ("类别", "category", deep_category),
    ):
        url = f"/console/?tab=all&sort={sort}"
        pair(
            f"console_queue {label} page 1",
            page_getter(street, url),
            "TRUE",
            [],
            handbuilt_page(street, "scope"),
        )
        if not args.skip_console_deep:
            ordered, _key = queries.sorted_cases(queries.list_queryset(operator), sort)
            token = queries.encode_cursor(sort, deep_row_of(ordered), forward=True)
            pair(
                f"console_queue {label} depth {depth:,}",
                page_getter(street, f"{url}&cursor={token}"),
                keyset,
                [at, pk],
                handbuilt_page(street, "scope", (at, pk)),
            )
    pair(
        "console_inbox page 1",
        page_getter(desk, "/console/inbox/"),
        dept_where,
        [department.pk],
        handbuilt_page(desk, "own"),
    )
    if args.uncached_counts:
        # The HTML pages' tab counts are cached until a case changes (console.queries): the
        # same pages with the counts made on every request, for the record (not in the ratio).
        from civicgrid.console import queries

        cached = queries.cached_counts
        queries.cached_counts = lambda key, compute, reads=None: compute()
        try:
            for label, url, client, kind in (
                ("console_queue page 1", queue, street, "scope"),
                ("console_inbox page 1", "/console/inbox/", desk, "own"),
            ):
                o = best_of(page_getter(client, url), args.repeat)
                p = best_of(handbuilt_page(client, kind), args.repeat)
                print(
                    f"{label + ' (counts uncached)':<30} ours {o * 1000:7.2f} ms"
                    f" | hand-built page {p * 1000:6.2f} ms ×{o / p:5.2f}  (not in the ratio)"
                )
        finally:
            queries.cached_counts = cached
    return results


def ensure_model_indexes() -> None:
    """Every index and constraint of cases_case present as the migrations make it (the model's
    state is the migrations': `makemigrations --check`). The generator drops the secondary
    indexes while it loads; a run killed before it built them again (even by the pipe of
    `| head` closing) left them out, and a `--reuse` run would time pages without the indexes
    their orders read. One missing is built now, from the schema editor's own statement, and
    said."""
    from django.db import connection

    from civicgrid.cases.models import Case

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'cases_case'")
        present = {name for (name,) in cursor.fetchall()}
        cursor.execute("SET maintenance_work_mem = '1GB'")
    built = 0
    with connection.schema_editor(collect_sql=True) as editor:
        # The field indexes (db_index, foreign keys, the _like ones) and Meta.indexes, as
        # create_model writes them.
        statements = {
            str(s.parts["name"]).strip('"'): str(s) for s in editor._model_indexes_sql(Case)
        }
    for name, statement in statements.items():
        if name not in present:
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(statement)
            built += 1
            print(f"  index {name} was missing: built ({time.perf_counter() - started:.0f} s)")
    for constraint in Case._meta.constraints:
        if constraint.name not in present:
            with connection.schema_editor() as editor:
                editor.add_constraint(Case, constraint)
            built += 1
            print(f"  constraint {constraint.name} was missing: built")
    if built:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE cases_case")


def dashboard_count(where, params) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM cases_case c WHERE {where}", params)
        return cursor.fetchone()[0]


DEFAULTS = {
    "text": "''",
    "character varying": "''",
    "boolean": "false",
    "integer": "0",
    "smallint": "0",
    "bigint": "0",
    "jsonb": "'[]'",
}


def default_new_columns():
    """Columns added to cases since bench/dashboard.py's INSERT was written, NOT NULL and without
    a database default, get one in this database only (their empty value), so the generator's
    rows insert; Django sets them in Python, the generator's SQL does not name them."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            """SELECT column_name, data_type FROM information_schema.columns
               WHERE table_name = 'cases_case' AND is_nullable = 'NO'
                 AND column_default IS NULL"""
        )
        for name, kind in cursor.fetchall():
            if name not in dashboard.GENERATE and kind in DEFAULTS:
                cursor.execute(
                    f'ALTER TABLE cases_case ALTER COLUMN "{name}" SET DEFAULT {DEFAULTS[kind]}'
                )


def choose_cache(args) -> str:
    """REDIS_URL for the settings when Redis answers (before django.setup()), else the database
    cache; says which."""
    if not args.no_redis:
        try:
            import redis

            redis.Redis.from_url(args.redis_url, socket_connect_timeout=1).ping()
        except Exception as error:  # any failure: the database cache, said so below
            print(f"Redis at {args.redis_url} does not answer ({error})", flush=True)
        else:
            os.environ["REDIS_URL"] = args.redis_url
            return f"Redis {args.redis_url}"
    os.environ.pop("REDIS_URL", None)
    return "the database cache table"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_DB))
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--per-day", type=int, default=5500)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--deep", type=int, default=0, help="rows down (default 90 %%)")
    parser.add_argument("--skip-console-deep", action="store_true")
    parser.add_argument(
        "--uncached-counts",
        action="store_true",
        help="also time the console pages with their tab counts made on every request",
    )
    parser.add_argument("--reuse", action="store_true", help="keep the cases already generated")
    parser.add_argument(
        "--redis-url", default=DEFAULT_REDIS, help="the shared cache (a database of its own)"
    )
    parser.add_argument("--no-redis", action="store_true", help="the database cache table")
    args = parser.parse_args()
    started = time.perf_counter()
    cache_used = choose_cache(args)
    dashboard.ensure_database(args.database_url)
    os.environ["DATABASE_URL"] = args.database_url
    import django
    from django.db.models.signals import post_migrate

    django.setup()
    # No list reads the stored 未诉先办 answers (proactive.first): the generator leaves them out
    # (a pass over every case in Python), and the migrate of a rerun must not
    # fill the empty table either.
    post_migrate.disconnect(
        dispatch_uid="proactive.first", sender=django.apps.apps.get_app_config("proactive")
    )
    dashboard.prepare(args)
    from django.conf import settings
    from django.core.cache import cache

    # A run starts with nothing cached (its own Redis database, or the bench database's table).
    cache.clear()
    print(f"shared cache: {cache_used}", flush=True)
    from django.db import connection
    from django.utils import timezone

    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    if not (args.reuse and dashboard_count("TRUE", []) == args.cases):
        with connection.cursor() as cursor:
            cursor.execute(
                "TRUNCATE cases_case, cases_caseevent, dashboard_rollup RESTART IDENTITY CASCADE"
            )
        default_new_columns()
        now = timezone.now().replace(microsecond=0)
        took = dashboard.generate(0, args.cases, args, now, first_reports=False)
        # As autovacuum leaves a table in service (it is off on this server): the visibility
        # map for index-only scans and the rows' hint bits, not set by the first page timed.
        at = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) cases_case")
        took += time.perf_counter() - at
        print(
            f"generated {args.cases:,} cases in {took:.0f} s (vacuum {time.perf_counter() - at:.0f} s)",
            flush=True,
        )
    ensure_model_indexes()
    # This process serves the pages as a web process would (civicgrid.wsgi runs the same): ready
    # before the first request, start-up's objects out of the garbage collector's walk.
    from civicgrid.core.warmup import warm_process

    warm_process()
    print(f"{args.cases:,} cases, best of {args.repeat}, page of {PAGE}", flush=True)
    results = measure(args)
    in_process = max(o / h for o, h, _p in results.values())
    worst = max(o / p for o, _h, p in results.values())
    print(f"total run {time.perf_counter() - started:.0f} s")
    print(f"list_ratio_vs_inprocess_query={in_process:.2f}")
    print(f"list_ratio_vs_handbuilt={worst:.2f}")


if __name__ == "__main__":
    main()
