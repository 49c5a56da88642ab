"""The OpenAPI document (/api/schema/) tells the truth about the REST API.

schemathesis (https://schemathesis.readthedocs.io) loads the document the running app serves
and, for every operation in it, generates requests from the document (hypothesis: a few
examples per operation and caller, derandomized so that every run sends the same requests) and
sends them in-process to the project's WSGI app. Every answer must pass four checks:

- not a server error (no 5xx);
- its status code is documented for the operation (errors too: civicgrid/core/openapi.py);
- its content type is documented;
- its body matches the documented schema (required fields present, nulls only where nullable,
  lists where lists are documented, enums, formats, no write-only field in an answer).

Who asks, on a small demo street (civicgrid/demo: grids, staff, registries, 60 cases through
the case loop, one photo, a satisfaction survey, a street front of shops):
- the 城运中心 operator with an API token from POST /api/auth/token/, over every operation with
  generated path parameters (mostly unknown objects → 404);
- the operator with a browser session (cookie + CSRF token), over every operation with a path
  parameter, naming real objects: a case in a state the action starts from, the first community,
  the first object each list endpoint returns — so the documented success bodies are checked
  on real data; and intake and the 12345 push once with a valid body (generated bodies carry a
  made-up category and are refused);
- the system admin, over what the operator may not do at all (only 403s);
- a resident and an anonymous caller, over every operation: refused (documented 403/404) except
  on what is theirs or public (intake, their own cases, the public tracking link).

Nothing is excluded. A new endpoint is covered without touching this file; a path parameter
this file cannot fill makes the test fail with a message saying so (seeded_path_parameters).
A failing run lists every failed check with a curl command that reproduces it.
"""

import io
import os
import re
import time
from collections import defaultdict

import pytest
import schemathesis
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.middleware.csrf import CSRF_ALLOWED_CHARS
from django.test import Client
from django.urls import reverse
from django.utils.crypto import get_random_string
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hypothesis_settings
from PIL import Image
from schemathesis.checks import not_a_server_error
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from civicgrid.accounts.models import User
from civicgrid.attachments import services as attachment_services
from civicgrid.attachments.choices import AttachmentKind
from civicgrid.campaigns.models import Assignment
from civicgrid.cases.choices import CaseStatus
from civicgrid.cases.models import Case, Category
from civicgrid.demo.builder import DemoParams, build_demo_street
from civicgrid.demo.bulletin import build_demo_bulletin
from civicgrid.demo.campaigns import build_demo_campaigns
from civicgrid.demo.cases import build_demo_cases
from civicgrid.demo.dispatch import build_demo_dispatch
from civicgrid.demo.duty import build_demo_duty
from civicgrid.demo.emergency import build_demo_emergency
from civicgrid.demo.estates import build_demo_estates
from civicgrid.demo.firesafety import build_demo_firesafety
from civicgrid.demo.logins import PASSWORDS
from civicgrid.demo.meetings import build_demo_meetings
from civicgrid.demo.notices import build_demo_notices
from civicgrid.demo.parking import build_demo_parking
from civicgrid.demo.party import build_demo_party
from civicgrid.demo.proactive import build_demo_proactive
from civicgrid.demo.projects import build_demo_projects
from civicgrid.demo.shops import build_demo_shops
from civicgrid.demo.sorting import build_demo_sorting
from civicgrid.demo.survey import build_demo_survey
from civicgrid.demo.timebank import build_demo_timebank
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.registry.models import Household

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
# Examples per operation and caller: with ~420 operations, about 5,500 requests (8,700 with
# 10/10/5/3/2, which had grown to 2½ minutes of CI's time in each of its two suites).
# Derandomized: CI sends the same requests each run. CIVICGRID_OPENAPI_SCALE=10 sends ten times
# as many, for a deeper search by hand (≈10× the time; the suite runs the default).
_SCALE = max(1, int(os.environ.get("CIVICGRID_OPENAPI_SCALE", "1") or 1))
EXAMPLES = {
    who: n * _SCALE
    for who, n in {"operator": 6, "seeded": 6, "admin": 3, "resident": 2, "anonymous": 2}.items()
}

# The state each case action starts from (the demo street has cases in most of them); "" for
# the case itself and every other action.
CASE_FOR_ACTION = {
    "file": CaseStatus.REPORTED,
    "refuse-filing": CaseStatus.REPORTED,
    "dispatch": CaseStatus.RETURNED,
    "accept": CaseStatus.DISPATCHED,
    "return": CaseStatus.DISPATCHED,
    "handle": CaseStatus.ACCEPTED,
    "request-extension": CaseStatus.ACCEPTED,
    "verify-pass": CaseStatus.HANDLED,
    "verify-fail": CaseStatus.HANDLED,
    "rate": CaseStatus.CLOSED,
    "": CaseStatus.ACCEPTED,
}


def examples(n: int) -> hypothesis_settings:
    return hypothesis_settings(
        max_examples=n,
        deadline=None,
        derandomize=True,
        database=None,
        # No shrinking: every failure is reported as found, and the run stays short.
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )


@pytest.fixture
def demo(db):
    build_demo_street(
        DemoParams(seed=7, communities=2, micro_grids_per_street=4, households_per_building_group=2)
    )
    build_demo_cases(60, seed=7)
    build_demo_estates(seed=7)
    build_demo_duty(seed=7)
    build_demo_survey(seed=7, answers=40)
    build_demo_sorting(seed=7)
    build_demo_shops(seed=7, blocks=3, shops=24, halves=2)
    # This small street has no village: six households become let self-built houses (出租屋).
    let = list(Household.objects.order_by("pk").values_list("pk", flat=True)[:6])
    Household.objects.filter(pk__in=let).update(tenure="self_built", use="rented")
    build_demo_firesafety(seed=7)
    build_demo_parking(seed=7)
    build_demo_meetings(seed=7)
    build_demo_projects(seed=7)
    build_demo_timebank(seed=7, volunteers=60)
    build_demo_party(seed=7, members=60)
    build_demo_emergency(seed=7)
    build_demo_notices(seed=7)  # /api/notices/notices/{id}/ and its steps
    build_demo_bulletin(seed=7)
    build_demo_proactive(seed=7)
    build_demo_dispatch(seed=7)  # /api/dispatch/: the 权责清单, a model if enough closed cases
    build_demo_campaigns(seed=7)  # /api/campaigns/: a campaign, its rounds, the 无违建 register
    return {u.username: u for u in User.objects.all()}


@pytest.fixture
def wsgi_app():
    """The project's WSGI app, as production runs it, inside the test's transaction.

    Django closes the database connection at the end of each request; here that would end the
    test's transaction, so (as Django's own test client does) the request signals leave the
    connection alone while the test runs."""
    handler = get_wsgi_application()

    def app(environ, start_response):
        # Again before every request: Django's test Client (used here to log in and to seed)
        # connects the handlers again after each of its own requests.
        request_started.disconnect(close_old_connections)
        request_finished.disconnect(close_old_connections)
        return handler(environ, start_response)

    try:
        yield app
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def session(user) -> tuple[dict, dict]:
    """A browser's credentials: the session cookie, and the CSRF cookie with its header."""
    client = Client()
    client.force_login(user)
    csrf = get_random_string(32, CSRF_ALLOWED_CHARS)
    cookies = {
        settings.SESSION_COOKIE_NAME: client.cookies[settings.SESSION_COOKIE_NAME].value,
        settings.CSRF_COOKIE_NAME: csrf,
    }
    return cookies, {"X-CSRFToken": csrf}


def token(user) -> tuple[dict, dict]:
    """An API client's credentials: a token from POST /api/auth/token/ with the demo password."""
    answer = Client().post(
        reverse("api-token"),
        {"username": user.username, "password": PASSWORDS[user.role]},
        content_type="application/json",
    )
    assert answer.status_code == 200, answer.content
    return {}, {"Authorization": f"Token {answer.json()['token']}"}


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


def seed_objects(users, operations) -> dict:
    """What the seeded runs put in their paths: `number` → case per action, `token` → a closed
    case's public token, `code` → a community, and for each `…/{id}/` path the first object
    its list endpoint shows the operator."""
    by_status = {}
    for case in Case.objects.order_by("number"):
        by_status.setdefault(case.status, case)
    open_case = by_status.get(CaseStatus.DISPATCHED) or by_status[CaseStatus.ACCEPTED]
    operator = users["operator"]
    # The demo has no photos; the attachment endpoints need one.
    attachment_services.store_attachment(
        open_case, operator, SimpleUploadedFile("p.png", png(), "image/png"), AttachmentKind.BEFORE
    )
    token(operator)  # so that the operator's token list is not empty
    client = Client()
    client.force_login(operator)
    seeded = {
        "number": {
            action: (by_status.get(status) or open_case).number
            for action, status in CASE_FOR_ACTION.items()
        },
        "token": by_status[CaseStatus.CLOSED].public_token,
        "code": Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code").first().code,
        # /api/dispatch/cases/{case_id}/…: a report waiting for 立案.
        "case_id": (by_status.get(CaseStatus.REPORTED) or open_case).pk,
    }
    for op in operations:
        prefix = op.path.split("{id}")[0]
        if prefix != op.path and prefix not in seeded:
            answer = client.get(prefix)
            rows = answer.json() if answer.status_code == 200 else []
            rows = rows.get("results", []) if isinstance(rows, dict) else rows
            if rows and "id" in rows[0]:
                seeded[prefix] = rows[0]["id"]
    # 督查 tasks are listed to their own inspector only: the operator is given an open one's id
    # (someone else's task answers the documented 404).
    if seeded.get("/api/campaigns/assignments/") is None:
        seeded["/api/campaigns/assignments/"] = (
            Assignment.objects.order_by("pk").values_list("pk", flat=True).first()
        )
    return seeded


def seeded_path_parameters(path: str, seeded: dict) -> dict | None:
    """Path parameters naming seeded objects; None when seed_objects() has none for `path`."""
    values = {}
    for name in re.findall(r"{(\w+)}", path):
        if name == "id":
            values[name] = seeded.get(path.split("{id}")[0])
        elif name == "number":
            action = path.rstrip("/").rsplit("/", 1)[-1]
            values[name] = seeded["number"].get(action, seeded["number"][""])
        else:
            values[name] = seeded.get(name)
        if values[name] is None:
            return None
    return values


def good_bodies() -> dict:
    """Bodies the API accepts, for the operations whose generated bodies it always refuses
    (a made-up category id), so that their success answers are checked too."""
    category = Category.objects.filter(parent__isnull=False, is_active=True).order_by("pk").first()
    intake = {
        "category": category.pk,
        "description": "小区门口暴露垃圾,请尽快清理",
        "lon": 121.55,
        "lat": 31.13,
        "reporter_phone": "13912345678",
    }
    return {
        "POST /api/cases/": intake,
        "POST /api/cases/hotline/": {**intake, "ticket": "12345-2026-000001"},
    }


class Run:
    """Runs operations and gathers every failed check (deduplicated) instead of stopping."""

    def __init__(self, app):
        self.app = app
        self.failures = {}
        self.statuses = defaultdict(set)
        self.requests = 0
        self.credentials = {}

    def operation(self, op, n, who, credentials=None, **strategy_kwargs):
        # Each caller's credentials are made once (a token or a session costs a request) and
        # made again after any operation under /api/auth/: POST /api/auth/logout/ ends the ones
        # it is sent with, and DELETE /api/auth/tokens/{id}/ may revoke any of the user's.
        if credentials is None:
            cookies, headers = None, None
        else:
            if who not in self.credentials:
                self.credentials[who] = credentials()
            cookies, headers = self.credentials[who]
        strategy = op.as_strategy(**strategy_kwargs)

        @examples(n)
        @given(case=strategy)
        def run(case):
            self.requests += 1
            response = case.call(app=self.app, cookies=cookies, headers=headers)
            self.statuses[(op.label, who)].add(response.status_code)
            try:
                case.validate_response(response, checks=CHECKS, headers=headers)
            except FailureGroup as group:
                for failure in group.exceptions:
                    key = (op.label, who, failure.title, str(failure.message)[:200])
                    self.failures.setdefault(key, f"{who}: {op.label}\n{group}")

        try:
            run()
        finally:
            if op.path.startswith("/api/auth/"):
                self.credentials.clear()

    def fail(self, op, message):
        self.failures[(op.label, message)] = f"{op.label}: {message}"

    def seen(self, op, *who) -> set:
        return set().union(*(self.statuses[(op.label, w)] for w in who))


@pytest.mark.long(120)
def test_every_operation_answers_as_documented(demo, wsgi_app):
    started = time.perf_counter()
    schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", wsgi_app)
    # Deletions last, so that the seeded objects are still there for everything else.
    operations = sorted(
        (result.ok() for result in schema.get_all_operations()),
        key=lambda op: op.method == "delete",
    )
    assert len(operations) > 70
    seeded = seed_objects(demo, operations)
    bodies = good_bodies()
    run = Run(wsgi_app)
    operator, admin, resident = demo["operator"], demo["admin"], demo["resident"]

    for op in operations:
        run.operation(op, EXAMPLES["operator"], "operator", lambda: token(operator))
        if op.path_parameters:
            path_parameters = seeded_path_parameters(op.path, seeded)
            if path_parameters is None:
                run.fail(op, "no seeded object for its path: add one to seed_objects()")
            else:
                run.operation(
                    op,
                    EXAMPLES["seeded"],
                    "operator, seeded",
                    lambda: session(operator),
                    path_parameters=path_parameters,
                )
        if op.label in bodies:
            run.operation(
                op,
                1,
                "operator, valid body",
                lambda: session(operator),
                body=bodies[op.label],
                media_type="application/json",
            )
    for op in operations:
        if run.seen(op, "operator", "operator, seeded") == {403}:
            kwargs = {}
            if op.path_parameters:
                kwargs["path_parameters"] = seeded_path_parameters(op.path, seeded)
            run.operation(op, EXAMPLES["admin"], "admin", lambda: session(admin), **kwargs)
    for op in operations:
        run.operation(op, EXAMPLES["resident"], "resident", lambda: session(resident))
        run.operation(op, EXAMPLES["anonymous"], "anonymous")
    run.operation(
        schema["/api/cases/"]["POST"],
        1,
        "resident, valid body",
        lambda: session(resident),
        body=bodies["POST /api/cases/"],
        media_type="application/json",
    )

    elapsed = time.perf_counter() - started
    print(
        f"\n{len(operations)} operations, {run.requests} requests, {elapsed:.1f} s; "
        f"{len(run.failures)} distinct failures"
    )
    if os.environ.get("CIVICGRID_OPENAPI_STATUSES"):
        for (label, who), codes in sorted(run.statuses.items()):
            print(f"{label:55} {who:20} {sorted(codes)}")
    # Each caller met success somewhere (the runs really were signed in as them).
    assert 201 in run.seen(schema["/api/cases/"]["POST"], "resident, valid body")
    assert 200 in run.seen(schema["/api/cases/"]["GET"], "operator")
    anonymous = run.seen(schema["/api/cases/"]["GET"], "anonymous")
    assert anonymous & {401, 403} and 200 not in anonymous
    assert not run.failures, "\n\n".join(run.failures.values())
