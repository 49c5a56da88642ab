"""In a real browser, a form clicked twice before its page has answered (a double click, a second
tap on a slow phone) posts once: the operator's 登记案件 makes one case, not two. The same form
posts again once the page is back from the history."""

import time

import pytest

from civicgrid.cases import services
from civicgrid.cases.models import Case
from civicgrid.testing.browser import login

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def fill_new_case(page, live_server, category, description):
    page.goto(f"{live_server.url}/console/new/")
    page.select_option("#id_category", value=str(category.pk))
    page.fill("#id_description", description)
    page.fill("#id_address", "秀沿路1501弄12号")


def test_a_double_click_on_a_form_posts_it_once(page, live_server, users, garbage, monkeypatch):
    login(page, live_server, "operator")
    fill_new_case(page, live_server, garbage, "小区门口垃圾堆了两天没人清运")
    # A slow answer, as on a busy day: the second click lands while the server works on the first.
    report = services.do_report

    def slow_report(**kwargs):
        time.sleep(0.6)
        return report(**kwargs)

    monkeypatch.setattr(services, "do_report", slow_report)
    posts = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    # Two clicks 150 ms apart, as a person's double click (Playwright's own click would wait for
    # the first click's page before the second).
    page.evaluate(
        """() => { const button = document.querySelector("#case-entry button[type=submit]");
                   button.click(); setTimeout(() => button.click(), 150); }"""
    )
    page.wait_for_timeout(1500)  # past the second click and the slow answer
    assert posts == [f"{live_server.url}/console/new/"]
    page.wait_for_url("**/console/case/**")
    assert Case.objects.filter(description="小区门口垃圾堆了两天没人清运").count() == 1

    # Back in the history (the page may come from the browser's cache): it posts again.
    page.go_back()
    fill_new_case(page, live_server, garbage, "同一地址又堆了垃圾")
    with page.expect_navigation(url="**/console/case/**"):
        page.click("#case-entry button[type=submit]")
    assert Case.objects.filter(description="同一地址又堆了垃圾").count() == 1
