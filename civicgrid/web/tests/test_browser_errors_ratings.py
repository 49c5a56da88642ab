"""In a real browser: a handler returns a case and lands in their inbox with the message (not on
a 404); a page that does not exist is a Chinese page with a way back; the dashboard's 满意率
counts the 不满意 that reopened a case."""

import pytest

from civicgrid.cases import services
from civicgrid.cases.choices import Rating
from civicgrid.testing.browser import login, screenshot
from civicgrid.testing.cases import case_in_state

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_returning_a_case_lands_in_the_inbox_with_the_message(page, live_server, users, garbage):
    case = case_in_state("dispatched", users, cat=garbage)
    login(page, live_server, "handler")
    page.goto(f"{live_server.url}/console/case/{case.number}/")
    page.click("#act-return summary")
    page.fill("#act-return textarea[name=reason]", "不属于本部门职责,请改派房管办")
    with page.expect_navigation():
        page.click("#act-return button[type=submit]")
    assert page.url == f"{live_server.url}/console/inbox/"
    message = page.locator(".messages .message").first.inner_text()
    assert message == f"{case.number}:已退回城运中心"
    assert "页面不存在" not in page.content()


def test_a_missing_page_in_chinese_with_a_way_back(page, live_server, users):
    login(page, live_server, "operator")
    response = page.goto(f"{live_server.url}/console/case/2026000000000/")
    assert response.status == 404
    assert page.locator("main h1").inner_text() == "页面不存在"
    screenshot(page, "error-404")
    with page.expect_navigation():
        page.click("main a:has-text('返回首页')")
    assert page.url == f"{live_server.url}/console/"


def test_dashboard_satisfaction_counts_the_reopening_rating(page, live_server, users, garbage):
    reopened = case_in_state("rated", users, cat=garbage, rating=Rating.UNSATISFIED)
    services.do_handle(reopened, users["handler"], result="已再次清理并加装围挡")
    services.do_verify_pass(reopened, users["operator"])
    services.do_rate(reopened, users["resident"], rating=Rating.SATISFIED)
    case_in_state("rated", users, cat=garbage, rating=Rating.BASICALLY)
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/dashboard/")
    assert page.locator("#kpi-satisfaction").inner_text() == "66.7%"
