"""Benchmark: case intake (POST /api/cases/) on PostgreSQL + gunicorn, against a trivial view.

    make bench-intake                                   # 15 s per phase, 16 clients
    .venv/bin/python bench/intake.py --seconds 3        # a quick run
    .venv/bin/python bench/intake.py --database-url postgres://user@host:5432/other_db
    .venv/bin/python bench/intake.py --no-redis         # the database cache instead of Redis
    .venv/bin/python bench/intake.py --waits            # + what PostgreSQL's backends wait on

Set-up (idempotent): creates the database if missing (default civicgrid_bench on the local
PostgreSQL), migrates it, loads the demo street once (`load_demo_street --if-empty
--households-per-building-group 0 --no-logins`) and an operator `bench-operator` with an API
token (accounts.tokens).
The shared cache is Redis, as a deployment of several nodes runs (REDIS_URL): `--redis-url`, by
default redis://127.0.0.1:6379/13 when a Redis answers there (its db 13, used only by the
benchmarks and emptied at the start), else — or with `--no-redis` — the database cache table.
The first lines say which.
Then starts gunicorn (civicgrid.wsgi, DEBUG off, persistent database connections,
CIVICGRID_URLCONF=civicgrid.bench_urls for /bench/hello) on a free loopback port, waits for /healthz and runs, in the same run
and against the same server, two phases of `--seconds` each from `--clients` concurrent clients
(asyncio, one process; keep-alive where the server offers it — gthread workers; sync workers,
the default, close each connection and the client reconnects):

  A. GET /bench/hello — the same stack (middleware, token authentication, IsAuthenticated,
     JSON) doing no work: the yardstick;
  B. POST /api/cases/ — a report at a random point inside a random micro-grid of the street,
     with a random second-level category, source and a realistic description; the answer is the
     API's default, the minimal one (number, state, link); `--full` asks for the case's full
     view (`?full=1`) to measure what that costs.

gunicorn may take up to `--start-timeout` seconds (180) to answer /healthz on a loaded machine;
if it does not, the benchmark stops with the reason and the end of var/bench-intake-gunicorn.log.

Only 2xx responses count; errors are reported. The cases in the database afterwards must match the
201s received. The last line is `intake_ratio_vs_hello=<cases/s ÷ hello req/s>`. Everything stays
on 127.0.0.1, every phase is bounded in time, and gunicorn is stopped on exit (also on Ctrl-C).
The load generator runs on the same machine and shares its CPU cores with the server.
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "civicgrid.settings")

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/civicgrid_bench"
# A Redis database of its own: the benchmark empties it (FLUSHDB) and touches no other.
DEFAULT_REDIS = "redis://127.0.0.1:6379/13"
BENCH_USER = "bench-operator"

PROBLEMS = [
    "小区门口有{n}袋生活垃圾堆放了两天没人清运,气味很大",
    "人行道上停了{n}辆共享单车,挡住了盲道",
    "路口井盖松动,车辆经过时响声很大,已有{n}位居民反映",
    "楼道里堆放了{n}个纸箱和旧家具,存在消防隐患",
    "夜间施工噪音扰民,晚上{n}点以后仍在作业",
    "有人在绿化带里私自种菜,破坏了约{n}平方米草坪",
    "沿街商铺店外经营,占用人行道约{n}米",
    "电线从{n}楼窗口拉下来给电瓶车充电",
    "路面塌陷一处,直径约{n}十厘米,请尽快处理",
    "小区内一辆僵尸车停放超过{n}个月,轮胎已瘪",
]
STREETS = ["康桥路", "秀浦路", "沪南公路", "康沈路", "川周公路", "听悦路"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙朱马胡郭林何高罗"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ensure_database(url: str) -> None:
    """CREATE DATABASE when it does not exist (connecting to the server's `postgres` database)."""
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


def choose_cache(args) -> str:
    """The Redis URL the run uses ("" for the database cache), its db emptied; sets REDIS_URL.

    `--redis-url` must answer; the default is used when it answers and skipped (said) when not.
    """
    url = "" if args.no_redis else (args.redis_url or DEFAULT_REDIS)
    if url:
        import redis

        try:
            client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
            client.ping()
            client.flushdb()  # only this db: --redis-url names one the benchmark owns
            client.close()
        except redis.RedisError as exc:
            if args.redis_url:
                raise SystemExit(f"Redis at {url} does not answer: {exc}") from None
            print(f"no Redis at {url} ({exc}): the database cache instead")
            url = ""
    os.environ["REDIS_URL"] = url
    return url


def describe_cache(url: str) -> str:
    return f"shared cache: Redis {url}" if url else "shared cache: the database table (no Redis)"


def prepare(args) -> dict:
    """Migrate, load the street, make the operator and its token; return what the clients need."""
    os.environ["DATABASE_URL"] = args.database_url
    import django

    django.setup()
    import shapely
    from django.core.management import call_command

    from civicgrid.accounts.choices import Role
    from civicgrid.accounts.models import User
    from civicgrid.accounts.tokens import issue_token
    from civicgrid.cases.models import Case, Category
    from civicgrid.grids.choices import GridLevel
    from civicgrid.grids.geometry import to_shape
    from civicgrid.grids.models import Grid

    call_command("migrate", interactive=False, verbosity=0)
    call_command(
        "load_demo_street",
        if_empty=True,
        households_per_building_group=0,
        no_logins=True,
        verbosity=0,
    )
    user, _ = User.objects.get_or_create(
        username=BENCH_USER, defaults={"role": Role.OPERATOR, "first_name": "压测"}
    )
    _token, raw_token = issue_token(user, client="bench/intake.py")

    rng = random.Random(args.seed)
    grids = list(
        Grid.objects.filter(level=GridLevel.MICRO_GRID, geometry__isnull=False).values_list(
            "id", "geometry"
        )
    )
    if not grids:
        raise SystemExit("no micro-grids with a boundary in the benchmark database")
    # Random points strictly inside random micro-grids (rejection sampling in each one's box).
    points = []
    shapes = [to_shape(g) for _, g in grids]
    while len(points) < 2000:
        shape = rng.choice(shapes)
        minx, miny, maxx, maxy = shape.bounds
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(shape, lon, lat):
            points.append((round(lon, 7), round(lat, 7)))
    categories = list(
        Category.objects.filter(is_active=True, parent__isnull=False).values_list("id", flat=True)
    )
    from django.db import connections

    count = Case.objects.count()
    connections.close_all()
    return {"token": raw_token, "points": points, "categories": categories, "cases_before": count}


def count_cases() -> int:
    from django.db import connections

    from civicgrid.cases.models import Case

    count = Case.objects.count()
    connections.close_all()
    return count


def intake_bodies(data, seed):
    rng = random.Random(seed)
    sources = ["resident", "grid_patrol", "supervision", "hotline_12345"]
    while True:
        lon, lat = rng.choice(data["points"])
        body = {
            "category": rng.choice(data["categories"]),
            "description": rng.choice(PROBLEMS).format(n=rng.randint(2, 9)),
            "lon": lon,
            "lat": lat,
            "address": f"{rng.choice(STREETS)}{rng.randint(1, 2000)}号",
            "source": rng.choice(sources),
            "reporter_name": rng.choice(SURNAMES) + rng.choice(["先生", "女士", "阿姨", "师傅"]),
            "reporter_phone": f"13{rng.randint(0, 9)}{rng.randint(0, 99999999):08d}",
        }
        yield json.dumps(body, ensure_ascii=False).encode()


class Stats:
    def __init__(self):
        self.latencies = []  # seconds, successful requests only
        self.ok = 0
        self.errors = {}

    def error(self, key, detail=""):
        self.errors[key] = self.errors.get(key, 0) + 1
        if detail and f"{key}:sample" not in self.errors:
            self.errors[f"{key}:sample"] = detail[:200]


async def _request(reader, writer, raw: bytes):
    writer.write(raw)
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length, close = 0, False
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection" and value.strip().lower() == "close":
            close = True
    body = await reader.readexactly(length) if length else b""
    return status, body, close


async def client(port, make_request, stop_at, stats: Stats, ok_status):
    reader = writer = None
    while time.perf_counter() < stop_at:
        if writer is None:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
        raw = make_request()
        t = time.perf_counter()
        try:
            status, body, close = await _request(reader, writer, raw)
        except (asyncio.IncompleteReadError, ConnectionError) as exc:
            stats.error(type(exc).__name__)
            writer.close()
            writer = None
            continue
        elapsed = time.perf_counter() - t
        if status == ok_status:
            stats.ok += 1
            stats.latencies.append(elapsed)
        else:
            stats.error(f"HTTP {status}", body.decode("utf-8", "replace"))
        if close:
            writer.close()
            writer = None
    if writer is not None:
        writer.close()


async def run_phase(port, clients, seconds, make_request, ok_status) -> tuple[Stats, float]:
    stats = Stats()
    start = time.perf_counter()
    stop_at = start + seconds
    await asyncio.gather(
        *(client(port, make_request, stop_at, stats, ok_status) for _ in range(clients))
    )
    return stats, time.perf_counter() - start


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


class WaitSampler:
    """Samples, in a thread, what the benchmark database's busy backends are doing (state and
    wait event from pg_stat_activity) while a phase runs: where an intake's time in PostgreSQL
    goes — a row lock (Lock/transactionid, Lock/tuple), the commit's WAL flush (IO/WALSync),
    waiting for gunicorn's next statement inside the transaction ('idle in transaction') — as
    the mean number of backends in each, over the samples."""

    def __init__(self, database_url: str, interval: float = 0.01):
        import threading

        self.url, self.interval = database_url, interval
        self.counts, self.samples = {}, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        import psycopg

        parts = urlsplit(self.url)
        name = parts.path.lstrip("/")
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as conn:
            while not self._stop.wait(self.interval):
                rows = conn.execute(
                    "SELECT state, wait_event_type, wait_event FROM pg_stat_activity "
                    "WHERE datname = %s AND pid <> pg_backend_pid() "
                    "AND state IN ('active', 'idle in transaction')",
                    [name],
                ).fetchall()
                self.samples += 1
                for state, kind, event in rows:
                    key = state if kind in (None, "Client") else f"{state}: {kind}/{event}"
                    self.counts[key] = self.counts.get(key, 0) + 1

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(timeout=5)

    def summary(self) -> str:
        if not self.samples:
            return "no samples"
        ranked = sorted(self.counts.items(), key=lambda kv: -kv[1])
        return "; ".join(f"{key} {n / self.samples:.2f}" for key, n in ranked[:6])


def report(name, unit, stats: Stats, elapsed):
    rate = stats.ok / elapsed
    lat = stats.latencies
    print(
        f"{name}: {stats.ok:,} {unit} in {elapsed:.1f} s = {rate:,.0f} {unit}/s; "
        f"latency p50 {percentile(lat, 50) * 1000:.1f} ms, p99 {percentile(lat, 99) * 1000:.1f} ms"
        + (f", mean {statistics.fmean(lat) * 1000:.1f} ms" if lat else "")
    )
    errors = sum(v for k, v in stats.errors.items() if not k.endswith(":sample"))
    print(f"{name} errors: {errors}" + (f" {stats.errors}" if errors else ""))
    return rate


def start_server(args, port, log):
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.cache_url,
        "DB_CONN_MAX_AGE": "600",
        "DEBUG": "0",
        "CIVICGRID_PRODUCTION": "0",
        "ALLOWED_HOSTS": "127.0.0.1",
        # The production URLs plus /bench/hello (civicgrid/bench_urls.py).
        "CIVICGRID_URLCONF": "civicgrid.bench_urls",
        # Per-request log lines (notifications go to the console channel) would measure the
        # terminal, not the intake.
        "LOG_LEVEL": "WARNING",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    cmd = [
        str(gunicorn),
        "civicgrid.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(args.workers),
        "--worker-class",
        args.worker_class,
        "--threads",
        str(args.threads),
        "--keep-alive",
        "30",
        "--backlog",
        "2048",
        "--log-level",
        "warning",
    ]
    # Its own process group, so that stopping it takes the workers too.
    return subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )


def stop_server(proc):
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=5)
    except ProcessLookupError:
        pass


def _log_tail(path, lines=15) -> str:
    try:
        text = Path(path).read_text(errors="replace").splitlines()[-lines:]
    except OSError:
        return "(no log)"
    return "\n".join("    " + line for line in text) or "    (empty)"


def wait_healthy(port, proc, log_path, timeout=180.0, probe_timeout=15.0):
    """Wait until gunicorn answers /healthz with 200. On a loaded machine a worker's first
    request (imports, the migration check of /healthz) can take several seconds: each probe
    waits up to `probe_timeout` (a shorter one gave up on a worker still starting and tried the
    next, and the whole wait ran out), and the start may take up to `timeout`. A failure says
    why — gunicorn's exit status or the last probe's error — and shows the end of its log."""
    started = time.monotonic()
    deadline = started + timeout
    last = "no answer yet"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(
                f"gunicorn exited with status {proc.returncode} before answering /healthz; "
                f"the end of {log_path}:\n{_log_tail(log_path)}"
            )
        try:
            url = f"http://127.0.0.1:{port}/healthz"
            with urllib.request.urlopen(url, timeout=probe_timeout) as resp:
                if resp.status == 200:
                    return time.monotonic() - started
                last = f"HTTP {resp.status}"
        except urllib.error.HTTPError as exc:
            # 503: the database is unreachable or a migration is pending (the body says which).
            last = f"HTTP {exc.code} {exc.read()[:300].decode('utf-8', 'replace')}"
        except (urllib.error.URLError, OSError) as exc:
            last = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
        time.sleep(0.5)
    raise SystemExit(
        f"gunicorn did not answer /healthz with 200 within {timeout:.0f} s (last probe: {last}); "
        f"the end of {log_path}:\n{_log_tail(log_path)}"
    )


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=DEFAULT_DB, help=f"default {DEFAULT_DB}")
    parser.add_argument("--seconds", type=float, default=15.0, help="duration of each phase")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (keep-alive)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--worker-class", default="sync", choices=["sync", "gthread"])
    parser.add_argument("--threads", type=int, default=2, help="threads per gthread worker")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument(
        "--full", action="store_true", help="ask for the full case view (?full=1) in each intake"
    )
    parser.add_argument(
        "--redis-url",
        default="",
        help=f"the shared cache (default {DEFAULT_REDIS} when it answers); its db is emptied",
    )
    parser.add_argument(
        "--no-redis", action="store_true", help="the database cache table instead of Redis"
    )
    parser.add_argument(
        "--waits",
        action="store_true",
        help="sample pg_stat_activity during the intake phase (lock, WAL flush, client waits)",
    )
    parser.add_argument(
        "--start-timeout",
        type=float,
        default=180.0,
        help="seconds gunicorn may take to answer /healthz (default 180: a loaded machine)",
    )
    args = parser.parse_args(argv)
    if not urlsplit(args.database_url).scheme.startswith("postgres"):
        raise SystemExit("the intake benchmark runs on PostgreSQL (--database-url postgres://…)")

    ensure_database(args.database_url)
    args.cache_url = choose_cache(args)
    print(describe_cache(args.cache_url))
    t = time.perf_counter()
    data = prepare(args)
    print(
        f"database {urlsplit(args.database_url).path.lstrip('/')}: ready in "
        f"{time.perf_counter() - t:.1f} s ({len(data['categories'])} categories, "
        f"{data['cases_before']:,} cases already there)"
    )

    port = free_port()
    log_path = ROOT / "var" / "bench-intake-gunicorn.log"
    log_path.parent.mkdir(exist_ok=True)  # a fresh clone has no var/ before `make demo`
    proc = None
    # SIGTERM (e.g. from make or a timeout) unwinds like Ctrl-C, through the finally below.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        with open(log_path, "w") as log:
            proc = start_server(args, port, log)
            waited = wait_healthy(port, proc, log_path, timeout=args.start_timeout)
            print(f"gunicorn answered /healthz after {waited:.1f} s")
            print(
                f"gunicorn civicgrid.wsgi on 127.0.0.1:{port}: {args.workers} × {args.worker_class}"
                + (f" ({args.threads} threads)" if args.worker_class == "gthread" else "")
                + f", DEBUG off, persistent DB connections; {args.clients} clients, "
                f"{args.seconds:g} s per phase"
            )
            print(
                f"note: the load generator (one Python process) shares this machine's "
                f"{os.cpu_count()} CPU cores with gunicorn and PostgreSQL"
            )
            auth = f"Authorization: Token {data['token']}\r\n"
            host = f"Host: 127.0.0.1:{port}\r\n"
            hello_raw = f"GET /bench/hello HTTP/1.1\r\n{host}{auth}\r\n".encode()
            bodies = intake_bodies(data, args.seed)
            intake_path = "/api/cases/?full=1" if args.full else "/api/cases/"

            def intake_raw():
                body = next(bodies)
                return (
                    f"POST {intake_path} HTTP/1.1\r\n{host}{auth}"
                    f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
                ).encode() + body

            # Warm every worker (imports, connections, the locator) before timing.
            warm_hello, _ = asyncio.run(run_phase(port, 8, 1.0, lambda: hello_raw, 200))
            warm_intake, _ = asyncio.run(run_phase(port, 8, 1.0, intake_raw, 201))
            hello, hello_time = asyncio.run(
                run_phase(port, args.clients, args.seconds, lambda: hello_raw, 200)
            )
            sampler = WaitSampler(args.database_url) if args.waits else None
            with sampler or contextlib.nullcontext():
                intake, intake_time = asyncio.run(
                    run_phase(port, args.clients, args.seconds, intake_raw, 201)
                )
    finally:
        stop_server(proc)

    hello_rate = report("hello (GET /bench/hello)", "requests", hello, hello_time)
    cases_rate = report("intake (POST /api/cases/)", "cases", intake, intake_time)
    if sampler is not None:
        print(
            f"intake phase, PostgreSQL backends busy (mean over {sampler.samples} samples): "
            + sampler.summary()
        )
    created = warm_intake.ok + intake.ok
    in_db = count_cases() - data["cases_before"]
    print(
        f"cases in the database afterwards: {in_db:,} new (201 responses incl. warm-up: "
        f"{created:,}) — {'match' if in_db == created else 'MISMATCH'}"
    )
    print(f"goal ≥ 1,000 cases/s: {'reached' if cases_rate >= 1000 else 'not reached'}")
    ratio = cases_rate / hello_rate if hello_rate else 0.0
    print(f"intake_ratio_vs_hello={ratio:.3f}")
    return 0 if in_db == created and intake.ok else 1


if __name__ == "__main__":
    sys.exit(main())
