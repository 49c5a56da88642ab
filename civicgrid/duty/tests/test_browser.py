"""In a real browser: the 带班领导 supervises a case from its console page, the department's
handler answers the 督办 on the same page, and the leader sees the answer."""

import pytest
from playwright.sync_api import expect

from civicgrid.duty.choices import SupervisionStatus
from civicgrid.duty.models import Supervision
from civicgrid.testing.browser import login
from civicgrid.testing.cases import case_in_state

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_duty_leader_supervises_and_the_handler_answers(
    browser, page, live_server, users, garbage
):
    case = case_in_state("dispatched", users, cat=garbage)  # to 城管中队 (users["handler"])
    url = f"{live_server.url}/console/case/{case.number}/"

    login(page, live_server, users["dutyleader"].username, next_url=f"/console/case/{case.number}/")
    page.goto(url)
    form = page.locator("#act-supervise")
    assert form.get_attribute("open") is not None  # no 督办 yet: the form is open
    page.fill("#id_supervise_instruction", "今天下班前清运完毕,拍照反馈")
    assert page.input_value("#id_supervise_deadline")  # tomorrow, prefilled
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert "已督办，处置方已收到通知" in page.locator(".messages, main").first.inner_text()
    panel = page.locator("#supervisions")
    assert "今天下班前清运完毕,拍照反馈" in panel.inner_text() and "待答复" in panel.inner_text()
    [supervision] = Supervision.objects.all()

    page.context.clear_cookies()
    login(page, live_server, users["handler"].username)
    page.goto(url)
    page.locator(f"#answer-{supervision.pk} summary").click()
    page.fill(f"#id_answer-{supervision.pk}-answer", "已安排队员清运,下午四点前完成")
    with page.expect_navigation():
        page.locator(f"#answer-{supervision.pk} button[type=submit]").click()
    panel = page.locator("#supervisions")
    assert "已安排队员清运,下午四点前完成" in panel.inner_text()
    assert "已答复" in panel.inner_text()
    expect(page.locator(f"#answer-{supervision.pk}")).to_have_count(0)

    supervision.refresh_from_db()
    assert supervision.status == SupervisionStatus.ANSWERED
    assert supervision.answered_by == users["handler"]
