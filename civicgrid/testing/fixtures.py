"""The test kit's fixtures, a pytest plugin registered in the root conftest.py.

Every test runs with (autouse): uploads under a temporary MEDIA_ROOT, a per-process memory
cache emptied around the test, a fresh grid locator, the default language, background tasks run
at once, the fast MD5 password hasher, and notifications kept in memory (`outbox`).

The world (see `users` for who is who):
- `tree`: make_tree() — 1 street, 1 area, 2 communities side by side, 2 micro-grids each
  (IN_MICRO[i] lies in micro_grids[i]), 2 building groups per micro-grid;
- `departments`: 城管中队 (cg), 房管办 (fg), 市容所 (sw);
- `users`: one user per role and the colleagues the scoping tests need;
- `households`: two households per micro-grid (秀沿路1501弄), residents with ID numbers;
- `garbage` (事件 0102 暴露垃圾, handled by 城管 by default), `clutter` (部件 0101 楼道堆物);
- `api(user)`: a DRF APIClient authenticated as the user (anonymous without one),
  `client_for(user)`: Django's test client logged in as the user;
- `clock`: time-machine standing at Monday 23 November 2026 10:00 in Shanghai,
  `running_clock`: time-machine running at real speed (browser tests);
- `small_demo`: the demo's small street, per test; `demo_world`: the dashboard's demo street
  with 150 cases, built once per test module.
"""

import contextlib
import datetime

import pytest

from civicgrid.testing.world import SHANGHAI, category, local

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEMORY_CHANNELS = ["civicgrid.cases.notifications.MemoryChannel"]
LOCAL_CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
IMMEDIATE_TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend",
        "QUEUES": ["default"],
    }
}


def kit_settings(media_root) -> dict:
    """The settings every test runs with (also used while a module-wide world is built)."""
    return {
        "MEDIA_ROOT": media_root,
        "CACHES": LOCAL_CACHES,
        "TASKS": IMMEDIATE_TASKS,
        "PASSWORD_HASHERS": FAST_HASHERS,
        "CIVICGRID_NOTIFICATION_CHANNELS": MEMORY_CHANNELS,
        # Tests write and then read the dashboard within one frozen instant; its shared figures
        # (kept for an interval) are tested on their own in dashboard/tests/test_shared.py.
        "CIVICGRID_DASHBOARD_CACHE_SECONDS": 0,
        # Every test Client loads the middleware afresh, and WhiteNoise's would list and stat
        # every static file (the apps' and node_modules' vendored ones) each time: ~50 ms a
        # client, thousands of clients a suite. Looked up when asked for instead, as in
        # development; the live server's static files do not go through it.
        "WHITENOISE_AUTOREFRESH": True,
    }


# ---------------------------------------------------------------------------------------------
# Every test


@pytest.fixture(scope="session", autouse=True)
def _fast_flush():
    # A transactional test ends by emptying the tables it wrote to (testing.flush), not by
    # Django's flush of every table and post_migrate's content types made again.
    from civicgrid.testing import flush

    flush.install()


@pytest.fixture(autouse=True)
def _test_settings(tmp_path, settings):
    # Uploaded files never land in the demo's var/media; the real password hasher is slow on
    # purpose; background tasks (notification delivery, deadline scans) run at once, inside the
    # test's process and transaction, instead of waiting for a db_worker.
    for name, value in kit_settings(tmp_path / "media").items():
        setattr(settings, name, value)


@pytest.fixture(autouse=True)
def _local_cache(_test_settings, settings):
    # A per-process memory cache, emptied around each test (rate-limit and login failure counts
    # never leak from one test into the next); the throttle tests switch to the database cache
    # or Redis explicitly.
    from django.core.cache import cache

    cache.clear()
    yield
    settings.CACHES = LOCAL_CACHES  # a test may have switched to the database cache
    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_locator():
    # The locator is cached per process; a rolled-back test can leave one built on grids that no
    # longer exist, so every test starts without one.
    from civicgrid.grids.locator import invalidate_locator

    invalidate_locator(drop=True)
    yield
    invalidate_locator(drop=True)


@pytest.fixture(autouse=True)
def _default_language():
    # LocaleMiddleware leaves the last request's language active in the thread; a test that asked
    # for English must not turn the next test's messages English.
    from django.utils import translation

    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def outbox(_test_settings):
    """The notifications sent during the test (MemoryChannel), oldest first."""
    from civicgrid.cases.notifications import MemoryChannel

    MemoryChannel.outbox = []
    return MemoryChannel.outbox


@pytest.fixture
def media_files(settings):
    """Every file under the (temporary) MEDIA_ROOT, as a fresh list each call."""

    def files():
        root = settings.MEDIA_ROOT
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []

    return files


# ---------------------------------------------------------------------------------------------
# The world


@pytest.fixture
def tree(db):
    from civicgrid.testing.factories import make_tree

    return make_tree()


@pytest.fixture
def departments(db):
    from civicgrid.testing.factories import DepartmentFactory

    return {
        "cg": DepartmentFactory(name="城管中队", code="CG"),
        "fg": DepartmentFactory(name="房管办", code="FG"),
        "sw": DepartmentFactory(name="市容所", code="SW"),
    }


@pytest.fixture
def users(tree, departments):
    """One user per role, plus colleagues (keys, usernames = keys):

    - admin, operator (张磊, 受理/派遣员), chief (赵刚, 值班长), staff (居委 of community 0:
      micro-grids 0, 1), staff2 (community 1) — back-office roles, so is_staff; leader (领导);
      dutyleader (孙伟, 带班领导); areahead (片区负责人 of the tree's area: every micro-grid);
    - worker (王秀英, full-time on micro-grid 0), worker2 (刘洋, micro-grid 2), colleague (陈丽,
      part-time on micro-grid 0), former (a post on micro-grid 0 that ended yesterday);
    - gridleader (a grid-leader account with a post on micro-grid 1 only), gridhead (张建国,
      网格长 — leader posts — of micro-grids 0 and 1);
    - handler (李强, 城管中队), handler_fg (房管办);
    - resident (陈敏, 13912345678), resident2 (周燕, 13800001111).
    """
    from django.utils import timezone

    from civicgrid.accounts.choices import Role
    from civicgrid.grids.choices import PostRole
    from civicgrid.testing.factories import UserFactory, assign_post

    micro = tree["micro_grids"]
    communities = tree["communities"]

    def user(key, role, **fields):
        return UserFactory(username=key, role=role, **fields)

    # is_staff as the demo's logins set it: the back office (administrators, 城运中心, 居委 staff)
    # may use the admin site.

    out = {
        "admin": user("admin", Role.ADMIN, is_staff=True),
        "operator": user(
            "operator",
            Role.OPERATOR,
            is_staff=True,
            last_name="张",
            first_name="磊",
            phone="13611112222",
        ),
        "chief": user("chief", Role.SHIFT_CHIEF, is_staff=True, last_name="赵", first_name="刚"),
        "leader": user("leader", Role.LEADER),
        "dutyleader": user("dutyleader", Role.DUTY_LEADER, last_name="孙", first_name="伟"),
        "areahead": user("areahead", Role.AREA_HEAD, area=tree["area"]),
        "staff": user("staff", Role.COMMUNITY_STAFF, is_staff=True, community=communities[0]),
        "staff2": user("staff2", Role.COMMUNITY_STAFF, is_staff=True, community=communities[1]),
        "worker": user("worker", Role.GRID_WORKER, last_name="王", first_name="秀英"),
        "worker2": user("worker2", Role.GRID_WORKER, last_name="刘", first_name="洋"),
        "colleague": user("colleague", Role.GRID_WORKER, last_name="陈", first_name="丽"),
        "former": user("former", Role.GRID_WORKER),
        "gridleader": user("gridleader", Role.GRID_LEADER),
        "gridhead": user("gridhead", Role.GRID_LEADER, last_name="张", first_name="建国"),
        "handler": user(
            "handler",
            Role.DEPT_HANDLER,
            department=departments["cg"],
            last_name="李",
            first_name="强",
            phone="13733334444",
        ),
        "handler_fg": user("handler_fg", Role.DEPT_HANDLER, department=departments["fg"]),
        "resident": user(
            "resident", Role.RESIDENT, last_name="陈", first_name="敏", phone="13912345678"
        ),
        "resident2": user(
            "resident2", Role.RESIDENT, last_name="周", first_name="燕", phone="13800001111"
        ),
    }
    assign_post(out["worker"], micro[0])
    assign_post(out["worker2"], micro[2])
    assign_post(out["colleague"], micro[0], role=PostRole.PART_TIME)
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    assign_post(out["former"], micro[0], start=datetime.date(2020, 1, 1), end=yesterday)
    assign_post(out["gridleader"], micro[1])
    assign_post(out["gridhead"], micro[0], role=PostRole.LEADER)
    assign_post(out["gridhead"], micro[1], role=PostRole.LEADER)
    return out


@pytest.fixture
def households(tree):
    """Two households with two residents each in each micro-grid's first building group:
    micro-grid i holds numbers 10*i+1 and 10*i+2 of 秀沿路1501弄 → {i: [household, household]}."""
    from civicgrid.testing.people import add_household

    groups = tree["building_groups"]
    return {
        i: [add_household(groups[i * 2], 10 * i + 1), add_household(groups[i * 2], 10 * i + 2)]
        for i in range(len(tree["micro_grids"]))
    }


@pytest.fixture
def garbage(departments):
    """事件 0102 暴露垃圾 (1 working day), handled by default by 城管中队."""
    cat = category("event", "0102")
    cat.default_department = departments["cg"]
    cat.save()
    return cat


@pytest.fixture
def clutter(db):
    """部件 0101 楼道堆物, the residents' most common report."""
    from civicgrid.testing.browser import ensure_migration_data

    # A transactional test elsewhere (without serialized_rollback) may have flushed the seeded
    # categories: seed them again the migration's way then.
    ensure_migration_data()
    return category("community", "0101")


@pytest.fixture
def api():
    """api(user) → an APIClient authenticated as `user` (anonymous without one)."""
    from rest_framework.test import APIClient

    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make


@pytest.fixture
def client_for(client):
    """client_for(user) → Django's test client, logged in as `user`."""

    def login(user):
        client.force_login(user)
        return client

    return login


# ---------------------------------------------------------------------------------------------
# Time


CLOCK_START = local(2026, 11, 23, 10, 0)  # a Monday, 10:00 in Shanghai


@pytest.fixture
def clock():
    """A stopped clock at CLOCK_START: clock.set(2026, 11, 24, 9, 0), clock.advance(hours=2)."""
    from civicgrid.testing.clock import start_clock

    c = start_clock(CLOCK_START)
    yield c
    c.stop()


@pytest.fixture
def running_clock():
    """A clock running at real speed, from the real time on until moved (.set, .ago): for the
    browser tests, whose live server thread reads it too and whose pages must see time pass."""
    from civicgrid.testing.clock import start_clock

    c = start_clock(datetime.datetime.now(SHANGHAI), tick=True)
    yield c
    c.stop()


# ---------------------------------------------------------------------------------------------
# Worlds built once per module


@contextlib.contextmanager
def module_transaction(django_db_blocker):
    """Data written inside stays for the module's tests and is rolled back after the last one.

    An outer transaction is opened; each test of the module runs inside it in its own savepoint
    (pytest-django's `db` nests there), so a test that changes the world leaves no trace for the
    next one. Only for non-transactional tests: a `transactional_db` test would flush the world.
    From the first test that asks for it to the module's end, every test of the module sees the
    world: use it in modules whose tests all want it. Works on SQLite and PostgreSQL, and with
    xdist (each worker builds its own copy)."""
    from django.db import transaction

    from civicgrid.grids.locator import invalidate_locator

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
        invalidate_locator(drop=True)


@contextlib.contextmanager
def building(django_db_blocker, media_root):
    """Database access and the tests' settings while a module-wide world is built (the autouse
    fixtures above are per test, so they do not apply yet)."""
    from django.test.utils import override_settings

    from civicgrid.cases.notifications import MemoryChannel
    from civicgrid.grids.locator import invalidate_locator

    with django_db_blocker.unblock(), override_settings(**kit_settings(media_root)):
        from django.core.cache import cache

        cache.clear()
        yield
        cache.clear()
    MemoryChannel.outbox = []
    invalidate_locator(drop=True)


@pytest.fixture
def small_demo(db):
    """The demo street of the demo's own tests (SMALL_STREET), built for the test."""
    from civicgrid.demo.builder import build_demo_street
    from civicgrid.testing.demo import SMALL_STREET

    return build_demo_street(SMALL_STREET)


@pytest.fixture
def demo_world(_demo_world, db):
    """The dashboard's demo street (DEMO_WORLD_STREET: 2 communities, 8 micro-grids, 1 household
    per building group) with 150 cases in every state as of DEMO_NOW — built once per test
    module; each test runs in its own savepoint, so what it changes is gone for the next one.
    Returns build_demo_cases' counts by kind."""
    return _demo_world


@pytest.fixture(scope="module")
def _demo_world(django_db_setup, django_db_blocker, tmp_path_factory):
    from civicgrid.demo.builder import build_demo_street
    from civicgrid.demo.cases import build_demo_cases
    from civicgrid.testing.demo import DEMO_NOW, DEMO_WORLD_CASES, DEMO_WORLD_STREET

    with module_transaction(django_db_blocker):
        with building(django_db_blocker, tmp_path_factory.mktemp("media")):
            build_demo_street(DEMO_WORLD_STREET)
            counts = build_demo_cases(DEMO_WORLD_CASES, seed=7, now=DEMO_NOW)
        yield counts


@pytest.fixture
def scratch_database(transactional_db, tmp_path):
    """`scratch_database(label, sqlite_path=None, empty=False)`: a copy of the test database for
    real processes to share (testing.scratch.ScratchDatabase: its `url`, `rows(sql)`; on SQLite
    the file at `sqlite_path`, by default one under tmp_path), dropped after the test. The test
    is a transactional one: the copy is taken outside any transaction, with the migration data
    the kit seeds for such tests (testing.browser). `empty=True`: an empty database instead, for
    a migration test to migrate from nothing inside `with database.as_default():`."""
    from civicgrid.testing.scratch import ScratchDatabase

    made = []

    def make(label: str, sqlite_path=None, empty=False):
        path = sqlite_path or tmp_path / "scratch" / f"{label}.sqlite3"
        made.append(ScratchDatabase(label, path, empty=empty))
        return made[-1]

    yield make
    for database in made:
        database.drop()
