"""In a real browser, the desk's control of cases as the operator, the 值班长 and the departments
see it: a call registered with every mistake shown at once, bulk 立案 with select-all, 改派,
催办 on an overdue case with its "超期" text, 协办 feedback before the lead's handle, and a
merge confirmed side by side."""

import pytest
from playwright.sync_api import expect

from civicgrid.cases import services
from civicgrid.cases.choices import CaseStatus as S
from civicgrid.cases.models import Case
from civicgrid.testing.browser import login, screenshot
from civicgrid.testing.cases import case_in_state, report

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("garbage"),
]


def test_operator_registers_a_call_and_files_in_bulk(page, live_server, users, garbage, tree):
    waiting = [report(users["resident"], description=f"楼道堆物{n}") for n in range(3)]
    login(page, live_server, "operator")
    page.click("#new-case-link")
    page.check("input[name=channel][value=hotline_12345]")
    page.fill("#id_reporter_phone", "12ab")
    page.click("#case-entry button[type=submit]")
    summary = page.locator("[data-error-summary]")
    for message in (
        "12345工单请填写工单号",
        "请选择问题类别",
        "请填写问题描述",
        "联系电话格式不正确",
    ):
        assert message in summary.inner_text()
    page.check("input[name=channel][value=phone_call]")
    page.fill("#id_ticket", "")
    page.select_option("#id_category", str(garbage.pk))
    page.fill("#id_description", "来电反映:小区东门垃圾满溢")
    page.select_option("#id_micro_grid", str(tree["micro_grids"][0].pk))
    page.fill("#id_reporter_name", "陈先生")
    page.fill("#id_reporter_phone", "13912345678")
    page.click("#case-entry button[type=submit]")
    assert "已登记案件" in page.locator(".messages").inner_text()
    assert "139****5678" in page.content() and "13912345678" not in page.content()
    entered = Case.objects.get(source="phone_call")

    page.goto(f"{live_server.url}/console/?tab=reported")
    page.check("[data-select-all]")
    expect(page.locator('#bulk-filing input[name="cases"]:checked')).to_have_count(4)
    screenshot(page, "console-bulk-filing")
    page.click("#bulk-filing button[type=submit]")
    assert "已立案 4 件" in page.locator(".messages").inner_text()
    assert all(Case.objects.get(pk=c.pk).status == S.FILED for c in [*waiting, entered])


def test_redispatch_and_co_handling(page, live_server, users, departments):
    case = case_in_state("filed", users)
    services.do_dispatch(
        case, users["operator"], department=departments["cg"], co_departments=[departments["fg"]]
    )
    services.do_accept(case, users["handler"])
    late = case_in_state("accepted", users)

    # The co-handler finds its part in the inbox and gives its feedback.
    login(page, live_server, "handler_fg")
    page.click('.tabs a[data-tab="co_handling"]')
    page.click(f'tr[data-number="{case.number}"] a.button')
    page.fill("#act-co_feedback textarea[name=feedback]", "已通知物业清运")
    page.click("#act-co_feedback button[type=submit]")
    assert "协办反馈已提交" in page.locator(".messages").inner_text()
    page.context.clear_cookies()

    # The lead department sees it and may now record the handling.
    login(page, live_server, "handler")
    page.goto(f"{live_server.url}/console/case/{case.number}/")
    assert "已通知物业清运" in page.locator("#co-handlings").inner_text()
    expect(page.locator("#act-handle")).to_have_count(1)
    page.context.clear_cookies()

    # The operator moves the other case to 房管办 with a reason.
    login(page, live_server, "operator")
    page.goto(f"{live_server.url}/console/case/{late.number}/")
    page.click("#act-redispatch summary")
    page.select_option("#act-redispatch select[name=department]", str(departments["fg"].pk))
    page.fill("#act-redispatch textarea[name=reason]", "属物业维修范围")
    page.click("#act-redispatch button[type=submit]")
    assert "已改派" in page.locator(".messages").inner_text()
    late.refresh_from_db()
    assert late.assigned_department == departments["fg"] and late.status == S.DISPATCHED
    screenshot(page, "console-redispatch")


def test_hurry_an_overdue_case_and_confirm_a_merge(page, live_server, users, clock):
    clock.set(2026, 11, 23, 10, 0)
    case = case_in_state("accepted", users)
    master = case_in_state("filed", users)
    duplicate = case_in_state("filed", users)
    clock.set(2026, 11, 25, 11, 0)  # two working hours past the handling deadline

    login(page, live_server, "chief")
    page.goto(f"{live_server.url}/console/?tab=in_progress")
    row = page.locator(f'tr[data-number="{case.number}"]')
    assert "超期 2 工作小时" in row.inner_text() and "剩 0" not in row.inner_text()
    page.goto(f"{live_server.url}/console/case/{case.number}/")
    page.click("#act-hurry summary")
    page.click("#act-hurry button[type=submit]")
    assert "已催办" in page.locator(".messages").inner_text()
    assert "催办 1 次" in page.locator("#hurry-count").inner_text()

    page.goto(f"{live_server.url}/console/case/{duplicate.number}/")
    page.click("#act-merge summary")
    page.fill("#act-merge input[name=master]", master.number)
    page.click("#act-merge button[type=submit]")
    assert master.number in page.locator("#merge-master").inner_text()
    assert duplicate.number in page.locator("#merge-duplicate").inner_text()
    duplicate.refresh_from_db()
    assert duplicate.status == S.FILED  # nothing happens before the confirmation
    screenshot(page, "console-merge-confirm")
    page.click("#merge-form button[type=submit]")
    assert master.number in page.locator("#merged-into").inner_text()
    page.click("#merged-into a")
    assert duplicate.number in page.locator("#merged-cases").inner_text()
