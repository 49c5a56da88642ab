"""In a real browser, the data a page's script asks for in the background (web/static/web/
session.js): once the session has ended, the big screen and the case map go to the login page
and back to themselves afterwards, where they had parsed the login page as data, failed in
silence and gone on showing old figures; and the big screen says when its figures could not be
refreshed, until a refresh succeeds."""

import pytest

from civicgrid.testing.browser import DEFAULT_PASSWORD, login, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# The screen's next refresh (every 60 s), asked for now.
REFRESH = "() => window.civicgridDashboard.refresh()"


def sign_in_again(page, username):
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")


def test_the_big_screen_says_its_figures_are_old_and_goes_to_the_login_when_signed_out(
    page, live_server, users
):
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/dashboard/screen/")
    wait_until(page, "() => !!(window.civicgridDashboard && window.civicgridDashboard.refresh)")
    note = page.locator("#refresh-failed")
    assert note.is_hidden()

    answers = {"status": 500}

    def figures(route):
        if answers["status"] is None:
            route.abort()  # no network
        elif answers["status"] == 200:
            route.continue_()
        else:
            route.fulfill(status=answers["status"], body="")

    page.route("**/dashboard/data.json*", figures)
    page.evaluate(REFRESH)
    note.wait_for()
    assert note.inner_text() == "数据未能刷新，显示的是上次的数据"
    assert "stale" in page.locator("#updated-at").get_attribute("class")

    answers["status"] = None
    page.evaluate(REFRESH)
    page.wait_for_timeout(200)
    assert note.is_visible()

    answers["status"] = 200
    page.evaluate(REFRESH)
    wait_until(page, "() => document.getElementById('refresh-failed').hidden")
    assert "stale" not in (page.locator("#updated-at").get_attribute("class") or "")

    page.context.clear_cookies()  # the session has ended (expired, or signed out elsewhere)
    with page.expect_navigation():
        page.evaluate(REFRESH)
    assert page.url == f"{live_server.url}/login/?next=/dashboard/screen/"
    sign_in_again(page, "leader")
    assert page.url == f"{live_server.url}/dashboard/screen/"


def test_the_case_map_goes_to_the_login_and_back_when_signed_out(page, live_server, users):
    login(page, live_server, "operator")
    page.goto(f"{live_server.url}/console/map/?tab=all")
    wait_until(page, "() => document.getElementById('case-map').dataset.ready === '1'")
    page.context.clear_cookies()
    with page.expect_navigation():
        # A state box changed: the map asks for its cases again. (Clicked from the page: the
        # page leaves at once, where Playwright's uncheck would wait to see the box unticked.)
        page.evaluate("() => document.querySelector('input[name=status]').click()")
    assert page.url == f"{live_server.url}/login/?next=/console/map/%3Ftab%3Dall"
    sign_in_again(page, "operator")
    assert page.url == f"{live_server.url}/console/map/?tab=all"
