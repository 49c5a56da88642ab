"""In a real browser, the operator opens a resident's report, sees the model's suggestion — its
category, confidence, reason and the 权责清单's department — and accepts it with one click: the
case is filed and dispatched, and the suggestion is recorded as right, by the operator."""

import pytest
from playwright.sync_api import expect

from civicgrid.cases.choices import CaseStatus
from civicgrid.dispatch import services
from civicgrid.dispatch.choices import Outcome
from civicgrid.dispatch.models import Suggestion
from civicgrid.dispatch.tests.conftest import FLYING_WIRE
from civicgrid.testing.browser import login, screenshot
from civicgrid.testing.cases import report

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_an_operator_accepts_a_suggestion(
    page, live_server, users, garbage, categories, departments, active
):
    wire = categories["community:0103"]
    services.do_set_responsibility(users["chief"], category=wire, department=departments["fg"])
    case = report(users["resident"], garbage, description=FLYING_WIRE)
    assert Suggestion.objects.get(case=case).category == wire  # made after the report's commit
    login(page, live_server, "operator")
    page.goto(f"{live_server.url}/console/case/{case.number}/")
    panel = page.locator("#dispatch-suggestion")
    panel.wait_for()
    assert page.locator("#dispatch-category").inner_text() == "飞线充电"
    assert "房管办" in panel.inner_text() and "依据" in panel.inner_text()
    screenshot(page, "dispatch-suggestion")
    page.click("#dispatch-accept")
    page.locator(".messages").wait_for()
    assert "已按“飞线充电”立案并派遣至房管办" in page.locator(".messages").inner_text()
    expect(page.locator("#dispatch-suggestion")).to_have_count(0)
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED
    assert (case.category, case.assigned_department) == (wire, departments["fg"])
    suggestion = Suggestion.objects.get(case=case)
    assert (suggestion.outcome, suggestion.is_correct, suggestion.decided_by) == (
        Outcome.ACCEPTED,
        True,
        users["operator"],
    )
