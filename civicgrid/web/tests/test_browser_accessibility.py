"""Each role's pages in a real browser, checked by axe-core (the engine of the browsers'
accessibility audits, from the npm registry: node_modules/axe-core) against WCAG 2.1 A and AA:
contrast, names of controls and images, the structure a screen reader walks, controls nested in
controls. A role starts at its home page and follows the links it is shown, as the demo crawl
does (demo/tests/test_crawl.py reads every page without a browser); the pages every role of
the street's desk opens each day are always among them.

Found this way: the 应急预案 list put its “查看与修订” link inside the summary that opens each
plan (a control inside a control: a keyboard and a screen reader lose one of them); the big
screen's figures stood outside every landmark; tables had a column head with no words."""

from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from django.conf import settings

from civicgrid.accounts.models import User
from civicgrid.dashboard.tests.test_browser import demo  # noqa: F401 — the demo street
from civicgrid.demo.logins import PASSWORDS
from civicgrid.emergency import services as emergency
from civicgrid.testing.browser import _context, login
from civicgrid.testing.suites import sqlite_suite_only

# Nothing in it is particular to an engine: the SQLite suite runs it.
pytestmark = [
    pytest.mark.browser,
    sqlite_suite_only,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

AXE = Path(settings.BASE_DIR) / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.1 A and AA, and axe's best practice (landmarks, headings, table heads with words).
STANDARD = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
# (username, its role's password, pages to check: its home's links, breadth first, and these)
ROLES = [
    ("operator", PASSWORDS["operator"], ["/console/", "/emergency/", "/bulletin/"]),
    ("leader", PASSWORDS["leader"], ["/dashboard/", "/dashboard/screen/"]),
    ("community1", PASSWORDS["community_staff"], []),
    ("gridworker", PASSWORDS["grid_worker"], ["/m/"]),
    ("resident", PASSWORDS["resident"], []),
]
PAGES_PER_ROLE = 12
NOT_PAGES = ("/logout", "/admin", "/api/", "/static/", "/media/", "/i18n/", "export", "print")


def violations(page) -> list[str]:
    found = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " resultTypes: ['violations']})).violations.map(v => v.id + ' (' + v.impact + '): '"
        " + v.nodes.slice(0, 2).map(n => n.html.slice(0, 120)).join(' | '))",
        STANDARD,
    )
    return found


def walk(page, base: str, start: list[str]):
    """The role's pages, breadth first from its home page and `start`, at most PAGES_PER_ROLE."""
    queue, seen = [urlsplit(page.url).path, *start], set()
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        answer = page.goto(base + path)
        if answer.status != 200 or "text/html" not in answer.headers.get("content-type", ""):
            continue
        yield path
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)"):
            target = urlsplit(urljoin(base + path, href))
            if target.netloc != urlsplit(base).netloc or any(n in target.path for n in NOT_PAGES):
                continue
            if target.path not in seen and target.path not in queue:
                queue.append(target.path)


@pytest.fixture
def plan(demo):  # noqa: F811
    """A 应急预案 on the 应急 page (the small demo street has none of its own)."""
    emergency.do_save_plan(
        User.objects.get(username="operator"),
        kind="fire",
        title="街道火灾事故应急预案",
        summary="发现火情立即报警，组织疏散，关闭燃气总阀。",
    )


@pytest.mark.long(45)
def test_every_roles_pages_meet_wcag_a_and_aa(demo, plan, browser, live_server):  # noqa: F811
    script = AXE.read_text(encoding="utf-8")
    problems, checked = [], 0
    for username, password, start in ROLES:
        # The page's Content-Security-Policy allows only this site's scripts: the test's own
        # engine is let in, and nothing of the page changes.
        context = _context(browser, bypass_csp=True)
        page = context.new_page()
        login(page, live_server, username, password)
        for path in walk(page, live_server.url, start):
            page.evaluate(script)
            checked += 1
            problems += [f"{username} {path}: {v}" for v in violations(page)]
        context.close()
    assert checked >= 40, checked  # a walk that stopped early proves nothing
    assert problems == [], "\n".join(problems)
