"""Every page a role reaches from its home on the demo street answers, every link it is shown
leads somewhere it may go, no page holds an id twice and every form field has a label.

A small demo street with every programme (load_demo_street: two 居村, eight micro-grids, 80 cases,
the meetings, the notices, the campaigns …) is built once for the module. Each role then starts
at its home page and the API's root and follows what the pages offer: links, htmx loads (with
the htmx header), redirects and the URLs in API answers — GET only, never a form. Pages of one
view are read once (with and without a query, as a page and as an htmx fragment), so the walk
stays bounded while every kind of page is read with the demo's own data.

Each page's statements are counted too: one run again for every row of a list (a relation read
row by row) is a problem. Found this way: the estates' API read each estate's 业委会 and its members
(70 statements for a page of 50), the addresses' API each address's estate, the resident's
parking search each offer's bookings, the grid staff API each post's 楼组, and the 三会 training,
党组织 and 主动治理 pages each row's 居村.

Found this way, and kept as its checks: the 三会 meeting page answered 500 for a history row
written without an account; the English 综合评价 export answered 500 for a sheet named
"Street/town"; the patrol task page linked the street's staff to the grid worker's own list (403); the case page's action forms shared
their fields' ids, and a 督查 round's title held two forms; five maps (the campaign's checkpoints,
the projects, the sorting points and a point's page, the fire 作战图) took no tile layer and the
dashboard's four no attribution, where a deployment sets its tile service.
"""

import collections
import functools
import json
import pathlib
import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import Resolver404, URLResolver, get_resolver, resolve
from django.utils.html import escape

from civicgrid.accounts.models import User
from civicgrid.testing.demo import load_every_programme
from civicgrid.testing.fixtures import building, module_transaction
from civicgrid.testing.suites import sqlite_suite_only

# A walk of some 600 pages over a street built for it: the SQLite suite runs it (nothing in it
# is particular to an engine; the programmes' own tests run on both).
pytestmark = [pytest.mark.long(40), sqlite_suite_only, pytest.mark.django_db]

LINK = re.compile(r'(href|hx-get|src)="([^"#]+)"')
ID = re.compile(r'\sid="([^"]+)"')
LABEL_FOR = re.compile(r'<label[^>]*\sfor="([^"]+)"')
MAP = re.compile(r'<div\s[^>]*class="map(?:\s[^"]*)?"[^>]*>')
TABLE_CLASSES = re.compile(r'<table\s[^>]*class="([^"]*)"')
STYLESHEETS = pathlib.Path(__file__).resolve().parents[2]


@functools.cache
def styled_classes() -> frozenset[str]:
    """Every class name a stylesheet of the project names in a selector."""
    names = set()
    for sheet in STYLESHEETS.glob("*/static/**/*.css"):
        names.update(re.findall(r"\.([A-Za-z][\w-]*)", sheet.read_text(encoding="utf-8")))
    return frozenset(names)


# A deployment's own tile service, as CIVICGRID_MAP_TILE_URL and _ATTRIBUTION name it.
TILES = ("https://tiles.example.org/{z}/{x}/{y}.png", "© 示例地图")
# A page may run a statement once per month of a half-year (the sorting's 半年报) and no more
# often: the small street's lists have more rows than that.
REPEATS_ALLOWED = 7
NUMBERS = re.compile(r"\b\d+\b")
STRINGS = re.compile(r"'[^']*'")
NOT_COUNTED = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE", "ROLLBACK")
NOT_PAGES = ("/static/", "/media/", "/logout/", "/i18n/", "/api/schema", "/api/docs")
START = "the API's lists"
# (username, language, at least this many pages: a walk that stopped early proves nothing)
WALKS = [
    ("operator", "zh-hans", 120),
    ("community1", "zh-hans", 100),
    ("leader", "zh-hans", 80),
    ("gridworker", "zh-hans", 20),
    ("gridleader", "zh-hans", 20),
    ("dept-cgzd", "zh-hans", 10),
    ("resident", "zh-hans", 8),
    ("operator", "en", 120),
]


@pytest.fixture(scope="module")
def demo_street(django_db_setup, django_db_blocker, tmp_path_factory):
    with module_transaction(django_db_blocker):
        with building(django_db_blocker, tmp_path_factory.mktemp("media")):
            load_every_programme()
        yield


def _json_urls(value, found):
    if isinstance(value, dict):
        for item in value.values():
            _json_urls(item, found)
    elif isinstance(value, list):
        for item in value[:3]:
            _json_urls(item, found)
    elif isinstance(value, str) and value.startswith("http://testserver/"):
        found.append(value.removeprefix("http://testserver"))


def api_lists() -> list[str]:
    """The API's URLs without a parameter (its lists, its roots, its figures): where the walk
    of the API starts, as no page links to it."""

    def patterns(entries, prefix=""):
        for entry in entries:
            if isinstance(entry, URLResolver):
                yield from patterns(entry.url_patterns, prefix + str(entry.pattern))
            else:
                yield prefix + str(entry.pattern)

    return [
        "/" + pattern.replace("^", "").replace("$", "")
        for pattern in patterns(get_resolver().url_patterns)
        if pattern.startswith("api/") and "<" not in pattern and "(?P" not in pattern
    ]


class Fields(HTMLParser):
    """The form fields of a page that nothing names for a screen reader: no <label> around or
    for them, no aria-label, no title (a placeholder is no label)."""

    NOT_TYPED = {"hidden", "submit", "button", "image", "reset"}

    def __init__(self):
        super().__init__()
        self.labelled, self.inside, self.unnamed = set(), 0, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "label":
            self.inside += 1
            self.labelled.add(attrs.get("for"))
        elif tag in ("input", "select", "textarea"):
            typed = (attrs.get("type") or "text").lower()
            named = self.inside or attrs.get("aria-label") or attrs.get("title")
            if not (tag == "input" and typed in self.NOT_TYPED) and not named:
                self.unnamed.append((attrs.get("id"), attrs.get("name")))

    def handle_endtag(self, tag):
        if tag == "label":
            self.inside -= 1

    def problems(self) -> list[str]:
        return [
            f"field {name} has no label"
            for field_id, name in self.unnamed
            if field_id is None or field_id not in self.labelled
        ]


class Choices(HTMLParser):
    """The options of each <select> that read alike (the same text in the same group): two
    people or places of one name, one like the other to whoever chooses."""

    def __init__(self):
        super().__init__()
        self.select, self.group, self.option, self.text = None, None, False, ""
        self.labels, self.alike = collections.Counter(), []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "select":
            self.select, self.group, self.labels = attrs.get("name"), None, collections.Counter()
        elif tag == "optgroup":
            self.group = attrs.get("label")
        elif tag == "option" and self.select:
            self.option, self.text = True, ""

    def handle_data(self, data):
        if self.option:
            self.text += data

    def handle_endtag(self, tag):
        if tag == "option" and self.option:
            self.option = False
            if self.text.strip():
                self.labels[(self.group, self.text.strip())] += 1
        elif tag == "select" and self.select:
            self.alike += [
                f"select {self.select}: “{text}” ×{count}"
                for (_group, text), count in self.labels.items()
                if count > 1
            ]
            self.select = None


def markup_problems(html: str) -> list[str]:
    """An id written twice (a label, a script or a test finds the wrong element), a label for
    no element, a form field without a label, a choice whose options read alike, a map that
    does not carry the deployment's tile service (it stays grey where the others show streets),
    a table whose classes no stylesheet knows (`class="table"` drew five pages' tables as bare
    text), and markup in the <title> (shown as text in the browser's tab)."""
    fields = Fields()
    fields.feed(html)
    ids = collections.Counter(ID.findall(html))
    found = [f"id {name} ×{count}" for name, count in ids.items() if count > 1]
    found += [f"label for {name}: no such id" for name in set(LABEL_FOR.findall(html)) - set(ids)]
    found += fields.problems()
    choices = Choices()
    choices.feed(html)
    found += choices.alike
    tiles = (
        f'data-tile-url="{escape(settings.CIVICGRID_MAP_TILE_URL)}"',
        f'data-attribution="{escape(settings.CIVICGRID_MAP_TILE_ATTRIBUTION)}"',
    )
    found += [
        f"a map without the deployment's tiles: {tag[:100]}"
        for tag in MAP.findall(html)
        if not all(tile in tag for tile in tiles)
    ]
    found += [
        f'a table whose classes no stylesheet knows (drawn as bare text): class="{classes}"'
        for classes in TABLE_CLASSES.findall(html)
        if classes.split() and not set(classes.split()) & styled_classes()
    ]
    title = re.search(r"<title>(.*?)</title>", html, re.S)
    if title and "<" in title.group(1):
        found.append("markup in the title")
    return found


def repeated_statements(queries) -> list[str]:
    """A statement a page runs again and again with other values (one per row of a list: a
    relation read row by row). The cache's and the transactions' own statements do not count."""
    statements = collections.Counter(
        NUMBERS.sub("N", STRINGS.sub("S", query["sql"]))
        for query in queries.captured_queries
        if "civicgrid_cache" not in query["sql"] and not query["sql"].startswith(NOT_COUNTED)
    )
    return [
        f"statement ×{count}: {sql[:160]}"
        for sql, count in statements.items()
        if count > REPEATS_ALLOWED
    ]


def walk(client):
    """(pages read, problems): each problem (url, status, the page that offered it). A link a
    page or an answer offers must answer 200 (or redirect to one); an API URL the walk starts
    from may refuse the role (403) or the method (405: an action's POST), never fail (5xx)."""
    queue = collections.deque([("/", False, "start")])
    queue.extend((url, False, START) for url in api_lists())
    seen, kinds, problems, read = set(), set(), [], 0
    while queue:
        url, htmx, source = queue.popleft()
        path = url.split("?")[0]
        if (url, htmx) in seen or path.startswith(NOT_PAGES):
            continue
        if path.startswith("/admin/"):
            continue  # the admin's own pages: accounts.tests.test_admin_and_auth
        seen.add((url, htmx))
        try:
            kind = (resolve(path).view_name, "?" in url, htmx)
        except Resolver404:
            problems.append((url, 404, source))
            continue
        if kind in kinds:
            continue
        kinds.add(kind)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, headers={"HX-Request": "true"} if htmx else {})
        read += 1
        problems += [(url, problem, source) for problem in repeated_statements(queries)]
        if response.status_code in (301, 302):
            queue.append((response["Location"], False, url))
        elif response.status_code != 200:
            if source != START or response.status_code >= 500:
                problems.append((url, response.status_code, source))
            continue
        content_type = response.get("Content-Type", "")
        if "html" in content_type:
            html = response.content.decode()
            problems += [(url, problem, htmx) for problem in markup_problems(html)]
            for attribute, link in LINK.findall(html):
                link = link.replace("&amp;", "&")
                if link.startswith("?"):
                    link = path + link
                if link.startswith("/") and not link.startswith("//"):
                    queue.append((link, attribute == "hx-get", url))
        elif "json" in content_type:
            found = []
            _json_urls(json.loads(response.content), found)
            queue.extend((link, False, url) for link in found)
    return read, problems


@pytest.mark.parametrize("username, language, at_least", WALKS)
def test_every_page_a_role_reaches_answers(demo_street, username, language, at_least, settings):
    settings.CIVICGRID_MAP_TILE_URL, settings.CIVICGRID_MAP_TILE_ATTRIBUTION = TILES
    client = Client()
    client.force_login(User.objects.get(username=username))
    client.cookies["django_language"] = language
    read, problems = walk(client)
    assert problems == []
    assert read >= at_least


def test_every_admin_list_reads_its_rows_at_once(demo_street):
    """The back office's lists on the same street, as the system's keeper: no list runs a
    statement row by row. Found this way: Django follows only the relations that cannot be empty
    (an inspection's inspector, a supervision's category were read per row, 100 statements for
    a page), and rows named through another row (a parking space by its estate, a time-bank
    account by its resident) need their paths listed (list_select_related)."""
    from django.contrib import admin
    from django.urls import reverse

    client = Client()
    client.force_login(User.objects.get(username="admin"))
    problems = []
    for model in admin.site._registry:
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, url
        problems += [(url, problem) for problem in repeated_statements(queries)]
    assert problems == []
