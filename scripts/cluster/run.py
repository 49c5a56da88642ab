"""The cluster proof (issue 12 §3): two app nodes behind nginx on real services, processes killed
with SIGKILL in the middle of the load, and what must hold afterwards.

    make cluster-test                                   # under 2 minutes (first run: +3)
    .venv/bin/python scripts/cluster/run.py --seconds 30 --keep   # shorter load, keep the logs

Everything runs on 127.0.0.1; the ports of nginx, the nodes, the S3 server and the SMS sink are
free ones picked at start. The services that must already run: PostgreSQL on 127.0.0.1:5432 (user
postgres; the script creates `civicgrid_cluster_<pid>` and drops it on exit) and Redis on
127.0.0.1:6379 (the script uses database --redis-db, 13 by default, and flushes only that one, at
start and on exit). The run's database is a copy of a template database
(`civicgrid_cluster_tpl_<hash>`: migrated and the demo street's grids loaded, kept between runs
and rebuilt when a migration or a demo builder changes, as the first run does in about three
minutes; `--rebuild-template` forces it; drop it with `dropdb` when done). It starts:

* moto's S3 server (a bucket for the photos: CIVICGRID_S3_*);
* an SMS gateway sink: a small HTTP server in this process that records every text it is given
  with its Idempotency-Key (CIVICGRID_SMS_URL points at it) — the provider's log;
* two app nodes: gunicorn (gthread) on two ports with the same environment, and beside each one
  `manage.py run_periodic` (the deadline scan and the outbox sweep);
* two RQ workers (TASKS_BACKEND=rq, `manage.py rqworker --job-class django_tasks_rq.Job default`);
* nginx (the Debian binary as an unprivileged process with its own prefix and configuration in
  the temporary directory) in front of both nodes.

Then, in order:

1. Rate limits are shared: a resident's intakes sent alternately to node A and node B directly;
   the intake limit (CIVICGRID_INTAKE_LIMIT, counted in Redis) refuses at the same total as on
   one node, and both nodes accepted some. Then anonymous Open311 POSTs through nginx from two
   loopback addresses (127.0.0.2, one forging X-Forwarded-For, and 127.0.0.3): each address has
   its own count across both nodes (CIVICGRID_TRUSTED_PROXIES=127.0.0.1, core.ratelimit.client_ip).
2. Photos: uploaded through node A, read back byte for byte through node B (the S3 bucket).
3. Load through nginx for --seconds: staff report cases (POST /api/cases/ with an
   Idempotency-Key; on a connection error, a timeout or a 5xx the client retries with the same
   key), the street's desk files and dispatches them (the filing texts the reporter: one SMS per
   case), the department accepts them, a leader reads lists and cases. In the middle one RQ
   worker is SIGKILLed (and restarted: a supervisor would), then node B (gunicorn and its
   run_periodic) is SIGKILLed and stays dead: nginx sends everything to node A.
4. Drain: the outbox's deliveries all reach `delivered` (leases of the killed worker run out).

Checks (PASS/FAIL each, exit status 1 when one fails): every acknowledged case is stored exactly
once under its key; every outbox delivery is delivered, the SMS sink holds one key per SMS
delivery and never two different texts under one key (a delivery cut between the gateway's
acceptance and the mark may be re-sent once under its key — an idempotent provider keeps one;
counted and shown); the intake limit refused at the same total across both nodes; each periodic
job ran at most once per period although both nodes ran the loop; photos read the same from
either node and through nginx after the kill; requests kept succeeding after node B died.
The run is bounded (--deadline) and everything it started is stopped on exit, Ctrl-C included.
"""

import argparse
import io
import json
import os
import queue
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
import urllib.error
import urllib.request
import uuid
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379"
BUCKET = "civicgrid-cluster"
REGION = "us-east-1"
INTAKE_LIMIT = 10
LEASE_SECONDS = 10
PERIODIC_JOBS = ("case_deadlines", "outbox_sweep")

PROBLEMS = [
    "小区门口有{n}袋生活垃圾堆放了两天没人清运，气味很大",
    "人行道上停了{n}辆共享单车，挡住了盲道",
    "路口井盖松动，车辆经过时响声很大，已有{n}位居民反映",
    "楼道里堆放了{n}个纸箱和旧家具，存在消防隐患",
    "夜间施工噪音扰民，晚上{n}点以后仍在作业",
    "沿街商铺店外经营，占用人行道约{n}米",
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def say(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}Z] {text}", flush=True)


class Deadline(Exception):
    pass


# --- the SMS gateway sink ---------------------------------------------------------------------


class Sink:
    """The SMS provider's side: every POST recorded (key, phone, text), answered 200."""

    def __init__(self):
        self.lock = threading.Lock()
        self.received = []  # (key, phone, text), re-sends included
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                key = self.headers.get("Idempotency-Key", "")
                # A provider's own latency: the workers are in the middle of deliveries more
                # often, so the kill is likelier to land between the gateway and the mark.
                time.sleep(0.03)
                with sink.lock:
                    sink.received.append((key, body.get("phone", ""), body.get("text", "")))
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.port = free_port()
        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def snapshot(self):
        with self.lock:
            return list(self.received)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# --- processes --------------------------------------------------------------------------------


class Proc:
    """A child in its own process group (gunicorn's workers, rqworker's work horse go with it)."""

    def __init__(self, name, cmd, env, log_dir):
        self.name = name
        self.cmd = cmd
        self.env = env
        self.log_path = log_dir / f"{name}.log"
        self.popen = None
        self.restarts = 0

    def start(self):
        log = open(self.log_path, "a")  # the child keeps its own copy
        self.popen = subprocess.Popen(
            self.cmd,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()
        return self

    def alive(self) -> bool:
        return self.popen is not None and self.popen.poll() is None

    def kill9(self):
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=10)

    def stop(self):
        if not self.alive():
            return
        try:
            os.killpg(self.popen.pid, signal.SIGTERM)
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(self.popen.pid, signal.SIGKILL)
            self.popen.wait(timeout=5)
        except ProcessLookupError:
            pass


def wait_http(url, proc, timeout=90.0):
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        if proc is not None and not proc.alive():
            raise SystemExit(
                f"{proc.name} exited with {proc.popen.returncode}: see {proc.log_path}"
            )
        try:
            with urllib.request.urlopen(url, timeout=5) as resp:
                if resp.status < 500:
                    return
        except urllib.error.HTTPError as exc:
            if exc.code < 500:
                return
            last = f": HTTP {exc.code} {exc.read()[:300]!r}"
        except OSError as exc:
            last = f": {exc}"
        time.sleep(0.3)
    raise SystemExit(f"{url} did not answer within {timeout:.0f} s{last}")


NGINX_CONF = """\
# civicgrid cluster test: nginx as an unprivileged process, everything under {d}.
worker_processes 1;
pid {d}/nginx.pid;
error_log {d}/nginx-error.log warn;
daemon off;
{user}
events {{ worker_connections 512; }}
http {{
    log_format upstream '$remote_addr "$request" $status $upstream_addr $request_time';
    access_log {d}/nginx-access.log upstream;
    client_body_temp_path {d}/body;
    proxy_temp_path {d}/proxy;
    fastcgi_temp_path {d}/fastcgi;
    uwsgi_temp_path {d}/uwsgi;
    scgi_temp_path {d}/scgi;
    # max_fails=0: nginx counts a read timeout as a failure even when it does not retry on it,
    # so one slow page would mark both nodes down; a dead node refuses the connection at once
    # (proxy_connect_timeout 2s for one that hangs) and the request goes to the other.
    upstream civicgrid {{
        server 127.0.0.1:{a} max_fails=0;
        server 127.0.0.1:{b} max_fails=0;
        keepalive 16;
    }}
    server {{
        listen 127.0.0.1:{port};
        # Photos up to ATTACHMENT_MAX_BYTES (10 MB) plus the multipart envelope.
        client_max_body_size 12m;
        location / {{
            proxy_pass http://civicgrid;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
            # A node that refuses the connection or times out: the next one. nginx never
            # retries a POST on another node (no non_idempotent): the client does, with its
            # Idempotency-Key.
            proxy_next_upstream error http_502 http_503;
            proxy_next_upstream_tries 2;
            add_header X-Upstream $upstream_addr always;
        }}
    }}
}}
"""


# --- the cluster ------------------------------------------------------------------------------


class Cluster:
    def __init__(self, args):
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="civicgrid-cluster-"))
        self.logs = self.tmp / "logs"
        self.logs.mkdir()
        self.db = f"civicgrid_cluster_{os.getpid()}"
        self.db_url = f"{PG_SERVER}/{self.db}"
        self.redis_url = f"{REDIS}/{args.redis_db}"
        self.procs = {}
        self.sink = None
        self.moto = None
        self.db_created = False
        self.ports = {name: free_port() for name in ("nginx", "a", "b", "s3")}

    # services ------------------------------------------------------------------------------

    def env(self) -> dict:
        env = {
            **os.environ,
            "DATABASE_URL": self.db_url,
            "DB_CONN_MAX_AGE": "60",
            "REDIS_URL": self.redis_url,
            "TASKS_BACKEND": "rq",
            "TASKS_REDIS_URL": self.redis_url,
            "CIVICGRID_S3_BUCKET": BUCKET,
            "CIVICGRID_S3_ENDPOINT_URL": f"http://127.0.0.1:{self.ports['s3']}",
            "CIVICGRID_S3_REGION": REGION,
            "CIVICGRID_S3_PREFIX": "street/",
            "AWS_ACCESS_KEY_ID": "cluster",
            "AWS_SECRET_ACCESS_KEY": "cluster-secret",
            "CIVICGRID_SMS_URL": f"http://127.0.0.1:{self.sink.port}/sms",
            "CIVICGRID_SMS_TIMEOUT_SECONDS": "2",
            "CIVICGRID_NOTIFICATION_CHANNELS": "civicgrid.messaging.channels.ConsoleChannel,"
            "civicgrid.messaging.channels.SmsChannel",
            # A killed worker's batch is taken over after 10 s (batch × the SMS timeout < 10 s).
            "CIVICGRID_OUTBOX_LEASE_SECONDS": str(LEASE_SECONDS),
            "CIVICGRID_OUTBOX_BATCH": "4",
            "CIVICGRID_TRUSTED_PROXIES": "127.0.0.1",
            "CIVICGRID_INTAKE_LIMIT": str(INTAKE_LIMIT),
            "CIVICGRID_VAR_DIR": str(self.tmp / "var"),
            "SECRET_KEY": "cluster-test-" + uuid.uuid4().hex,
            "DEBUG": "0",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("DATABASE_REPLICA_URL", None)
        return env

    def start_services(self):
        import boto3
        import psycopg
        import redis

        if not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists():
            raise SystemExit("nginx is not installed (apt-get install nginx)")
        try:
            psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=5).close()
        except psycopg.Error as exc:
            raise SystemExit(f"no PostgreSQL at {PG_SERVER}: {exc}") from None
        try:
            redis.Redis.from_url(self.redis_url, socket_timeout=5).ping()
        except redis.RedisError as exc:
            raise SystemExit(f"no Redis at {REDIS}: {exc}") from None

        redis.Redis.from_url(self.redis_url).flushdb()
        self.sink = Sink()
        self.moto = Proc(
            "moto",
            [str(VENV_BIN / "moto_server"), "-H", "127.0.0.1", "-p", str(self.ports["s3"])],
            os.environ.copy(),
            self.logs,
        ).start()
        wait_http(f"http://127.0.0.1:{self.ports['s3']}/", self.moto, 60)
        boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{self.ports['s3']}",
            region_name=REGION,
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster-secret",
        ).create_bucket(Bucket=BUCKET)
        say(
            f"services: PostgreSQL database {self.db}, Redis db {self.args.redis_db} (flushed), "
            f"moto S3 on :{self.ports['s3']}, SMS sink on :{self.sink.port}"
        )

    def template(self) -> str:
        """The name of a database holding the migrated schema and the demo street, made once for
        this state of the migrations and the demo builders (migrating from nothing takes minutes
        on a busy machine; copying a template takes seconds). Older ones are dropped."""
        import hashlib

        import psycopg

        digest = hashlib.sha256()
        files = sorted(ROOT.glob("civicgrid/*/migrations/*.py"))
        files += sorted((ROOT / "civicgrid" / "demo").rglob("*.py"))
        for path in files:
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
        name = f"civicgrid_cluster_tpl_{digest.hexdigest()[:12]}"
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            names = [
                row[0]
                for row in conn.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE 'civicgrid_cluster_tpl_%%'"
                )
            ]
            for old in names:
                if old != name:
                    conn.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
            if name in names and not self.args.rebuild_template:
                return name
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            building = f"{name}_building"
            conn.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{building}"')
        say(f"building the template database {name} (once per state of the migrations)")
        t = time.monotonic()
        env = {**self.env(), "DATABASE_URL": f"{PG_SERVER}/{building}", "TASKS_BACKEND": "db"}
        for command in (
            ["migrate", "--noinput", "-v", "0"],
            ["load_demo_street", "--households-per-building-group", "0", "--no-logins", "-v", "0"],
        ):
            subprocess.run(
                [sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=900
            )
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            # Renamed only when complete: an interrupted build is never taken for a template.
            conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        say(f"template built in {time.monotonic() - t:.0f} s")
        return name

    def prepare_database(self):
        """A fresh database copied from the template, and the accounts of the load with their API
        tokens; Django runs in this process from here on (the checks read the database)."""
        import psycopg

        template = self.template()
        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{self.db}" TEMPLATE "{template}"')
        self.db_created = True
        os.environ.update(self.env())
        os.environ["DJANGO_SETTINGS_MODULE"] = "civicgrid.settings"
        import django

        django.setup()
        from django.core.management import call_command

        # Nothing to do unless a migration came after the template was built.
        call_command("migrate", interactive=False, verbosity=0)
        say(f"database {self.db}: a copy of {template} (migrated, the demo street's grids)")
        return make_accounts()

    def start_nodes(self):
        env = self.env()
        gunicorn = [
            str(VENV_BIN / "gunicorn"),
            "civicgrid.wsgi",
            "--worker-class",
            "gthread",
            "--workers",
            str(self.args.gunicorn_workers),
            "--threads",
            "4",
            "--timeout",
            "60",
            "--graceful-timeout",
            "5",
            "--keep-alive",
            "30",
        ]
        manage = [sys.executable, "manage.py"]
        periodic = [*manage, "run_periodic", "--every", "2"]
        for job in PERIODIC_JOBS:
            periodic += ["--job", job]
        for node in ("a", "b"):
            self.procs[f"node-{node}"] = Proc(
                f"node-{node}",
                [
                    *gunicorn,
                    "--bind",
                    f"127.0.0.1:{self.ports[node]}",
                    # Each its own control socket (the default path is one per user).
                    "--control-socket",
                    str(self.tmp / f"gunicorn-{node}.ctl"),
                ],
                env,
                self.logs,
            ).start()
            self.procs[f"periodic-{node}"] = Proc(
                f"periodic-{node}", periodic, env, self.logs
            ).start()
        rq = [*manage, "rqworker", "--job-class", "django_tasks_rq.Job", "default"]
        for n in (1, 2):
            self.procs[f"worker-{n}"] = Proc(f"worker-{n}", rq, env, self.logs).start()
        nginx_dir = self.tmp / "nginx"
        nginx_dir.mkdir()
        for sub in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
            (nginx_dir / sub).mkdir()
        conf = nginx_dir / "nginx.conf"
        conf.write_text(
            NGINX_CONF.format(
                d=nginx_dir,
                a=self.ports["a"],
                b=self.ports["b"],
                port=self.ports["nginx"],
                # As root nginx would hand its workers to "nobody", who cannot use this
                # directory; as anyone else the directive is ignored.
                user="user root;" if os.geteuid() == 0 else "",
            )
        )
        self.procs["nginx"] = Proc(
            "nginx",
            [shutil.which("nginx") or "/usr/sbin/nginx", "-p", str(nginx_dir), "-c", str(conf)],
            env,
            self.logs,
        ).start()
        for node in ("a", "b"):
            wait_http(f"http://127.0.0.1:{self.ports[node]}/healthz", self.procs[f"node-{node}"])
        wait_http(f"http://127.0.0.1:{self.ports['nginx']}/healthz", self.procs["nginx"])
        say(
            f"nginx :{self.ports['nginx']} → node A :{self.ports['a']}, node B :{self.ports['b']} "
            f"(gunicorn {self.args.gunicorn_workers} × gthread 4 each, run_periodic on both), "
            "2 RQ workers"
        )

    def stop(self):
        for proc in reversed(list(self.procs.values())):
            proc.stop()
        if self.moto is not None:
            self.moto.stop()
        if self.sink is not None:
            self.sink.stop()
        try:
            from django.db import connections

            connections.close_all()
        except Exception:  # Django may never have been set up
            pass
        if self.db_created:
            import psycopg

            with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{self.db}" WITH (FORCE)')
        try:
            import redis

            redis.Redis.from_url(self.redis_url).flushdb()
        except Exception:  # Redis may be down: nothing to flush
            pass
        if self.args.keep:
            say(f"logs kept in {self.logs}")
        else:
            shutil.rmtree(self.tmp, ignore_errors=True)


def make_accounts() -> dict:
    """The load's accounts (roles of the case loop), tokens, and what intake bodies need."""
    import shapely
    from django.db import connections

    from civicgrid.accounts.choices import Role
    from civicgrid.accounts.models import Department, User
    from civicgrid.accounts.tokens import issue_token
    from civicgrid.cases.models import Category
    from civicgrid.grids.choices import GridLevel
    from civicgrid.grids.geometry import to_shape
    from civicgrid.grids.models import Grid

    department = Department.objects.filter(is_active=True).order_by("pk").first()
    people = {
        "operator": {"role": Role.OPERATOR},
        "operator2": {"role": Role.OPERATOR},
        "handler": {"role": Role.DEPT_HANDLER, "department": department},
        "leader": {"role": Role.LEADER},
        "resident": {"role": Role.RESIDENT},
    }
    accounts = {}
    for name, fields in people.items():
        user, _ = User.objects.update_or_create(
            username=f"cluster-{name}", defaults={**fields, "first_name": "集群"}
        )
        accounts[name] = {"pk": user.pk, "token": issue_token(user, client="cluster")[1]}
    rng = random.Random(12)
    shapes = [
        to_shape(g)
        for g in Grid.objects.filter(
            level=GridLevel.MICRO_GRID, geometry__isnull=False
        ).values_list("geometry", flat=True)
    ]
    points = []
    while len(points) < 500:
        shape = rng.choice(shapes)
        minx, miny, maxx, maxy = shape.bounds
        lon, lat = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if shapely.contains_xy(shape, lon, lat):
            points.append((round(lon, 7), round(lat, 7)))
    categories = list(
        Category.objects.filter(is_active=True, parent__isnull=False).values_list("id", flat=True)
    )
    from civicgrid.open311.adapter import services_queryset
    from civicgrid.open311.models import ApiClient

    open311 = ApiClient(name="cluster-test", source_label="集群测试")
    open311_key = open311.set_new_key()
    open311.save()
    service = services_queryset().order_by("pk").first()
    connections.close_all()
    return {
        "open311_key": open311_key,
        "service_code": f"{service.family}-{service.code}",
        "accounts": accounts,
        "department": department.pk,
        "points": points,
        "categories": categories,
    }


# --- clients ----------------------------------------------------------------------------------


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.ok = Counter()
        self.errors = Counter()
        self.samples = {}
        self.upstreams = Counter()
        self.latency = defaultdict(list)

    def record(self, kind, ok, elapsed=0.0, error="", upstream="", sample=""):
        with self.lock:
            if ok:
                self.ok[kind] += 1
                self.latency[kind].append(elapsed)
            else:
                self.errors[(kind, error)] += 1
                if sample and (kind, error) not in self.samples:
                    self.samples[(kind, error)] = sample[:300]
            if upstream:
                self.upstreams[upstream] += 1


RETRYABLE = {500, 502, 503, 504}


class Client:
    """One user's HTTP session with the retries a phone app or an integration makes."""

    def __init__(self, base, token, stats, phase):
        import requests

        self.base = base
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Token {token}"
        self.stats = stats
        self.phase = phase  # a list holding the current phase name ("before"/"after" the kill)

    def call(self, kind, method, path, *, ok=(200,), retries=5, **kwargs):
        """The response with a status in `ok`, or None; transport errors and 5xx are retried
        with the same request (for intake: the same Idempotency-Key)."""
        import requests

        for attempt in range(retries + 1):
            t = time.perf_counter()
            try:
                resp = self.session.request(method, self.base + path, timeout=30, **kwargs)
            except requests.RequestException as exc:
                self.stats.record(kind, False, error=type(exc).__name__)
                time.sleep(0.2 * (attempt + 1))
                continue
            upstream = resp.headers.get("X-Upstream", "")
            upstream = f"{self.phase[0]} {upstream}" if upstream else ""
            if resp.status_code in ok:
                self.stats.record(kind, True, time.perf_counter() - t, upstream=upstream)
                return resp
            self.stats.record(kind, False, error=f"HTTP {resp.status_code}", sample=resp.text)
            if resp.status_code not in RETRYABLE:
                return resp if resp.status_code < 500 else None
            time.sleep(0.2 * (attempt + 1))
        return None


def intake_body(data, rng, phone=True):
    lon, lat = rng.choice(data["points"])
    body = {
        "category": rng.choice(data["categories"]),
        "description": rng.choice(PROBLEMS).format(n=rng.randint(2, 9)),
        "lon": lon,
        "lat": lat,
        "address": f"康桥路{rng.randint(1, 2000)}号",
        "reporter_name": "王女士",
    }
    if phone:
        body["reporter_phone"] = f"139{rng.randint(0, 99999999):08d}"
    return body


def rate_limit_check(cluster, data) -> dict:
    """A resident's intakes alternately on node A and node B: accepted until the shared limit."""
    stats = Stats()
    rng = random.Random(7)
    token = data["accounts"]["resident"]["token"]
    clients = {
        node: Client(f"http://127.0.0.1:{cluster.ports[node]}", token, stats, ["rate"])
        for node in ("a", "b")
    }
    answers = Counter()
    for i in range(INTAKE_LIMIT * 2 + 4):
        node = "ab"[i % 2]
        resp = clients[node].call(
            "rate",
            "POST",
            "/api/cases/",
            ok=(201, 429),
            retries=0,
            json=intake_body(data, rng, phone=False),
        )
        answers[(node, resp.status_code if resp is not None else "error")] += 1
    return answers


def address_limit_check(cluster, data) -> dict:
    """Open311 POSTs (anonymous: counted per client address) through nginx from two loopback
    addresses, the first also sending a forged X-Forwarded-For each time. The app trusts nginx
    (CIVICGRID_TRUSTED_PROXIES=127.0.0.1) and takes the right-most untrusted address: each
    client has its own count, the forgery gains nothing, both nodes count in the same place."""
    import http.client
    from urllib.parse import urlencode

    rng = random.Random(9)
    port = cluster.ports["nginx"]
    out = Counter()
    for source, forge in (("127.0.0.2", True), ("127.0.0.3", False)):
        for i in range(INTAKE_LIMIT + 3):
            lon, lat = rng.choice(data["points"])
            body = urlencode(
                {
                    "api_key": data["open311_key"],
                    "service_code": data["service_code"],
                    "lat": lat,
                    "long": lon,
                    "description": rng.choice(PROBLEMS).format(n=rng.randint(2, 9)),
                }
            )
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            if forge:
                headers["X-Forwarded-For"] = f"10.{i}.{rng.randint(0, 255)}.7"
            conn = http.client.HTTPConnection(
                "127.0.0.1", port, timeout=30, source_address=(source, 0)
            )
            try:
                conn.request("POST", "/open311/v2/requests.json", body, headers)
                resp = conn.getresponse()
                resp.read()
                upstream = resp.getheader("X-Upstream", "").split(", ")[-1]
                node = "a" if upstream.endswith(f":{cluster.ports['a']}") else "b"
                out[(source, resp.status)] += 1
                out[(source, f"node {node}")] += 1
            except OSError as exc:
                out[(source, type(exc).__name__)] += 1
            finally:
                conn.close()
    return out


def photo_upload(cluster, data, number) -> tuple[int, bytes]:
    """A photo uploaded through node A: its id and the bytes node A serves for it."""
    from PIL import Image

    image = Image.new("RGB", (640, 480), (random.randint(0, 255), 120, 60))
    buf = io.BytesIO()
    image.save(buf, "JPEG")
    token = data["accounts"]["operator"]["token"]
    node_a = Client(f"http://127.0.0.1:{cluster.ports['a']}", token, Stats(), ["photo"])
    resp = node_a.call(
        "photo",
        "POST",
        "/api/attachments/",
        ok=(201,),
        data={"case": number, "kind": "before"},
        files={"file": ("photo.jpg", buf.getvalue(), "image/jpeg")},
    )
    if resp is None or resp.status_code != 201:
        raise SystemExit(f"photo upload failed: {resp and resp.text[:300]}")
    pk = resp.json()["id"]
    return pk, photo_bytes(cluster, token, cluster.ports["a"], pk)


def photo_bytes(cluster, token, port, pk) -> bytes | None:
    client = Client(f"http://127.0.0.1:{port}", token, Stats(), ["photo"])
    resp = client.call("photo", "GET", f"/api/attachments/{pk}/file")
    return resp.content if resp is not None and resp.status_code == 200 else None


class Load:
    """Staff through nginx: intake with retries, the desk's filing and dispatch, the
    department's acceptance, a leader reading. Runs until `stop` is set."""

    def __init__(self, cluster, data, stats):
        self.base = f"http://127.0.0.1:{cluster.ports['nginx']}"
        self.data = data
        self.stats = stats
        self.stop = threading.Event()
        self.phase = ["before"]
        self.lock = threading.Lock()
        self.acked = {}  # (account, Idempotency-Key) → case number
        self.given_up = []  # keys whose every attempt failed (the client never heard back)
        self.to_file = queue.Queue()
        self.to_accept = queue.Queue()
        self.filed = set()
        self.accepted = set()
        self.threads = []

    def client(self, account):
        return Client(self.base, self.data["accounts"][account]["token"], self.stats, self.phase)

    def reporter(self, account, seed):
        rng = random.Random(seed)
        client = self.client(account)
        while not self.stop.is_set():
            key = str(uuid.UUID(int=rng.getrandbits(128)))
            resp = client.call(
                "intake",
                "POST",
                "/api/cases/",
                ok=(200, 201),
                headers={"Idempotency-Key": key},
                json=intake_body(self.data, rng),
            )
            if resp is not None and resp.status_code in (200, 201):
                number = resp.json()["number"]
                with self.lock:
                    self.acked[(account, key)] = number
                self.to_file.put(number)
            else:
                with self.lock:
                    self.given_up.append((account, key))
            self.stop.wait(self_pacing(rng))

    def desk(self):
        client = self.client("operator2")
        department = self.data["department"]
        while not self.stop.is_set():
            try:
                number = self.to_file.get(timeout=0.5)
            except queue.Empty:
                continue
            # 409 on a retry: the first attempt went through before the answer was lost.
            filed = client.call(
                "file", "POST", f"/api/cases/{number}/file/", ok=(200, 409), json={}
            )
            if filed is None or filed.status_code not in (200, 409):
                continue
            self.filed.add(number)
            sent = client.call(
                "dispatch",
                "POST",
                f"/api/cases/{number}/dispatch/",
                ok=(200, 409),
                json={"department": department, "note": "请尽快处置"},
            )
            if sent is not None and sent.status_code == 200:
                self.to_accept.put(number)

    def department(self):
        client = self.client("handler")
        while not self.stop.is_set():
            try:
                number = self.to_accept.get(timeout=0.5)
            except queue.Empty:
                continue
            done = client.call(
                "accept", "POST", f"/api/cases/{number}/accept/", ok=(200, 409), json={}
            )
            if done is not None and done.status_code == 200:
                self.accepted.add(number)

    def reader(self, seed):
        rng = random.Random(seed)
        client = self.client("leader")
        while not self.stop.is_set():
            client.call("list", "GET", "/api/cases/?limit=20")
            with self.lock:
                numbers = list(self.acked.values())[-50:]
            if numbers:
                client.call("detail", "GET", f"/api/cases/{rng.choice(numbers)}/")
            self.stop.wait(self_pacing(rng))

    def start(self, reporters):
        targets = [(self.reporter, ("operator", 100 + i)) for i in range(reporters)]
        targets += [
            (self.desk, ()),
            (self.desk, ()),
            (self.department, ()),
            (self.reader, (1,)),
            (self.reader, (2,)),
        ]
        for target, args in targets:
            thread = threading.Thread(target=target, args=args, daemon=True)
            thread.start()
            self.threads.append(thread)

    def finish(self):
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def self_pacing(rng) -> float:
    # Modest: each client pauses 50–150 ms between requests (the machine runs everything).
    return rng.uniform(0.05, 0.15)


# --- checks -----------------------------------------------------------------------------------


class Verdicts:
    def __init__(self):
        self.rows = []

    def check(self, name, ok, detail):
        self.rows.append((name, bool(ok), detail))
        say(f"{'PASS' if ok else 'FAIL'}  {name}: {detail}")

    @property
    def passed(self):
        return all(ok for _name, ok, _detail in self.rows)


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def kill_mid_job(worker, timeout) -> tuple[int | None, int]:
    """SIGKILL an RQ worker and its work horse while the horse runs a job and deliveries are
    leased (the worst moment), or at `timeout` whatever it is doing."""
    deadline = time.monotonic() + timeout
    horse, leased = None, 0
    while time.monotonic() < deadline:
        kids = children(worker.popen.pid)
        if kids:
            leased = leased_deliveries()
            if leased:
                horse = kids[0]
                break
        time.sleep(0.01)
    worker.kill9()
    return horse, leased


def leased_deliveries() -> int:
    from django.db import connections
    from django.utils import timezone

    from civicgrid.messaging.models import Delivery

    count = Delivery.objects.filter(status="pending", lease_until__gt=timezone.now()).count()
    connections.close_all()
    return count


def wait_drained(timeout) -> dict:
    from django.db import connections

    from civicgrid.messaging.models import Delivery

    deadline = time.monotonic() + timeout
    while True:
        counts = Counter(Delivery.objects.values_list("status", flat=True))
        connections.close_all()
        if set(counts) <= {"delivered"} or time.monotonic() > deadline:
            return dict(counts)
        time.sleep(1)


def periodic_runs(logs: Path, since) -> dict:
    """Per job: runs the nodes reported in their logs ("job=ran"/"job=failed"), rows of
    core.PeriodicRun since the start, and the largest number of rows for one period."""
    from django.db import connections
    from django.db.models import Count

    from civicgrid.core.models import PeriodicRun

    reported = Counter()
    ticks = Counter()
    for node in ("a", "b"):
        text = (logs / f"periodic-{node}.log").read_text(errors="replace")
        for job, state in re.findall(r"(\w+)=(ran|failed|skipped)", text):
            ticks[node] += 1
            if state != "skipped":
                reported[(job, node)] += 1
    out = {}
    for job in PERIODIC_JOBS:
        rows = PeriodicRun.objects.filter(job=job, started_at__gte=since)
        per_period = rows.values("period_start").annotate(n=Count("pk")).order_by("-n")
        out[job] = {
            "rows": rows.count(),
            "unfinished": rows.filter(finished_at__isnull=True).count(),
            "periods": per_period.count(),
            "max_per_period": per_period[0]["n"] if per_period else 0,
            "by_node": {n: reported[(job, n)] for n in ("a", "b")},
            "nodes_in_rows": rows.values("node").distinct().count(),
        }
    connections.close_all()
    out["ticks"] = dict(ticks)
    return out


def verify(cluster, data, load, rate_answers, photo, photo_reads, started_at, verdicts, drained):
    from django.db import connections

    from civicgrid.cases.models import Case
    from civicgrid.cases.services import idempotency_key
    from civicgrid.messaging.models import Delivery

    # 1. every acknowledged case stored once, under its key, with the number the client was told.
    pk_of = {name: acc["pk"] for name, acc in data["accounts"].items()}
    keys = {
        idempotency_key(key, f"api:{pk_of[account]}"): number
        for (account, key), number in load.acked.items()
    }
    stored = Counter(Case.objects.filter(client_key__in=keys).values_list("client_key", flat=True))
    numbers = dict(Case.objects.filter(client_key__in=keys).values_list("client_key", "number"))
    missing = [k for k in keys if stored[k] == 0]
    doubled = [k for k, n in stored.items() if n > 1]
    wrong = [k for k, number in keys.items() if numbers.get(k) not in (None, number)]
    given_up = {idempotency_key(k, f"api:{pk_of[a]}") for a, k in load.given_up}
    verdicts.check(
        "acknowledged cases stored exactly once",
        keys and not missing and not doubled and not wrong,
        f"{len(keys)} acknowledged, {len(missing)} missing, {len(doubled)} stored twice, "
        f"{len(wrong)} with another number; {len(given_up)} given up by their client "
        f"({Case.objects.filter(client_key__in=given_up).count()} of them stored)",
    )

    # 2. every message delivered once per channel.
    deliveries = Delivery.objects.filter(status="delivered")
    sms_keys = {
        f"civicgrid-notification-{pk}"
        for pk in deliveries.filter(channel="sms").values_list("pk", flat=True)
    }
    by_channel = Counter(deliveries.values_list("channel", flat=True))
    received = cluster.sink.snapshot()
    per_key = defaultdict(list)
    for key, phone, text in received:
        per_key[key].append((phone, text))
    lost = sms_keys - set(per_key)
    stray = set(per_key) - sms_keys
    conflicting = [k for k, sent in per_key.items() if len(set(sent)) > 1]
    resent = {k: len(sent) for k, sent in per_key.items() if len(sent) > 1}
    verdicts.check(
        "outbox drained",
        set(drained) <= {"delivered"},
        f"deliveries by status after the load: {drained}",
    )
    verdicts.check(
        "every SMS delivered exactly once per key",
        sms_keys and not lost and not stray and not conflicting and len(resent) <= 2,
        f"{len(sms_keys)} SMS deliveries, sink received {len(received)} posts under "
        f"{len(per_key)} keys: {len(lost)} lost, {len(stray)} unknown, {len(conflicting)} keys "
        f"with two different texts, {len(resent)} re-sent under their key after the kill "
        f"(an idempotent gateway keeps one); deliveries per channel {dict(by_channel)}",
    )
    filed_sms = deliveries.filter(
        channel="sms", message__kind="file", message__case_number__in=load.filed
    ).count()
    verdicts.check(
        "one filing SMS per filed case",
        filed_sms == len(load.filed),
        f"{len(load.filed)} cases filed during the load, {filed_sms} filing texts delivered",
    )

    # 3. the intake limit counted across both nodes.
    rate_answers, address_answers = rate_answers
    accepted = sum(n for (node, status), n in rate_answers.items() if status == 201)
    refused = sum(n for (node, status), n in rate_answers.items() if status == 429)
    both = all(rate_answers[(node, 201)] > 0 for node in ("a", "b"))
    verdicts.check(
        "intake rate limit shared by both nodes (Redis)",
        accepted == INTAKE_LIMIT and refused == sum(rate_answers.values()) - INTAKE_LIMIT and both,
        f"limit {INTAKE_LIMIT}: {accepted} accepted, {refused} refused (429) over node A and B "
        f"alternately {dict(sorted((f'{n}:{s}', c) for (n, s), c in rate_answers.items()))}",
    )

    per_source = {
        source: (address_answers[(source, 201)], address_answers[(source, 429)])
        for source in ("127.0.0.2", "127.0.0.3")
    }
    nodes_hit = {
        source: sorted(
            k[1] for k in address_answers if k[0] == source and str(k[1]).startswith("node")
        )
        for source in per_source
    }
    verdicts.check(
        "per-address limit behind nginx (trusted proxy, forged X-Forwarded-For ignored)",
        all(v == (INTAKE_LIMIT, 3) for v in per_source.values())
        and all(len(v) == 2 for v in nodes_hit.values()),
        f"Open311 POSTs through nginx, {INTAKE_LIMIT + 3} per client address: "
        + "; ".join(
            f"{source}{' (forging X-Forwarded-For)' if source.endswith('.2') else ''} "
            f"{ok} accepted, {refused} refused over {' and '.join(nodes_hit[source])}"
            for source, (ok, refused) in per_source.items()
        ),
    )

    # 4. periodic work once per period.
    runs = periodic_runs(cluster.logs, started_at)
    ok = all(
        r["max_per_period"] == 1
        and r["rows"] >= 1
        # A node killed between finishing a job and printing it reports one run fewer.
        and 0 <= r["rows"] - r["unfinished"] - sum(r["by_node"].values()) <= 1
        for job, r in runs.items()
        if job != "ticks"
    ) and all(runs["ticks"].get(n, 0) > 0 for n in ("a", "b"))
    verdicts.check(
        "periodic jobs ran once per period on two nodes",
        ok,
        "; ".join(
            f"{job}: {r['periods']} periods, {r['rows']} runs (A {r['by_node']['a']}, "
            f"B {r['by_node']['b']}, unfinished {r['unfinished']}), at most {r['max_per_period']} "
            "per period"
            for job, r in runs.items()
            if job != "ticks"
        )
        + f"; loop ticks A {runs['ticks'].get('a', 0)}, B {runs['ticks'].get('b', 0)}",
    )

    # 5. photos from either node.
    pk, from_a = photo
    verdicts.check(
        "photo uploaded on node A readable on node B and through nginx after the kill",
        from_a and photo_reads["b"] == from_a and photo_reads["nginx-after"] == from_a,
        f"attachment {pk}: {len(from_a or b'')} bytes from A, "
        f"{len(photo_reads['b'] or b'')} from B, {len(photo_reads['nginx-after'] or b'')} "
        "through nginx after node B died; objects in the bucket: "
        f"{photo_reads['objects']}, files under MEDIA_ROOT: {photo_reads['media_files']}",
    )

    # 6. failover.
    after = Counter(
        {k.split(" ", 1)[1]: n for k, n in load.stats.upstreams.items() if k.startswith("after ")}
    )
    node_b = f"127.0.0.1:{cluster.ports['b']}"
    ok_after = sum(n for k, n in after.items() if node_b not in k.split(", ")[-1])
    verdicts.check(
        "nginx failed over to node A",
        ok_after > 0 and load.accepted,
        f"after the kill {ok_after} answers came from node A "
        f"(upstreams {dict(after.most_common(3))}); cases accepted by the department: "
        f"{len(load.accepted)}",
    )
    connections.close_all()


def group_usage(proc) -> tuple[int, float, float]:
    """Processes, resident memory (MB) and CPU seconds used so far of a child's process group."""
    ticks = os.sysconf("SC_CLK_TCK")
    page = os.sysconf("SC_PAGE_SIZE")
    count, rss, cpu = 0, 0, 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # After the command: state, ppid, pgrp, …; utime and stime are the 12th and 13th.
        if int(fields[2]) != proc.popen.pid:
            continue
        count += 1
        cpu += (int(fields[11]) + int(fields[12])) / ticks
        rss += int(fields[21]) * page
    return count, rss / 1e6, cpu


def percentile(values, q):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def report_load(stats, seconds):
    for kind in ("intake", "file", "dispatch", "accept", "list", "detail"):
        lat = stats.latency[kind]
        say(
            f"  {kind:8} {stats.ok[kind]:6} ok ({stats.ok[kind] / seconds:5.1f}/s) "
            f"p50 {percentile(lat, 50) * 1000:6.0f} ms  p99 {percentile(lat, 99) * 1000:6.0f} ms"
        )
    if stats.errors:
        say(f"  errors seen by clients (then retried): {dict(stats.errors)}")
        for (kind, error), sample in list(stats.samples.items())[:4]:
            say(f"    {kind} {error}: {sample[:160]!r}")


# --- main -------------------------------------------------------------------------------------


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _deadline(signum, frame):
    raise Deadline


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the load phase")
    parser.add_argument("--reporters", type=int, default=3, help="concurrent reporting clients")
    parser.add_argument("--gunicorn-workers", type=int, default=2, help="per node")
    parser.add_argument("--redis-db", type=int, default=13, help="flushed at start and end")
    parser.add_argument("--deadline", type=int, default=300, help="the whole run, in seconds")
    parser.add_argument("--keep", action="store_true", help="keep the logs (printed path)")
    parser.add_argument(
        "--rebuild-template", action="store_true", help="migrate the template database again"
    )
    args = parser.parse_args(argv)

    signal.signal(signal.SIGTERM, _interrupt)
    signal.signal(signal.SIGALRM, _deadline)
    started = time.monotonic()
    cluster = Cluster(args)
    verdicts = Verdicts()
    try:
        cluster.start_services()
        data = cluster.prepare_database()
        # Bounded from here (a first run builds the template database before, once).
        signal.alarm(args.deadline)
        started = time.monotonic()
        from django.utils import timezone

        t0 = timezone.now()
        cluster.start_nodes()

        say("1. the intake limit through both nodes")
        rate_answers = rate_limit_check(cluster, data)
        address_answers = address_limit_check(cluster, data)

        stats = Stats()
        load = Load(cluster, data, stats)
        say(
            f"2. load through nginx for {args.seconds:g} s ({args.reporters} reporters, desk, "
            "department, 2 readers)"
        )
        load.start(args.reporters)
        # A case for the photo: the first one the load reports.
        number = load.to_file.get(timeout=60)
        load.to_file.put(number)
        photo = photo_upload(cluster, data, number)
        photo_reads = {
            "b": photo_bytes(
                cluster, data["accounts"]["leader"]["token"], cluster.ports["b"], photo[0]
            )
        }
        say(f"   photo {photo[0]} uploaded on node A, read on node B")
        load_started = time.monotonic()

        def at(fraction):
            remaining = load_started + args.seconds * fraction - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)

        at(0.3)
        worker = cluster.procs["worker-1"]
        horse, leased = kill_mid_job(worker, timeout=args.seconds * 0.08)
        say(
            f"   kill -9 worker-1 (pid {worker.popen.pid}) "
            + (
                f"in the middle of a job (work horse {horse}; {leased} deliveries under lease)"
                if horse
                else "(no job running at that moment)"
            )
        )
        at(0.38)
        worker.restarts += 1
        worker.start()
        say(f"   worker-1 restarted (pid {worker.popen.pid})")
        at(0.5)
        load.phase[0] = "after"
        for name in ("node-b", "periodic-b"):
            cluster.procs[name].kill9()
        alone_since = time.monotonic(), group_usage(cluster.procs["node-a"])[2]
        say("   kill -9 node B (gunicorn master and workers, its run_periodic); it stays dead")
        at(1.0)
        measured_at = time.monotonic()
        usage = {
            name: group_usage(cluster.procs[name])
            for name in ("node-a", "periodic-a", "worker-2", "nginx")
        }
        load.finish()
        load_seconds = time.monotonic() - load_started
        say(f"load done in {load_seconds:.0f} s:")
        report_load(stats, load_seconds)
        for name, (count, rss, cpu) in usage.items():
            say(f"  {name}: {count} processes, {rss:.0f} MB resident, {cpu:.1f} CPU s since start")
        alone = sum(n for k, n in stats.upstreams.items() if k.startswith("after "))
        alone_seconds = measured_at - alone_since[0]
        alone_cpu = usage["node-a"][2] - alone_since[1]
        say(
            f"  node A alone after the kill: {alone} requests in {alone_seconds:.0f} s "
            f"({alone / alone_seconds:.1f}/s), {alone_cpu:.1f} CPU s = "
            f"{alone_cpu / max(alone, 1) * 1000:.0f} CPU ms per request of this mix"
        )

        photo_reads["nginx-after"] = photo_bytes(
            cluster, data["accounts"]["leader"]["token"], cluster.ports["nginx"], photo[0]
        )
        import boto3

        s3 = boto3.client(
            "s3",
            endpoint_url=f"http://127.0.0.1:{cluster.ports['s3']}",
            region_name=REGION,
            aws_access_key_id="cluster",
            aws_secret_access_key="cluster-secret",
        )
        photo_reads["objects"] = s3.list_objects_v2(Bucket=BUCKET).get("KeyCount", 0)
        media = cluster.tmp / "var" / "media"
        photo_reads["media_files"] = (
            sum(1 for p in media.rglob("*") if p.is_file()) if media.exists() else 0
        )

        say(f"3. draining the outbox (leases of {LEASE_SECONDS} s; the sweep every 60 s)")
        drained = wait_drained(max(30, args.deadline - (time.monotonic() - started) - 40))
        verify(
            cluster,
            data,
            load,
            (rate_answers, address_answers),
            photo,
            photo_reads,
            t0,
            verdicts,
            drained,
        )
    except Deadline:
        verdicts.check("finished within --deadline", False, f"{args.deadline} s")
    except KeyboardInterrupt:
        verdicts.check("not interrupted", False, "stopped by a signal")
    except SystemExit as exc:
        verdicts.check("the cluster started", False, str(exc))
    except Exception as exc:
        traceback.print_exc()
        verdicts.check("no unexpected error", False, repr(exc)[:300])
    finally:
        signal.alarm(0)
        cluster.stop()
    total = time.monotonic() - started
    failed = [name for name, ok, _detail in verdicts.rows if not ok]
    print()
    print(
        f"cluster-test: {'PASS' if verdicts.rows and not failed else 'FAIL'} "
        f"({len(verdicts.rows) - len(failed)}/{len(verdicts.rows)} checks, {total:.0f} s)"
        + (f" — failed: {', '.join(failed)}" if failed else "")
    )
    return 0 if verdicts.rows and not failed else 1


if __name__ == "__main__":
    sys.exit(main())
