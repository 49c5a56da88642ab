"""Benchmark: a city's day on the two-node cluster — every page's p99 against the hello page's p99
measured in the same run (issue 12 §4, goal: every page under 10× hello).

    make bench-city                                     # 1,000,000 cases (10M: the issue's scale)
    .venv/bin/python bench/city.py --cases 100000       # a quick run
    .venv/bin/python bench/city.py --cases 10000000 --seconds 300

The cluster is scripts/cluster/run.py's (imported, not copied): nginx in front of two app nodes
(gunicorn gthread on PostgreSQL, Redis cache and rate limits, RQ on Redis with two workers,
moto's S3 server, the SMS sink), `manage.py run_periodic` beside each node. The nodes serve
civicgrid.bench_urls (the production URLs plus GET /bench/hello, the same stack doing no work).

The database (`--database`, default civicgrid_bench_city on 127.0.0.1:5432) is a copy of the
cluster's template database (migrated, the demo street's grids), KEPT between runs: its cases are
generated once by bench/dashboard.py's SQL generator (the one bench/lists.py uses; `--per-day`
cases a day going back from today, so 1M ≈ 6 months, 10M ≈ 5 years) and the dashboard's rollups
rebuilt; a later run with the same `--cases` reuses them (`--regenerate` forces a new set).

Then, through nginx, for `--seconds` after `--warmup` seconds not counted:

* intake at `--intake-rate` cases a second (default 3: 10× Shanghai's average of the 12345
  line and the grids together), open loop — the next POST /api/cases/ leaves on time whatever
  the previous answer is doing;
* `--staff` (default 50) staff browsing, each a closed loop with a think time (uniform around
  `--think` seconds): half of them the 城运中心's operators (the console queue 全部 newest first,
  a case page in the console, the API list, a case in the API), half department handlers
  (their console inbox, their cases in the console and the API);
* `--leaders` (default 5) leaders on the dashboard (the page and its data.json);
* the deadline scan and the outbox sweep as run_periodic runs them on both nodes (once a
  minute, once per period whatever the number of nodes) over every generated case;
* the hello page (GET /bench/hello with a token) a few times a second.

Prints, per page type, the answers, errors, p50 and p99 (milliseconds; every answer counts, a
failed one with the time it took — nginx answers 502 at once while both nodes are marked down
after a read timeout), the dashboard's answers by how their figures were made (the Server-Timing
header: fresh, stale while a task refreshes them, computed by the request, waited for), the
deadline scan's runs, and as its last line `city_p99_ratio_vs_hello=<slowest page p99 / hello
p99>`. Bounded
(`--deadline` from the cluster's start), and everything it starts is stopped on exit (the kept
database stays; Redis database `--redis-db` is flushed).
"""

import argparse
import os
import random
import signal
import sys
import threading
import time
import traceback
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "scripts" / "cluster"))

import dashboard  # noqa: E402 — the SQL generator of the cases (bench/lists.py uses it too)
import run as cluster  # noqa: E402 — scripts/cluster/run.py: services, nodes, nginx, clean-up

DEFAULT_DB = "civicgrid_bench_city"
HELLO = "hello"


class CityCluster(cluster.Cluster):
    """The cluster test's cluster on a kept database, serving /bench/hello, no intake limit."""

    def __init__(self, args):
        super().__init__(args)
        self.db = args.database
        self.db_url = f"{cluster.PG_SERVER}/{self.db}"
        self._env = None
        # Never dropped on exit (Cluster.stop drops only a database it created for the run).
        self.db_created = False

    def env(self) -> dict:
        # One environment for every process (Cluster.env draws a new SECRET_KEY on each call;
        # the sessions made here must be valid on the nodes).
        if self._env is None:
            self._env = {
                **super().env(),
                "CIVICGRID_URLCONF": "civicgrid.bench_urls",
                # A city's intake comes from many accounts; here from a few at 3 cases/s.
                "CIVICGRID_INTAKE_LIMIT": "100000000",
            }
        return dict(self._env)

    def prepare_city(self, args) -> dict:
        import psycopg

        admin = f"{cluster.PG_SERVER}/postgres"
        with psycopg.connect(admin, autocommit=True) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [self.db]
            ).fetchone()
        if not exists:
            # The cluster test's template (built once per state of the migrations); a kept
            # database is only migrated forward below.
            template = self.template()
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.db}" TEMPLATE "{template}"')
            cluster.say(f"database {self.db}: a copy of {template}")
        os.environ.update(self.env())
        os.environ["DJANGO_SETTINGS_MODULE"] = "civicgrid.settings"
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", interactive=False, verbosity=0)
        # The generator's tokens are "b" + its row number (an intake's are random).
        generated = count("SELECT count(*) FROM cases_case WHERE public_token ~ '^b[0-9]+$'")
        if generated == args.cases and not args.regenerate:
            cluster.say(f"reusing the {generated:,} generated cases of {self.db}")
        else:
            generate(self.db_url, args)
        return city_accounts(args)


def count(sql, params=()) -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql, list(params))
        return cursor.fetchone()[0]


def generate(database_url, args):
    """The cases by bench/dashboard.py's generator, the rollups, today's number counter."""
    from django.db import connection
    from django.utils import timezone

    from civicgrid.cases.models import CaseNumberCounter
    from civicgrid.dashboard import rollups

    cluster.say(f"generating {args.cases:,} cases ({args.per_day:,} a day back from today)")
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE cases_case, cases_caseevent, dashboard_rollup RESTART IDENTITY CASCADE"
        )
    now = timezone.now().replace(microsecond=0)
    took = dashboard.generate(
        0, args.cases, SimpleNamespace(per_day=args.per_day, database_url=database_url), now
    )
    t = time.monotonic()
    rollups.rebuild()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE cases_case")
        cursor.execute("VACUUM ANALYZE dashboard_rollup")
    # The generator numbers a day's cases 1 … per_day: today's intakes continue after them.
    CaseNumberCounter.objects.update_or_create(
        day=timezone.localdate(now), defaults={"last": args.per_day}
    )
    cluster.say(
        f"generated in {took:.0f} s, rollups rebuilt and analysed in {time.monotonic() - t:.0f} s"
    )


def city_accounts(args) -> dict:
    """The cluster test's accounts and intake data, plus the city's staff and leaders: an API
    token and a console session each, and case numbers each may open."""
    from django.conf import settings
    from django.db import connection, connections
    from django.test import Client as DjangoClient

    from civicgrid.accounts.choices import Role
    from civicgrid.accounts.models import Department, User
    from civicgrid.accounts.tokens import issue_token
    from civicgrid.open311.models import ApiClient

    # make_accounts adds its Open311 client by name: the kept database has last run's.
    ApiClient.objects.filter(name="cluster-test").delete()
    data = cluster.make_accounts()
    departments = list(
        Department.objects.filter(is_active=True).order_by("code").values_list("pk", flat=True)
    )

    def person(username, role, department=None):
        user, _ = User.objects.update_or_create(
            username=username,
            defaults={"role": role, "department_id": department, "first_name": "城市"},
        )
        web = DjangoClient()
        web.force_login(user)
        return {
            "token": issue_token(user, client="bench-city")[1],
            "cookie": f"{settings.SESSION_COOKIE_NAME}={web.cookies[settings.SESSION_COOKIE_NAME].value}",
            "department": department,
        }

    operators = (args.staff + 1) // 2
    staff = [person(f"city-operator-{i}", Role.OPERATOR) for i in range(operators)]
    staff += [
        person(f"city-handler-{i}", Role.DEPT_HANDLER, departments[i % len(departments)])
        for i in range(args.staff - operators)
    ]
    leaders = [person(f"city-leader-{i}", Role.LEADER) for i in range(max(args.leaders, 1))]
    sample = "SELECT number FROM cases_case TABLESAMPLE SYSTEM (%s) {where} LIMIT 2000"
    percent = min(100.0, max(0.05, 200_000 / max(args.cases, 1)))
    with connection.cursor() as cursor:
        cursor.execute(sample.format(where=""), [percent])
        numbers = {None: [row[0] for row in cursor.fetchall()]}
        for pk in {s["department"] for s in staff if s["department"]}:
            cursor.execute(
                sample.format(where="WHERE assigned_department_id = %s"), [percent * 5, pk]
            )
            numbers[pk] = [row[0] for row in cursor.fetchall()]
    open_cases = count(
        "SELECT count(*) FROM cases_case WHERE status IN "
        "('reported', 'filed', 'dispatched', 'accepted', 'returned', 'handled')"
    )
    connections.close_all()
    return {
        **data,
        "staff": staff,
        "leaders": leaders,
        "numbers": numbers,
        "open_cases": open_cases,
    }


# --- the load ---------------------------------------------------------------------------------


class Timings:
    def __init__(self):
        self.lock = threading.Lock()
        self.latency = defaultdict(list)
        self.errors = defaultdict(lambda: defaultdict(int))
        # The dashboard's answers by how their figures were made (the Server-Timing header:
        # fresh, stale, computed, waited) → their times, to tell a computation from a queue.
        self.figures = defaultdict(lambda: defaultdict(list))
        self.counting = False

    def record(self, kind, elapsed, error=None, how=None):
        """Every answer's time counts, failed ones included: a user who waited 60 s for a 504
        waited 60 s (a fast 502 counts too; the errors are shown beside)."""
        if not self.counting:
            return
        with self.lock:
            self.latency[kind].append(elapsed)
            if error is not None:
                self.errors[kind][error] += 1
            if how is not None:
                self.figures[kind][how].append(elapsed)


class City:
    def __init__(self, base, data, args):
        self.base = base
        self.data = data
        self.args = args
        self.timings = Timings()
        self.stop = threading.Event()
        self.threads = []
        self.intakes_sent = 0
        self.intake_late = 0
        self.new_numbers = []
        self.lock = threading.Lock()
        self.load = []

    def get(self, session, kind, path, headers=None):
        import requests

        t = time.perf_counter()
        try:
            resp = session.get(self.base + path, headers=headers, timeout=90)
            resp.content  # noqa: B018 — the whole body, as a browser waits for it
        except requests.RequestException as exc:
            self.timings.record(kind, time.perf_counter() - t, type(exc).__name__)
            return None
        elapsed = time.perf_counter() - t
        if resp.status_code != 200:
            self.timings.record(kind, elapsed, f"HTTP {resp.status_code}")
            return None
        timing = resp.headers.get("Server-Timing", "")
        how = timing.partition("desc=")[2] if timing.startswith("figures;") else None
        self.timings.record(kind, elapsed, how=how or None)
        return resp

    # intake: open loop ------------------------------------------------------------------------

    def intake_loop(self):
        import requests

        token = self.data["accounts"]["operator"]["token"]
        rng = random.Random(31)
        local = threading.local()

        def post(body, key):
            if not hasattr(local, "session"):
                local.session = requests.Session()
                local.session.headers["Authorization"] = f"Token {token}"
            t = time.perf_counter()
            try:
                resp = local.session.post(
                    self.base + "/api/cases/",
                    json=body,
                    headers={"Idempotency-Key": key},
                    timeout=90,
                )
            except requests.RequestException as exc:
                self.timings.record("intake", time.perf_counter() - t, type(exc).__name__)
                return
            elapsed = time.perf_counter() - t
            if resp.status_code not in (200, 201):
                self.timings.record("intake", elapsed, f"HTTP {resp.status_code}")
                return
            self.timings.record("intake", elapsed)
            number = resp.json().get("number")
            if number:
                with self.lock:
                    self.new_numbers.append(number)

        interval = 1.0 / self.args.intake_rate
        with ThreadPoolExecutor(max_workers=16, thread_name_prefix="intake") as pool:
            due = time.monotonic()
            while not self.stop.is_set():
                now = time.monotonic()
                if now < due:
                    self.stop.wait(due - now)
                    continue
                if now - due > interval:
                    self.intake_late += 1
                body = cluster.intake_body(self.data, rng)
                pool.submit(post, body, str(uuid.UUID(int=rng.getrandbits(128))))
                self.intakes_sent += 1
                due += interval

    # staff, leaders, hello: closed loops -------------------------------------------------------

    def think(self, rng, mean):
        self.stop.wait(rng.uniform(0.5 * mean, 1.5 * mean))

    def staff_loop(self, person, seed):
        import requests

        rng = random.Random(seed)
        api = requests.Session()
        api.headers["Authorization"] = f"Token {person['token']}"
        web = requests.Session()
        web.headers["Cookie"] = person["cookie"]
        # A handler opens their department's cases; an operator any of the street's.
        numbers = self.data["numbers"][person["department"]]
        handler = person["department"] is not None
        self.think(rng, self.args.think)  # staggered starts
        while not self.stop.is_set():
            pick = rng.random()
            number = rng.choice(numbers) if numbers else None
            if pick < 0.35:
                if handler:
                    self.get(web, "console_inbox", "/console/inbox/")
                else:
                    self.get(web, "console_queue", "/console/?tab=all&sort=-created")
            elif pick < 0.6 and number:
                self.get(web, "console_case", f"/console/case/{number}/")
            elif pick < 0.8:
                self.get(api, "api_list", "/api/cases/?cursor=")
            elif number:
                self.get(api, "api_case", f"/api/cases/{number}/")
            self.think(rng, self.args.think)

    def leader_loop(self, person, seed):
        import requests

        rng = random.Random(seed)
        web = requests.Session()
        web.headers["Cookie"] = person["cookie"]
        self.think(rng, self.args.leader_think)
        while not self.stop.is_set():
            if rng.random() < 0.5:
                self.get(web, "dashboard", "/dashboard/")
            else:
                self.get(web, "dashboard_data", "/dashboard/data.json?tiles=screen")
            self.think(rng, self.args.leader_think)

    def hello_loop(self, seed):
        import requests

        rng = random.Random(seed)
        session = requests.Session()
        session.headers["Authorization"] = f"Token {self.data['accounts']['leader']['token']}"
        while not self.stop.is_set():
            self.get(session, HELLO, "/bench/hello")
            self.think(rng, 1.0 / self.args.hello_rate)

    def load_loop(self):
        # The machine may be shared (other benchmarks, tests): every p99 here is mostly queueing
        # for its cores, so the report says how loaded it was while the load was counted.
        while not self.stop.wait(5.0):
            if self.timings.counting:
                self.load.append(os.getloadavg()[0])

    def start(self):
        targets = [(self.intake_loop, ()), (self.load_loop, ())]
        targets += [(self.staff_loop, (p, 100 + i)) for i, p in enumerate(self.data["staff"])]
        targets += [
            (self.leader_loop, (p, 500 + i))
            for i, p in enumerate(self.data["leaders"][: self.args.leaders])
        ]
        targets += [(self.hello_loop, (900 + i,)) for i in range(2)]
        for target, args in targets:
            thread = threading.Thread(target=target, args=args, daemon=True)
            thread.start()
            self.threads.append(thread)

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=70)


# --- report ------------------------------------------------------------------------------------

KINDS = [
    HELLO,
    "intake",
    "console_queue",
    "console_inbox",
    "console_case",
    "api_list",
    "api_case",
    "dashboard",
    "dashboard_data",
]


def scan_runs(since) -> list[str]:
    from django.db import connections

    from civicgrid.core.models import PeriodicRun

    rows = PeriodicRun.objects.filter(job="case_deadlines", started_at__gte=since).order_by(
        "started_at"
    )
    out = []
    for run in rows:
        took = (
            f"{(run.finished_at - run.started_at).total_seconds():.1f} s"
            if run.finished_at
            else "unfinished"
        )
        out.append(f"{run.started_at:%H:%M:%S} on {run.node}: {took}, {run.outcome[:80]}")
    connections.close_all()
    return out


def report(city, seconds, data, since) -> float:
    timings = city.timings
    print()
    print(f"{'page':<16} {'answers':>8} {'per s':>6} {'errors':>6} {'p50 ms':>8} {'p99 ms':>8}")
    p50, p99 = {}, {}
    for kind in KINDS:
        lat = timings.latency.get(kind, [])
        errors = sum(timings.errors.get(kind, {}).values())
        if not lat:
            continue
        p50[kind] = cluster.percentile(lat, 50) * 1000
        p99[kind] = cluster.percentile(lat, 99) * 1000
        print(
            f"{kind:<16} {len(lat):>8} {len(lat) / seconds:>6.1f} {errors:>6} "
            f"{p50[kind]:>8.1f} {p99[kind]:>8.1f}"
        )
    for kind, errors in timings.errors.items():
        print(f"  errors of {kind}: {dict(errors)}")
    for kind, ways in timings.figures.items():
        print(
            f"  {kind} figures: "
            + ", ".join(
                f"{how} {len(times)} (max {max(times) * 1000:.0f} ms)"
                for how, times in sorted(ways.items())
            )
        )
    answered = sum(len(v) for v in timings.latency.values())
    failed = sum(sum(e.values()) for e in timings.errors.values())
    if answered and failed / answered > 0.01:
        print(
            f"WARNING: {failed} of {answered} requests failed ({failed / answered:.0%}): p50/p99 "
            "include them with the time they took (see the errors above and the nginx log)"
        )
    print(
        f"intake: {city.intakes_sent} sent at {city.args.intake_rate:g}/s "
        f"({city.intake_late} left late by more than one interval)"
    )
    if city.load:
        print(
            f"load average (1 min) while measured: {min(city.load):.1f}–{max(city.load):.1f}, "
            f"mean {sum(city.load) / len(city.load):.1f} on {os.cpu_count()} cores"
        )
    runs = scan_runs(since)
    print(f"deadline scan over {data['open_cases']:,} open cases: {len(runs)} run(s) in the window")
    for line in runs:
        print(f"  {line}")
    pages = {k: v for k, v in p99.items() if k != HELLO}
    if HELLO not in p99 or not pages:
        raise SystemExit("no hello or page timings: see the errors above")
    slowest = max(pages, key=pages.get)
    ratio = pages[slowest] / p99[HELLO]
    median = {k: v for k, v in p50.items() if k != HELLO}
    typical = max(median, key=median.get)
    print(
        f"slowest p50: {typical} {median[typical]:.1f} ms = {median[typical] / p50[HELLO]:.1f}× "
        f"hello's p50 {p50[HELLO]:.1f} ms"
    )
    print(
        f"slowest p99: {slowest} {pages[slowest]:.1f} ms; hello p99 {p99[HELLO]:.1f} ms "
        "(goal: every page under 10×)"
    )
    return ratio


# --- main ----------------------------------------------------------------------------------------


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--cases", type=int, default=1_000_000, help="generated cases (the issue's scale: 10M)"
    )
    parser.add_argument("--per-day", type=int, default=5500)
    parser.add_argument("--regenerate", action="store_true", help="generate the cases again")
    parser.add_argument("--database", default=DEFAULT_DB, help="kept between runs")
    parser.add_argument("--seconds", type=float, default=90.0, help="measured load")
    parser.add_argument("--warmup", type=float, default=15.0, help="load not counted, first")
    parser.add_argument("--intake-rate", type=float, default=3.0, help="cases a second")
    parser.add_argument("--staff", type=int, default=50)
    parser.add_argument("--think", type=float, default=5.0, help="staff's mean pause, seconds")
    parser.add_argument("--leaders", type=int, default=5)
    parser.add_argument("--leader-think", type=float, default=15.0)
    parser.add_argument("--hello-rate", type=float, default=2.0, help="per hello client (2)")
    parser.add_argument("--gunicorn-workers", type=int, default=2, help="per node")
    parser.add_argument("--redis-db", type=int, default=12, help="flushed at start and end")
    parser.add_argument("--deadline", type=int, default=600, help="from the cluster's start")
    parser.add_argument("--keep", action="store_true", help="keep the logs (printed path)")
    parser.add_argument("--rebuild-template", action="store_true")
    args = parser.parse_args(argv)

    signal.signal(signal.SIGTERM, cluster._interrupt)
    signal.signal(signal.SIGALRM, cluster._deadline)
    started = time.monotonic()
    city_cluster = CityCluster(args)
    ratio = None
    try:
        city_cluster.start_services()
        data = city_cluster.prepare_city(args)
        signal.alarm(args.deadline)
        from django.utils import timezone

        city_cluster.start_nodes()
        city = City(f"http://127.0.0.1:{city_cluster.ports['nginx']}", data, args)
        cluster.say(
            f"load through nginx: intake {args.intake_rate:g}/s, {args.staff} staff "
            f"(think ~{args.think:g} s), {args.leaders} leaders, hello; "
            f"{args.warmup:g} s warm-up, then {args.seconds:g} s measured"
        )
        city.start()
        time.sleep(args.warmup)
        since = timezone.now()
        city.timings.counting = True
        measured = time.monotonic()
        time.sleep(args.seconds)
        city.timings.counting = False
        seconds = time.monotonic() - measured
        city.finish()
        ratio = report(city, seconds, data, since)
    except cluster.Deadline:
        print(f"bench-city: stopped at --deadline ({args.deadline} s)", file=sys.stderr)
    except KeyboardInterrupt:
        print("bench-city: interrupted", file=sys.stderr)
    except SystemExit as exc:
        print(f"bench-city: {exc}", file=sys.stderr)
    except Exception:
        traceback.print_exc()
    finally:
        signal.alarm(0)
        city_cluster.stop()
    print(f"total run {time.monotonic() - started:.0f} s")
    if ratio is None:
        return 1
    print(f"city_p99_ratio_vs_hello={ratio:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
