"""Django settings for civicgrid, read from environment variables with typed defaults.

Demo mode (the default) keeps everything under ./var/: the SQLite database and a generated
SECRET_KEY. Production mode (CIVICGRID_PRODUCTION=1) refuses to start without SECRET_KEY.
Importing the settings writes nothing: var/ and var/secret_key are made by the demo-files check
(civicgrid.core.checks) that the first management command runs (`make demo` starts with migrate).
civicgrid's own settings are the CIVICGRID_* block below, each once with its variable and default.
"""

import datetime
import ipaddress
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from civicgrid.core import objectstore
from civicgrid.env import (
    ImproperlyConfiguredEnv,
    env_bool,
    env_float,
    env_int,
    env_list,
    env_str,
)
from civicgrid.workcalendar.hours import working_hours_env

BASE_DIR = Path(__file__).resolve().parent.parent

# --- civicgrid's own settings: every CIVICGRID_* value, once, with its variable and default ------

# Where the demo keeps its files (SQLite database, secret key, photos, mails).
CIVICGRID_VAR_DIR = Path(env_str("CIVICGRID_VAR_DIR", str(BASE_DIR / "var")))
# Production mode: SECRET_KEY required, DEBUG off, HTTPS, no demo data or logins.
CIVICGRID_PRODUCTION = env_bool("CIVICGRID_PRODUCTION", False)
# The URLconf; bench/intake.py's server uses "civicgrid.bench_urls" (adds /bench/hello).
CIVICGRID_URLCONF = env_str("CIVICGRID_URLCONF", "civicgrid.urls")
# Login throttling (accounts.throttle): failures before a lock-out, by account and by client
# address, and how long the lock-out lasts.
CIVICGRID_LOGIN_FAILURE_LIMITS = {
    "username": env_int("CIVICGRID_LOGIN_FAILURES_PER_ACCOUNT", 5),
    "ip_address": env_int("CIVICGRID_LOGIN_FAILURES_PER_ADDRESS", 20),
}
CIVICGRID_LOGIN_LOCKOUT_MINUTES = env_int("CIVICGRID_LOGIN_LOCKOUT_MINUTES", 15)
# Client addresses (core/ratelimit.client_ip, for rate limits and login throttles): REMOTE_ADDR,
# unless it is one of these reverse proxies (addresses or CIDR networks, e.g. "10.0.0.0/8" for
# nginx on the private network); then the right-most address of CIVICGRID_CLIENT_IP_HEADER (the
# META key of X-Forwarded-For) that is not itself a trusted proxy. Empty: no proxy is trusted.
CIVICGRID_TRUSTED_PROXIES = env_list("CIVICGRID_TRUSTED_PROXIES", [])
CIVICGRID_CLIENT_IP_HEADER = env_str("CIVICGRID_CLIENT_IP_HEADER", "HTTP_X_FORWARDED_FOR")
for _proxy in CIVICGRID_TRUSTED_PROXIES:
    try:
        ipaddress.ip_network(_proxy, strict=False)
    except ValueError:
        raise ImproperlyConfiguredEnv(
            f"CIVICGRID_TRUSTED_PROXIES: {_proxy!r} is not an IP address or CIDR network"
        ) from None
# API tokens (accounts.ApiToken) stop working this long after they were issued.
CIVICGRID_API_TOKEN_TTL_HOURS = env_int("CIVICGRID_API_TOKEN_TTL_HOURS", 24 * 30)
# One limit on every channel residents report through (web form, REST intake, Open311), per
# account or else per client address: (reports, window in seconds). See core/ratelimit.py.
CIVICGRID_INTAKE_LIMIT = (
    env_int("CIVICGRID_INTAKE_LIMIT", 10),
    env_int("CIVICGRID_INTAKE_WINDOW_SECONDS", 3600),
)
# The residents' pages (public.services): looking a case up and rating it, per visitor:
# (attempts, window in seconds).
CIVICGRID_PUBLIC_TRACK_LIMIT = (
    env_int("CIVICGRID_PUBLIC_TRACK_LIMIT", 20),
    env_int("CIVICGRID_PUBLIC_TRACK_WINDOW_SECONDS", 600),
)
CIVICGRID_PUBLIC_RATE_LIMIT = (
    env_int("CIVICGRID_PUBLIC_RATE_LIMIT", 10),
    env_int("CIVICGRID_PUBLIC_RATE_WINDOW_SECONDS", 600),
)
# … and answering the satisfaction survey (居民满意度测评).
CIVICGRID_PUBLIC_SURVEY_LIMIT = (
    env_int("CIVICGRID_PUBLIC_SURVEY_LIMIT", 10),
    env_int("CIVICGRID_PUBLIC_SURVEY_WINDOW_SECONDS", 600),
)
# What Open311's GET requests.json publishes: cases from these sources (open311.adapter).
CIVICGRID_OPEN311_PUBLIC_SOURCES = env_list(
    "CIVICGRID_OPEN311_PUBLIC_SOURCES", ["open311", "resident"]
)
# How often a process asks whether the grid tree changed (grids.locator), in seconds.
CIVICGRID_LOCATOR_CHECK_SECONDS = env_float("CIVICGRID_LOCATOR_CHECK_SECONDS", 1.0)
# Maps (Leaflet) draw the grid polygons on a plain background: the machines have no internet.
# A street with its own tile service sets its URL template, e.g.
# "https://tiles.example.gov.cn/{z}/{x}/{y}.png", and the attribution text to show.
CIVICGRID_MAP_TILE_URL = env_str("CIVICGRID_MAP_TILE_URL", "")
CIVICGRID_MAP_TILE_ATTRIBUTION = env_str("CIVICGRID_MAP_TILE_ATTRIBUTION", "")
# Notifications of the case loop (cases/notifications.py, civicgrid/messaging): channels as dotted
# paths, comma-separated in the environment. The demo tells people on the console (the log), by
# e-mail and by SMS; with no mail server on the machine the e-mails are files under var/mail/
# (EMAIL_BACKEND and EMAIL_FILE_PATH below), and without an SMS provider the texts go to the log.
# Links in the messages start with CIVICGRID_PUBLIC_BASE_URL.
CIVICGRID_NOTIFICATION_CHANNELS = env_list(
    "CIVICGRID_NOTIFICATION_CHANNELS",
    [
        "civicgrid.messaging.channels.ConsoleChannel",
        "civicgrid.messaging.channels.EmailChannel",
        "civicgrid.messaging.channels.SmsChannel",
    ],
)
# The outbox's worker (messaging/outbox.py): deliveries per batch, how long a worker holds a batch
# before another may take it over (longer than a batch takes: batch × the slowest channel's
# timeout), and attempts before a delivery is marked failed.
CIVICGRID_OUTBOX_BATCH = env_int("CIVICGRID_OUTBOX_BATCH", 20)
CIVICGRID_OUTBOX_LEASE_SECONDS = env_int("CIVICGRID_OUTBOX_LEASE_SECONDS", 300)
CIVICGRID_OUTBOX_MAX_ATTEMPTS = env_int("CIVICGRID_OUTBOX_MAX_ATTEMPTS", 8)
# The SMS provider (messaging/sms.py): JSON POSTed to CIVICGRID_SMS_URL with CIVICGRID_SMS_KEY as a
# bearer token, the sender (签名) and template id when the provider wants them, and the timeout of
# one attempt. Empty URL: texts are written to the log (phones masked).
CIVICGRID_SMS_URL = env_str("CIVICGRID_SMS_URL", "")
CIVICGRID_SMS_KEY = env_str("CIVICGRID_SMS_KEY", "")
CIVICGRID_SMS_SENDER = env_str("CIVICGRID_SMS_SENDER", "")
CIVICGRID_SMS_TEMPLATE = env_str("CIVICGRID_SMS_TEMPLATE", "")
CIVICGRID_SMS_TIMEOUT_SECONDS = env_float("CIVICGRID_SMS_TIMEOUT_SECONDS", 10.0)
CIVICGRID_PUBLIC_BASE_URL = env_str("CIVICGRID_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# The 12345 hotline's endpoint for what the street sends back (退单, 办结 replies: cases/hotline.py),
# its key (a bearer token) and the timeout of one attempt. Empty URL: nothing is sent (the
# messages wait in the outbox).
CIVICGRID_HOTLINE_URL = env_str("CIVICGRID_HOTLINE_URL", "")
CIVICGRID_HOTLINE_KEY = env_str("CIVICGRID_HOTLINE_KEY", "")
CIVICGRID_HOTLINE_TIMEOUT_SECONDS = env_float("CIVICGRID_HOTLINE_TIMEOUT_SECONDS", 10.0)
# 先行联系: hours after the report within which the caller of a 12345 ticket must be contacted.
CIVICGRID_FIRST_CONTACT_HOURS = env_float("CIVICGRID_FIRST_CONTACT_HOURS", 2.0)
# Excel export of a case list (console/export.py): the most rows one file may hold; a larger
# list is refused with a message to narrow the filters (Excel's own limit is 1,048,576).
CIVICGRID_CASE_EXPORT_MAX_ROWS = env_int("CIVICGRID_CASE_EXPORT_MAX_ROWS", 200_000)
# 沿街商铺 (civicgrid.shops): a block whose half-monthly refresh is not complete turns yellow this
# many days before the half-month ends; a failed 门责 item is re-inspected within this many
# working days.
CIVICGRID_SHOPS_YELLOW_DAYS = env_int("CIVICGRID_SHOPS_YELLOW_DAYS", 3)
CIVICGRID_SHOPS_REINSPECT_WORKING_DAYS = env_int("CIVICGRID_SHOPS_REINSPECT_WORKING_DAYS", 3)
# The console's case map (console/maps.py): the most case markers one answer carries.
CIVICGRID_CASE_MAP_MAX_MARKERS = env_int("CIVICGRID_CASE_MAP_MAX_MARKERS", 20_000)
# 三会 (civicgrid.meetings): a meeting's notice goes up this many days ahead (editable per meeting);
# the default quorum rule: more than this % of the representatives present, and a motion passes
# with more than this % of those present voting for it.
CIVICGRID_MEETINGS_NOTICE_DAYS = env_int("CIVICGRID_MEETINGS_NOTICE_DAYS", 5)
CIVICGRID_MEETINGS_QUORUM_PERCENT = env_int("CIVICGRID_MEETINGS_QUORUM_PERCENT", 50)
CIVICGRID_MEETINGS_PASS_PERCENT = env_int("CIVICGRID_MEETINGS_PASS_PERCENT", 50)
# 公示 (civicgrid.notices): the objection period of a 公示 in working days (workcalendar), unless the
# notice sets its own.
CIVICGRID_NOTICES_OBJECTION_DAYS = env_int("CIVICGRID_NOTICES_OBJECTION_DAYS", 5)
# 党组织 (civicgrid.party): seed 002's "'1'即由微网格党组织负责人兼任网格长". "refuse": a 网格长 post
# given to anyone but the micro-grid's party organisation's secretary is refused (and so is a
# secretary who is not the sitting 网格长); "flag": it is allowed and shown on the coverage page.
CIVICGRID_PARTY_HEAD_RULE = env_str("CIVICGRID_PARTY_HEAD_RULE", "flag")

# Uploaded files (case, inspection and patrol photos) in an S3-compatible object store
# (django-storages; core/objectstore.py) when a bucket is named: the endpoint for MinIO, Ceph or
# another S3-compatible store (empty: AWS), its region, and a key prefix inside the bucket.
# The keys come from AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or boto3's own lookup: an
# instance role). No bucket: files under MEDIA_ROOT. The bucket stays private: the app serves
# every file itself after its scope check.
CIVICGRID_S3_BUCKET = env_str("CIVICGRID_S3_BUCKET", "")
CIVICGRID_S3_ENDPOINT_URL = env_str("CIVICGRID_S3_ENDPOINT_URL", "")
CIVICGRID_S3_REGION = env_str("CIVICGRID_S3_REGION", "")
CIVICGRID_S3_PREFIX = env_str("CIVICGRID_S3_PREFIX", "")
# A read replica of the database (core/replica.py): with DATABASE_REPLICA_URL set, GET requests to
# the pages under these paths (the dashboard) and to the API's lists read from it; a browser that
# has just written reads the primary for this many seconds (a cookie), so it sees its own writes.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL", "")
CIVICGRID_READ_REPLICA = bool(DATABASE_REPLICA_URL)
CIVICGRID_REPLICA_PATHS = env_list("CIVICGRID_REPLICA_PATHS", ["/dashboard/"])
CIVICGRID_REPLICA_PIN_SECONDS = env_int("CIVICGRID_REPLICA_PIN_SECONDS", 10)

# ---------------------------------------------------------------------------------------------------

VAR_DIR = CIVICGRID_VAR_DIR
PRODUCTION = CIVICGRID_PRODUCTION
# Off unless a developer asks for it, and never in production whatever DEBUG says: a debug page
# shows settings and the URL patterns to anyone.
DEBUG = False if PRODUCTION else env_bool("DEBUG", False)

# The demo keeps one generated key in var/secret_key so that sessions survive a restart of
# `make demo`: read here when it is there; else this process uses a fresh key, which the
# demo-files check (civicgrid.core.checks) stores for the next ones.
CIVICGRID_SECRET_KEY_FILE = None


def _secret_key() -> str:
    global CIVICGRID_SECRET_KEY_FILE
    key = env_str("SECRET_KEY", "")
    if key:
        return key
    if PRODUCTION:
        raise ImproperlyConfiguredEnv("SECRET_KEY is required when CIVICGRID_PRODUCTION=1")
    CIVICGRID_SECRET_KEY_FILE = VAR_DIR / "secret_key"
    if CIVICGRID_SECRET_KEY_FILE.exists():
        return CIVICGRID_SECRET_KEY_FILE.read_text().strip()
    return secrets.token_urlsafe(50)


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # django.contrib.admin on the project's site (civicgrid.accounts.adminsite).
    "civicgrid.accounts.apps.CivicgridAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "axes",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks",
    "django_tasks_db",
    "civicgrid.core",
    "civicgrid.accounts",
    "civicgrid.grids",
    "civicgrid.registry",
    "civicgrid.estates",
    "civicgrid.demo",
    "civicgrid.workcalendar",
    "civicgrid.messaging",
    "civicgrid.cases",
    "civicgrid.meetings",
    "civicgrid.duty",
    "civicgrid.survey",
    "civicgrid.sorting",
    "civicgrid.shops",
    "civicgrid.firesafety",
    "civicgrid.parking",
    "civicgrid.timebank",
    "civicgrid.projects",
    "civicgrid.party",
    "civicgrid.dispatch",
    "civicgrid.proactive",
    "civicgrid.campaigns",
    "civicgrid.notices",
    "civicgrid.open311",
    "civicgrid.attachments",
    # The web front (server-rendered pages; each area has its own app and catalogue).
    "civicgrid.web",
    "civicgrid.console",
    "civicgrid.fieldwork",
    "civicgrid.public",
    "civicgrid.dashboard",
    "civicgrid.emergency",
    "civicgrid.bulletin",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Reads of the dashboard and the API's lists on the replica, when there is one (core/replica.py).
    "civicgrid.core.replica.ReplicaMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Refuses hostile input (control characters, huge numbers, impossible dates, deep JSON,
    # oversized bodies) for every view with a 4xx in the user's language (civicgrid/core).
    "civicgrid.core.middleware.InputGuardMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # An htmx part whose session ended goes to the login page as a page, not inside the part.
    "civicgrid.core.htmx.HtmxSessionEndedMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: turns a login lock-out into its answer (accounts.throttle).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = CIVICGRID_URLCONF
WSGI_APPLICATION = "civicgrid.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "civicgrid" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "civicgrid.web.context.front",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'civicgrid.sqlite3'}")
DATABASES = {
    "default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web server read while the worker writes; the busy timeout makes a writer wait
    # for the other's lock instead of failing at once with "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
# PostgreSQL: parameters bound on the server, and a statement a connection has run DB_PREPARE
# times is prepared (psycopg's prepare_threshold), so the statements every request repeats — the
# token lookup, an intake's INSERTs — are not parsed and planned again: an intake's backend CPU
# falls by more than half (bench/prepared.py). Prepared statements live in the connection, so
# they pay with persistent connections (DB_CONN_MAX_AGE). DB_PREPARE=0 is Django's default
# (parameters merged into the SQL on the client), for a pooler in transaction mode that cannot
# keep prepared statements (PgBouncer before 1.21, or without max_prepared_statements).
DB_PREPARE = env_int("DB_PREPARE", 5)


def _prepared(db: dict) -> dict:
    if db["ENGINE"] == "django.db.backends.postgresql" and DB_PREPARE > 0:
        db.setdefault("OPTIONS", {}).update(server_side_binding=True, prepare_threshold=DB_PREPARE)
    return db


_prepared(DATABASES["default"])
# The read replica's alias (core/replica.py). Without DATABASE_REPLICA_URL it is the primary itself
# and the router never reads from it; in tests it is a TEST MIRROR of the default database, so
# routing tests can switch CIVICGRID_READ_REPLICA on. Migrations never run on it.
DATABASES["replica"] = (
    _prepared(
        dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 0))
    )
    if DATABASE_REPLICA_URL
    else dict(DATABASES["default"])
)
DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["civicgrid.core.replica.ReplicaRouter"]

# The cache every process shares (gunicorn workers, the task worker): rate limits and login
# throttles count in it. Redis when REDIS_URL is set (redis://127.0.0.1:6379/0), else a table
# of the database (created by migration core 0001_cache_table, so `migrate` is enough).
CACHE_TABLE = "civicgrid_cache"
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "civicgrid",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            # Room for a counter per client address under attack without culling live ones.
            "OPTIONS": {"MAX_ENTRIES": env_int("CACHE_MAX_ENTRIES", 50_000)},
        }
    }

# Sessions stay rows of the database (a restart of Redis signs nobody out), but with the shared
# cache a signed-in page reads its session from Redis, not the table, on every node alike.
# Without Redis the cache is itself a table, so reading through it would only add a query.
SESSION_ENGINE = (
    "django.contrib.sessions.backends.cached_db"
    if REDIS_URL
    else "django.contrib.sessions.backends.db"
)

AUTH_USER_MODEL = "accounts.User"
# Django's validators: not too similar to the username/name/e-mail, at least 8 characters, not a
# common password (Django's list of 20,000), not all digits (`12345678` is refused).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Argon2id with OWASP's parameters first (core/hashers.py; measured by bench/login.py); the
# others stay so that existing hashes verify, and are rewritten with the first at the next sign-in.
# Not Django's own Argon2 hasher: it has the same algorithm name and, listed, would judge every
# hash by its own parameters (a rewrite at each sign-in); ours verifies any argon2 hash.
PASSWORD_HASHERS = [
    "civicgrid.core.hashers.OwaspArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
# Login throttling (django-axes, see civicgrid/accounts/throttle.py): failures are counted in the
# shared cache by account and by client address, each with its own limit; reaching one locks that
# account or address out for the cool-off, during which even the right password is refused.
AUTHENTICATION_BACKENDS = [
    "civicgrid.accounts.throttle.LoginThrottleBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "civicgrid.accounts.throttle.LoginThrottleHandler"
AXES_CACHE = "default"
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = CIVICGRID_LOGIN_FAILURE_LIMITS["username"]
AXES_COOLOFF_TIME = datetime.timedelta(minutes=CIVICGRID_LOGIN_LOCKOUT_MINUTES)
# A refused attempt during a lock-out does not extend it: the user is told when it ends.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_CLIENT_IP_CALLABLE = "civicgrid.core.ratelimit.client_ip"
AXES_LOCKOUT_CALLABLE = "civicgrid.accounts.throttle.lockout_response"
AXES_ENABLE_ADMIN = False  # the cache handler keeps no rows to show
AXES_VERBOSE = False
AXES_SENSITIVE_PARAMETERS = []  # the log names the account and address (never the password)
# The web front's login; the admin keeps its own (admin:login) for the back office.
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "civicgrid" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
# Working periods of a working day (local time) for deadlines in working hours (workcalendar);
# env form "09:00-12:00,13:00-18:00". Checked at start-up by the workcalendar system check.
WORKING_HOURS = working_hours_env(env_str("WORKING_HOURS", "09:00-12:00,13:00-18:00"))
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# WhiteNoise serves the static files in every mode (DEBUG is off in the demo too): from the apps'
# folders in the demo and in tests, from STATIC_ROOT (`collectstatic`) in production.
WHITENOISE_USE_FINDERS = not PRODUCTION
# `collectstatic` writes here in production; the demo and the tests serve from the apps' folders
# and need no such directory.
STATIC_ROOT = VAR_DIR / "staticfiles" if PRODUCTION else None
STATICFILES_DIRS = [BASE_DIR / "civicgrid" / "static"]
# Front-end libraries come from the npm registry at set-up (`npm ci`), never from a CDN.
_NODE = BASE_DIR / "node_modules"
for _prefix, _dir in [
    ("vendor/leaflet", _NODE / "leaflet" / "dist"),
    ("vendor/echarts", _NODE / "echarts" / "dist"),
    ("vendor/htmx", _NODE / "htmx.org" / "dist"),
    ("vendor/viewerjs", _NODE / "viewerjs" / "dist"),
    ("vendor/markercluster", _NODE / "leaflet.markercluster" / "dist"),
    ("vendor/leaflet-heat", _NODE / "leaflet.heat" / "dist"),
    ("vendor/idb-keyval", _NODE / "idb-keyval" / "dist"),
]:
    if _dir.is_dir():
        STATICFILES_DIRS.append((_prefix, _dir))
MEDIA_URL = "media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = objectstore.storages(
    bucket=CIVICGRID_S3_BUCKET,
    endpoint_url=CIVICGRID_S3_ENDPOINT_URL,
    region=CIVICGRID_S3_REGION,
    access_key=env_str("AWS_ACCESS_KEY_ID", ""),
    secret_key=env_str("AWS_SECRET_ACCESS_KEY", ""),
    prefix=CIVICGRID_S3_PREFIX,
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# django-filter's own forms (the API's browsable filters): an empty choice reads 全部, as on the
# pages (civicgrid.core.forms).
FILTERS_EMPTY_CHOICE_LABEL = _("全部")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's, but a refused token is a 401 (accounts/tokens.py).
        "civicgrid.accounts.tokens.SessionAuthentication",
        # Expiring, revocable tokens (accounts.ApiToken): `Authorization: Token …`.
        "civicgrid.accounts.tokens.ExpiringTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # Bodies checked while parsed: size, JSON depth, clean text (civicgrid/core/parsers.py).
    "DEFAULT_PARSER_CLASSES": [
        "civicgrid.core.parsers.JSONParser",
        "civicgrid.core.parsers.FormParser",
        "civicgrid.core.parsers.MultiPartParser",
    ],
    # ?limit= is capped (max_limit), so one request cannot return a whole registry.
    "DEFAULT_PAGINATION_CLASS": "civicgrid.core.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    # drf-spectacular, with the error answers documented (civicgrid/core/openapi.py).
    "DEFAULT_SCHEMA_CLASS": "civicgrid.core.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "civicgrid.core.api.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "civicgrid API",
    "DESCRIPTION": "网格化管理 / 一网统管 — grids, registries and the case loop",
    "VERSION": "0.1.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    # One stable component name per choice set, whatever the field is called ("status", "kind",
    # "source", "role", "level" mean different sets in different resources), so generated clients
    # keep their type names when a serializer is added or renamed.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "civicgrid.cases.choices.CaseStatus",
        "CaseSourceEnum": "civicgrid.cases.choices.CaseSource",
        "CaseActionEnum": "civicgrid.cases.choices.CaseAction",
        "WarningLevelEnum": "civicgrid.cases.choices.WarningLevel",
        "CategoryFamilyEnum": "civicgrid.cases.choices.CategoryFamily",
        "LimitUnitEnum": "civicgrid.cases.choices.LimitUnit",
        "RatingEnum": "civicgrid.cases.choices.Rating",
        "HotlineRequestTypeEnum": "civicgrid.cases.choices.HotlineRequestType",
        "ExtensionStatusEnum": "civicgrid.cases.choices.ExtensionStatus",
        "CallInStatusEnum": "civicgrid.cases.choices.CallInStatus",
        "DutyRoleEnum": "civicgrid.duty.choices.DutyRole",
        "SupervisionStatusEnum": "civicgrid.duty.choices.SupervisionStatus",
        "AttachmentKindEnum": "civicgrid.attachments.choices.AttachmentKind",
        "CalendarDayKindEnum": "civicgrid.workcalendar.choices.DayKind",
        "CalendarDaySourceEnum": "civicgrid.workcalendar.choices.DaySource",
        "GridLevelEnum": "civicgrid.grids.choices.GridLevel",
        "PostRoleEnum": "civicgrid.grids.choices.PostRole",
        "DutyEnum": "civicgrid.grids.choices.Duty",
        "UserRoleEnum": "civicgrid.accounts.choices.Role",
        "GenderEnum": "civicgrid.registry.choices.Gender",
        "IdTypeEnum": "civicgrid.registry.choices.IdType",
        "CareTagEnum": "civicgrid.registry.choices.CareTag",
        "PiiFieldEnum": "civicgrid.registry.choices.PiiField",
        "SortingPointKindEnum": "civicgrid.sorting.choices.PointKind",
        "ShopStateEnum": "civicgrid.shops.choices.ShopState",
        "FireColourEnum": "civicgrid.firesafety.choices.Colour",
        "FireStructureEnum": "civicgrid.firesafety.choices.Structure",
        "FireHouseUseEnum": "civicgrid.firesafety.choices.HouseUse",
        "FireSeverityEnum": "civicgrid.firesafety.choices.Severity",
        "ParkingSpaceKindEnum": "civicgrid.parking.choices.SpaceKind",
        "ParkingBookingStateEnum": "civicgrid.parking.choices.BookingState",
        "ParkingEscalationKindEnum": "civicgrid.parking.choices.EscalationKind",
        "MeetingKindEnum": "civicgrid.meetings.choices.MeetingKind",
        "MeetingStateEnum": "civicgrid.meetings.choices.MeetingState",
        "MeetingBodyKindEnum": "civicgrid.meetings.choices.BodyKind",
        "ProjectKindEnum": "civicgrid.projects.choices.ProjectKind",
        "ProjectStateEnum": "civicgrid.projects.choices.ProjectState",
        "ProjectHomeKindEnum": "civicgrid.projects.choices.HomeKind",
        "ProjectMilestoneKindEnum": "civicgrid.projects.choices.MilestoneKind",
        "TimebankProjectKindEnum": "civicgrid.timebank.choices.ProjectKind",
        "TimebankPartnerKindEnum": "civicgrid.timebank.choices.PartnerKind",
        "TimebankRequestStateEnum": "civicgrid.timebank.choices.RequestState",
        "TimebankRecordStateEnum": "civicgrid.timebank.choices.RecordState",
        "TimebankAccountKindEnum": "civicgrid.timebank.choices.AccountKind",
        "TimebankTransferKindEnum": "civicgrid.timebank.choices.TransferKind",
        "DispatchOutcomeEnum": "civicgrid.dispatch.choices.Outcome",
        "EmergencyFindingOutcomeEnum": "civicgrid.emergency.choices.FindingOutcome",
        "ProjectsCampaignLevelEnum": "civicgrid.projects.choices.CampaignLevel",
        "CampaignsLevelEnum": "civicgrid.campaigns.choices.CampaignLevel",
        "CampaignsCheckpointKindEnum": "civicgrid.campaigns.choices.CheckpointKind",
        "CampaignsOwnerKindEnum": "civicgrid.campaigns.choices.OwnerKind",
        "CampaignsRoundKindEnum": "civicgrid.campaigns.choices.RoundKind",
        "CampaignsRoundStateEnum": "civicgrid.campaigns.choices.RoundState",
        "CampaignsStructureStateEnum": "civicgrid.campaigns.choices.StructureState",
        "ProjectsFocusAreaEnum": "civicgrid.projects.choices.FocusArea",
        "ProjectsPhotoStageEnum": "civicgrid.projects.choices.PhotoStage",
        "BulletinIssueStateEnum": "civicgrid.bulletin.choices.IssueState",
        "BulletinSectionEnum": "civicgrid.bulletin.choices.Section",
        "BulletinTopicEnum": "civicgrid.bulletin.choices.Topic",
        "BulletinIssueActionEnum": "civicgrid.bulletin.choices.IssueAction",
        "EmergencyKindEnum": "civicgrid.emergency.choices.EmergencyKind",
        "EmergencyLevelEnum": "civicgrid.emergency.choices.Level",
        "EmergencyResponseStateEnum": "civicgrid.emergency.choices.ResponseState",
        "EmergencyPointKindEnum": "civicgrid.emergency.choices.PointKind",
        "EmergencyRiskEnum": "civicgrid.emergency.choices.Risk",
        "EmergencyWorkKindEnum": "civicgrid.emergency.choices.WorkKind",
        "EmergencyWorkStateEnum": "civicgrid.emergency.choices.WorkState",
        "EmergencyTaskKindEnum": "civicgrid.emergency.choices.TaskKind",
        "NoticesKindEnum": "civicgrid.notices.choices.NoticeKind",
        "NoticesStateEnum": "civicgrid.notices.choices.NoticeState",
        "NoticesScopeLevelEnum": "civicgrid.notices.choices.ScopeLevel",
        "NoticesAudienceEnum": "civicgrid.notices.choices.Audience",
        "NoticesSourceEnum": "civicgrid.notices.choices.NoticeSource",
        "NoticesSigningStatusEnum": "civicgrid.notices.choices.SigningStatus",
        "NoticesNominationStateEnum": "civicgrid.notices.choices.NominationState",
        "PartyOrgLevelEnum": "civicgrid.party.choices.OrgLevel",
        "PartySectorEnum": "civicgrid.party.choices.Sector",
        "PartyLifeKindEnum": "civicgrid.party.choices.LifeKind",
        "PartyVenueEnum": "civicgrid.party.choices.Venue",
        "PartyWorkStatusEnum": "civicgrid.party.choices.WorkStatus",
        "PartyAssignmentKindEnum": "civicgrid.party.choices.AssignmentKind",
        "PartyPointTierEnum": "civicgrid.party.choices.PointTier",
        "PartyPointKindEnum": "civicgrid.party.choices.PointKind",
        "ProactiveProblemStateEnum": "civicgrid.proactive.choices.ProblemState",
        "ProactivePlaceKindEnum": "civicgrid.proactive.choices.PlaceKind",
        "ProactiveTrendEnum": "civicgrid.proactive.choices.Trend",
        "ProactiveTaskOriginEnum": "civicgrid.proactive.choices.TaskOrigin",
        "ProactiveTaskStateEnum": "civicgrid.proactive.choices.TaskState",
    },
}

# Background tasks (django-tasks). TASKS_BACKEND=db (the default, embedded): the database worker,
# `manage.py db_worker`. TASKS_BACKEND=rq: Redis at TASKS_REDIS_URL (else REDIS_URL) through RQ, run
# by `manage.py rqworker --job-class django_tasks_rq.Job default` on as many machines as wanted.
# A dotted backend path is taken as it is. Periodic work: `manage.py run_periodic` (core/periodic.py).
_TASK_BACKENDS = {"db": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}
_tasks_backend = env_str("TASKS_BACKEND", "db")
TASKS = {
    "default": {
        "BACKEND": _TASK_BACKENDS.get(_tasks_backend, _tasks_backend),
        "QUEUES": ["default"],
    }
}
TASKS_REDIS_URL = env_str("TASKS_REDIS_URL", REDIS_URL or "redis://127.0.0.1:6379/0")
RQ_QUEUES = {"default": {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": 600}}
# rq 3.0 with redis-py 8.2 waited a minute to shut a worker down (messaging/rqworker.py).
RQ = {"WORKER_CLASS": "civicgrid.messaging.rqworker.Worker"}
if TASKS["default"]["BACKEND"] == _TASK_BACKENDS["rq"]:
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
# Periodic jobs (manage.py run_periodic, any number of nodes): name → seconds between runs and the
# function (dotted path, called without arguments). Each runs once per period however many nodes
# run the loop: the node that inserts the (job, period) row of core.PeriodicRun runs it.
CIVICGRID_PERIODIC_JOBS = {
    "case_deadlines": {"every": 60, "call": "civicgrid.cases.warnings.scan"},
    "outbox_sweep": {"every": 60, "call": "civicgrid.messaging.outbox.deliver_pending"},
    "parking_sweep": {"every": 300, "call": "civicgrid.parking.services.sweep"},
    "firesafety_overdue": {"every": 3600, "call": "civicgrid.firesafety.services.check_overdue"},
    # 主动治理: 一弄一案 detection and 返潮, hotspots (Gi*), yesterday's anomalies.
    "proactive_scan": {"every": 3600, "call": "civicgrid.proactive.services.scan"},
    # 未诉先办's stored answers of the last FIRST_WINDOW_DAYS + 1 days recomputed (a same-place
    # race of two reports can leave a count wrong there).
    "first_reports_recent": {"every": 3600, "call": "civicgrid.proactive.first.refresh_recent"},
    # 智能派单: retrain on the street's closed cases (30 days), the new model made active.
    "dispatch_retrain": {
        "every": 30 * 86400,
        "call": "civicgrid.dispatch.services.retrain_monthly",
    },
    # 公示公告: notices of the 三会 generated for review; scheduled notices published at their
    # time (so at most 5 minutes late); 公示 closed after their period.
    "notices_sweep": {"every": 300, "call": "civicgrid.notices.generate.periodic"},
    # The dashboard's street-wide default view recomputed every half of its cache interval, so
    # no leader's request pays for it (civicgrid.dashboard.shared).
    "dashboard_warm": {"every": 30, "call": "civicgrid.dashboard.shared.warm"},
}
# The dashboard's figures (a scope × period) are computed at most once per this many seconds and
# shared by every node through the cache; 0 computes them on every request.
CIVICGRID_DASHBOARD_CACHE_SECONDS = env_int("CIVICGRID_DASHBOARD_CACHE_SECONDS", 60)
# 主动治理 (civicgrid.proactive). 一弄一案: the same category (or category group) at one address,
# building group or micro-grid at least THRESHOLD times within WINDOW_DAYS; a case within
# RECUR_DAYS after closing is 返潮. Hotspots: Gi* over PERIOD_DAYS periods, the trend over PERIODS
# of them, neighbours touching or within NEIGHBOUR_M metres, hot at z >= HOT_Z with at least
# HOT_MIN cases in the neighbourhood. Anomalies: a day
# at least ANOMALY_MIN cases and above mean + ANOMALY_K × max(sd, 1) of the same weekday of the
# four weeks before. Found first: no resident/12345 case of the category within FIRST_RADIUS_M
# (same micro-grid without a point) in the FIRST_WINDOW_DAYS before.
CIVICGRID_PROACTIVE_THRESHOLD = env_int("CIVICGRID_PROACTIVE_THRESHOLD", 3)
CIVICGRID_PROACTIVE_WINDOW_DAYS = env_int("CIVICGRID_PROACTIVE_WINDOW_DAYS", 30)
CIVICGRID_PROACTIVE_RECUR_DAYS = env_int("CIVICGRID_PROACTIVE_RECUR_DAYS", 90)
CIVICGRID_PROACTIVE_PERIOD_DAYS = env_int("CIVICGRID_PROACTIVE_PERIOD_DAYS", 30)
CIVICGRID_PROACTIVE_PERIODS = env_int("CIVICGRID_PROACTIVE_PERIODS", 4)
CIVICGRID_PROACTIVE_NEIGHBOUR_M = env_float("CIVICGRID_PROACTIVE_NEIGHBOUR_M", 50.0)
CIVICGRID_PROACTIVE_HOT_Z = env_float("CIVICGRID_PROACTIVE_HOT_Z", 1.96)
CIVICGRID_PROACTIVE_HOT_MIN = env_int("CIVICGRID_PROACTIVE_HOT_MIN", 5)
CIVICGRID_PROACTIVE_ANOMALY_MIN = env_int("CIVICGRID_PROACTIVE_ANOMALY_MIN", 3)
CIVICGRID_PROACTIVE_ANOMALY_K = env_float("CIVICGRID_PROACTIVE_ANOMALY_K", 3.0)
CIVICGRID_PROACTIVE_FIRST_RADIUS_M = env_int("CIVICGRID_PROACTIVE_FIRST_RADIUS_M", 100)
CIVICGRID_PROACTIVE_FIRST_WINDOW_DAYS = env_int("CIVICGRID_PROACTIVE_FIRST_WINDOW_DAYS", 7)
# 智能派单 (civicgrid.dispatch). SUGGEST: suggest a category for each new report (after its
# commit, a background task) when a model is active. AUTO_THRESHOLD: the confidence a category's
# auto-dispatch rule starts with (the street sets each rule's own; rules are off by default);
# the confidence is a calibrated probability, and at 0.95 the routed share of the hand-written
# message-board file (60 % of it) was 95 % right (evaluate_dispatch's reliability table).
# Training needs MIN_CASES closed cases of at least two categories with MIN_PER_CATEGORY each.
CIVICGRID_DISPATCH_SUGGEST = env_bool("CIVICGRID_DISPATCH_SUGGEST", True)
CIVICGRID_DISPATCH_AUTO_THRESHOLD = env_float("CIVICGRID_DISPATCH_AUTO_THRESHOLD", 0.95)
CIVICGRID_DISPATCH_MIN_CASES = env_int("CIVICGRID_DISPATCH_MIN_CASES", 30)
CIVICGRID_DISPATCH_MIN_PER_CATEGORY = env_int("CIVICGRID_DISPATCH_MIN_PER_CATEGORY", 3)

# How long the PeriodicRun rows are kept (the record of which node ran what, when).
CIVICGRID_PERIODIC_KEEP_DAYS = env_int("CIVICGRID_PERIODIC_KEEP_DAYS", 14)

# E-mail of the notifications: files under var/mail/ in the demo, SMTP in production (EMAIL_HOST,
# EMAIL_PORT …).
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.filebased.EmailBackend",
)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "civicgrid <noreply@civicgrid.localhost>")

# Upload limits: a whole street's registry spreadsheet fits; anything larger is refused early.
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = DATA_UPLOAD_MAX_MEMORY_SIZE
# Case photos (attachments app): bytes per upload, decoded pixels (checked from the header before
# decoding, against decompression bombs), and the longest side kept (larger photos are scaled down).
ATTACHMENT_MAX_BYTES = env_int("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024)
ATTACHMENT_MAX_PIXELS = env_int("ATTACHMENT_MAX_PIXELS", 50_000_000)
ATTACHMENT_MAX_SIDE = env_int("ATTACHMENT_MAX_SIDE", 2048)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Content-Security-Policy on every response (django-csp): scripts and styles only from this site
# (no inline script anywhere; style attributes and htmx's indicator style need 'unsafe-inline'
# for styles), images also from data:/blob: (photo previews) and the street's tile server,
# nothing framed, no plugins, forms post only here.
_TILE_ORIGIN = ""
if CIVICGRID_MAP_TILE_URL:
    from urllib.parse import urlsplit

    # "https://{s}.tiles.example.gov.cn/{z}/{x}/{y}.png" → "https://*.tiles.example.gov.cn"
    _tile = urlsplit(CIVICGRID_MAP_TILE_URL)
    _TILE_ORIGIN = f"{_tile.scheme}://{_tile.netloc.replace('{s}', '*')}"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *([_TILE_ORIGIN] if _TILE_ORIGIN else [])],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if PRODUCTION:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    # HTTPS only: redirect plain HTTP, and tell browsers to use HTTPS for a year (HSTS).
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    # Behind the TLS-terminating reverse proxy (nginx) the request arrives as HTTP; the proxy
    # says what the client used in this header. Empty when gunicorn itself speaks TLS.
    _proto_header = env_str("SECURE_PROXY_SSL_HEADER", "HTTP_X_FORWARDED_PROTO")
    SECURE_PROXY_SSL_HEADER = (_proto_header, "https") if _proto_header else None
