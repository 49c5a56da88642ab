"""In a real browser, the parts of a page htmx loads: once the session has ended, the console's
queue filter leads to the login page and back to the queue (not a login form inside the list);
a part that fails or cannot reach the server says so at the top of the page (htmx alone shows
nothing), and the notice goes when a later request succeeds."""

import pytest

from civicgrid.testing.browser import DEFAULT_PASSWORD, login, wait_until

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_after_the_session_ended_the_queue_filter_goes_to_the_login_and_back(
    page, live_server, users
):
    login(page, live_server, "operator")
    page.goto(f"{live_server.url}/console/?tab=all")
    page.context.clear_cookies()  # the session has ended (expired, or signed out elsewhere)
    with page.expect_navigation():
        page.fill("#id_q", "楼道")  # the queue reloads its list through htmx
    assert page.url == f"{live_server.url}/login/?next=%2Fconsole%2F%3Ftab%3Dall"
    assert page.locator("#queue-results").count() == 0  # a page of its own, not a part
    page.fill("input[name=username]", "operator")
    page.fill("input[name=password]", DEFAULT_PASSWORD)
    with page.expect_navigation():
        page.click("main button[type=submit]")
    assert page.url == f"{live_server.url}/console/?tab=all"


def test_a_part_that_fails_says_so_until_one_succeeds(page, live_server, users):
    login(page, live_server, "operator")
    answers = {"status": 500}

    def banner(route):
        if answers["status"] is None:
            route.abort()
        elif answers["status"] == 200:
            route.continue_()
        else:
            route.fulfill(status=answers["status"], body="")

    page.route("**/emergency/banner/", banner)
    page.goto(f"{live_server.url}/console/")
    notice = page.locator("main #request-failed")
    notice.wait_for()
    assert notice.inner_text() == "操作未完成（500），请刷新页面后重试"
    assert notice.get_attribute("role") == "alert"

    # The banner's next poll (every 60 s), asked for now.
    again = "() => { htmx.ajax('GET', '/emergency/banner/', '#emergency-banner-slot').catch(() => {}); }"
    answers["status"] = None  # no network
    page.evaluate(again)
    wait_until(page, "document.querySelector('#request-failed').innerText.includes('网络')")
    assert notice.inner_text() == "网络连接失败，请检查网络后重试"

    answers["status"] = 200
    page.evaluate(again)
    wait_until(page, "document.querySelector('#request-failed') === null")
