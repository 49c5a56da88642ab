"""Browser tests: Playwright for Python driving Debian's chromium against pytest-django's
live_server (the app with its static files, on a test database).

Use the `page` fixture (a fresh browser context per test, Chinese by default, 1280×800) or
`phone_page` (360×740, touch, as a grid worker's phone) and `login(page, live_server, username)`.
Mark the test module with `pytestmark = pytest.mark.browser`. Screenshots for the README go
under docs/screenshots/ through `screenshot(page, name)`.

Without a chromium binary the tests are skipped — except under CI (env CI set), where that is a
failure: .ci/run installs chromium with apt.
"""

import os
import shutil
import threading
import time
from importlib import import_module
from pathlib import Path

import pytest

from civicgrid.testing.schedule import is_transactional

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
DEFAULT_PASSWORD = "pw-123456"  # civicgrid.testing.factories.UserFactory


# Data migrations whose rows the tests rely on: (app label, migration(s), model).
SEEDED = [
    ("cases", ("0002_seed_categories", "0011_seed_spine_categories"), "Category"),
    ("workcalendar", "0002_seed_chinese_calendar", "CalendarDay"),
    ("fieldwork", "0002_seed_checklist", "ChecklistItem"),
    ("fieldwork", "0005_seed_need_kinds", "NeedKind"),
    ("sorting", "0002_category_and_template", "InspectionTemplate"),
    ("shops", "0002_seed_inspection_items", "InspectionItem"),
    ("firesafety", "0002_seed_checklist", "CheckItem"),
]
# Data migrations that add a row or two to a table the ones above fill (the 督查 category under a
# seeded class, the 社区报 approvers' group with its permission): a table holding rows says
# nothing of theirs, so they run each time, after those — each is idempotent and costs a query
# or two. Without this, a test after a flush found every category but the 督查 one.
TOPPED_UP = [
    ("campaigns", "0002_seed_category", "seed"),
    ("bulletin", "0003_approver_group", "create_group"),
]


def ensure_migration_data():
    """Transactional tests (browser tests, concurrency tests on PostgreSQL) end with a flush that
    empties every table, the rows of data migrations too (categories, the working-day calendar,
    the patrol checklist). serialized_rollback does not bring them back in the browser tests:
    once Playwright has started, the test thread runs in another contextvars context (its sync
    API runs on greenlets), where Django's connections are new objects without the serialized
    contents, so Django restores nothing. Handing the contents on would reload the whole
    database before each such test, where seeding what is missing costs a few queries. Seed them
    again the migrations' own way when missing."""
    from django.apps import apps

    from civicgrid.workcalendar.services import bump_revision

    for app_label, migration, model in SEEDED:
        if not apps.get_model(app_label, model).objects.exists():
            for name in (migration,) if isinstance(migration, str) else migration:
                module = import_module(f"civicgrid.{app_label}.migrations.{name}")
                module.seed(apps, None)
            if app_label == "workcalendar":
                # Every process's copy of the calendar is stale now (the live server's too).
                bump_revision()
    for app_label, migration, function in TOPPED_UP:
        module = import_module(f"civicgrid.{app_label}.migrations.{migration}")
        getattr(module, function)(apps, None)


@pytest.fixture(autouse=True)
def _sessions_outlive_the_test_clock(request, settings):
    # Browser tests move the server's clock (time-machine) to fixed days; the session cookie's
    # expiry is computed from that clock, while chromium compares it with the real date. With
    # the default two weeks, a test dated 2026-12-02 would stop logging in after 2026-12-16.
    if "live_server" in request.fixturenames:
        settings.SESSION_COOKIE_AGE = 50 * 365 * 24 * 3600


@pytest.fixture(autouse=True)
def _migration_data_for_transactional_tests(request):
    if not is_transactional(request.node):
        return
    request.getfixturevalue("transactional_db")
    ensure_migration_data()


def chromium_path() -> str | None:
    return os.environ.get("CIVICGRID_CHROMIUM") or shutil.which("chromium")


@pytest.fixture(scope="session")
def browser():
    executable = chromium_path()
    if executable is None:
        message = "chromium not installed (apt-get install chromium) — browser tests need it"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself
    # (fixtures building data) are still plain synchronous calls between browser steps.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    _watch_server_requests()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu"],
        )
        yield instance
        instance.close()


class _ServerRequests:
    """Requests the live server is still answering. A page's last request can outlive the
    browser context: the patrol page posts its unsent positions with a keepalive fetch on
    pagehide, which closing the context fires. Answered while the test's teardown empties the
    database (on SQLite the live server shares the test's connection), it broke the flush
    (FOREIGN KEY constraint failed) and left rows behind for the next test. The page fixtures
    wait, after closing their context, until the server has been idle for a moment."""

    def __init__(self):
        self.lock = threading.Lock()
        self.open = 0
        self.last = time.monotonic()

    def started(self, **kwargs):
        with self.lock:
            self.open += 1
            self.last = time.monotonic()

    def finished(self, **kwargs):
        with self.lock:
            self.open = max(0, self.open - 1)
            self.last = time.monotonic()

    def wait_idle(self, quiet_s=0.15, timeout_s=10.0):
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            with self.lock:
                if self.open == 0 and time.monotonic() - self.last >= quiet_s:
                    return
            time.sleep(0.02)


SERVER_REQUESTS = _ServerRequests()


def _watch_server_requests():
    from django.core.signals import request_finished, request_started

    request_started.connect(SERVER_REQUESTS.started, dispatch_uid="browser-tests-started")
    request_finished.connect(SERVER_REQUESTS.finished, dispatch_uid="browser-tests-finished")


def _close(context):
    context.close()
    SERVER_REQUESTS.wait_idle()


def _context(browser, **options):
    context = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai", **options)
    context.set_default_timeout(15_000)
    return context


def watch_csp(context) -> list:
    """Messages of the Content-Security-Policy refusing something the page needed; the page
    fixtures fail a test that leaves any."""
    refused = []
    context.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def wait_until(page, expression: str, timeout_ms: int = 15_000, interval_ms: int = 50):
    """Poll a JavaScript expression until it is truthy. Playwright's wait_for_function compiles
    the expression inside the page, which the site's Content-Security-Policy (no eval) refuses;
    page.evaluate goes through the devtools protocol and is allowed."""
    import time

    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_ms} ms waiting for: {expression}")
        page.wait_for_timeout(interval_ms)


def wait_until_photo_shown(page, timeout_ms: int = 15_000):
    """Wait until the photo viewer (web/photos.js, viewerjs) has loaded and drawn the photo it
    shows. Until then the viewer ignores zoom and rotate (viewerjs checks its `viewed` flag), so a
    test that presses them as soon as the <img> exists fails whenever the photo is slow to load."""
    wait_until(
        page,
        "[...document.querySelectorAll('[data-photo-viewer]')]"
        ".some(list => list.civicgridViewer && list.civicgridViewer.isShown"
        " && list.civicgridViewer.viewed)",
        timeout_ms,
    )


class HeldAnswer:
    """The first request of `page` matching `url` (a glob or a regex, as page.route takes),
    answered by the server at once but handed to the page only on `release()`: a slow answer
    that arrives after those to requests sent after it. Later matching requests go through."""

    def __init__(self, page, url):
        self.page, self.url = page, url
        self._seen = 0
        self._held = None
        page.route(url, self._route)

    def _route(self, route):
        self._seen += 1  # counted before fetching: the next request may come meanwhile
        if self._seen > 1:
            route.continue_()
            return
        self._held = (route, route.fetch())

    def release(self, edit=None):
        """Hand the held answer to the page (its JSON through `edit` first, if given) and give
        the page a moment to handle it."""
        for _ in range(250):  # the route's own fetch of the answer, at most 5 s
            if self._held:
                break
            self.page.wait_for_timeout(20)
        assert self._held, f"no request to {self.url} was held back"
        route, answer = self._held
        extra = {"json": edit(answer.json())} if edit else {}
        with self.page.expect_request_finished(lambda r: r is route.request):
            route.fulfill(response=answer, **extra)
        self.page.unroute(self.url, self._route)
        self.page.wait_for_timeout(100)


@pytest.fixture
def page(browser, live_server):
    context = _context(browser, viewport={"width": 1280, "height": 800})
    refused = watch_csp(context)
    yield context.new_page()
    _close(context)
    assert refused == [], f"the Content-Security-Policy refused: {refused}"


@pytest.fixture
def phone_page(browser, live_server):
    context = _context(
        browser,
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    refused = watch_csp(context)
    yield context.new_page()
    _close(context)
    assert refused == [], f"the Content-Security-Policy refused: {refused}"


def login(page, live_server, username, password=DEFAULT_PASSWORD, next_url=""):
    """Sign in through the web front's login form (as a person would)."""
    url = f"{live_server.url}/login/" + (f"?next={next_url}" if next_url else "")
    page.goto(url)
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_load_state()


def screenshot(page, name: str, *, full_page=False):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=full_page)
