"""The desk's pages: a case registered by hand, bulk 立案/不予立案 with a summary, the merge
asked first, the queues' order, why a case is on 待派遣 and 督办, the time left worded once."""

import pytest

from civicgrid.cases import services
from civicgrid.cases.choices import CaseStatus as S
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.testing.cases import case_in_state, report
from civicgrid.testing.world import IN_MICRO

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("garbage")]


def test_case_entry_reports_every_mistake_at_once_and_writes_nothing(client_for, users):
    client = client_for(users["operator"])
    response = client.post(
        "/console/new/",
        {"channel": "hotline_12345", "description": "", "reporter_phone": "12ab"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    for message in (
        "12345工单请填写工单号",
        "请选择问题类别",
        "请填写问题描述",
        "联系电话格式不正确",
    ):
        assert message in page
    assert "请填写地址、在地图上选点或选择微网格" in page
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_case_entry_of_a_call_and_of_a_typed_ticket(client_for, users, garbage, tree):
    client = client_for(users["operator"])
    response = client.post(
        "/console/new/",
        {
            "channel": "phone_call",
            "category": garbage.pk,
            "description": "小区门口垃圾堆放",
            "micro_grid": tree["micro_grids"][1].pk,
            "reporter_name": "陈先生",
            "reporter_phone": "13912345678",
        },
    )
    case = Case.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/console/case/{case.number}/"
    assert case.source == "phone_call" and case.micro_grid == tree["micro_grids"][1]
    assert not case.needs_manual_location
    page = client.get(response["Location"]).content.decode()
    assert "139****5678" in page and "13912345678" not in page
    ticket = {
        "channel": "hotline_12345",
        "ticket": "SH-0001",
        "category": garbage.pk,
        "description": "路灯不亮",
        "lon": IN_MICRO[0][0],
        "lat": IN_MICRO[0][1],
    }
    assert client.post("/console/new/", ticket).status_code == 302
    typed = Case.objects.get(external_ticket="SH-0001")
    assert typed.source == "hotline_12345" and typed.micro_grid == tree["micro_grids"][0]
    again = client.post("/console/new/", ticket)
    assert again.status_code == 400 and "已登记为案件" in again.content.decode()
    # Only the street's desk registers cases.
    assert client_for(users["handler"]).get("/console/new/").status_code == 403


def test_case_entry_refuses_a_proactive_channel_with_the_reason(client_for, users, garbage):
    # 主动发现 is not among the desk's channels; a crafted form gets the reason, not "unknown".
    response = client_for(users["operator"]).post(
        "/console/new/",
        {
            "channel": "proactive",
            "category": garbage.pk,
            "description": "小区门口垃圾堆放",
            "lon": IN_MICRO[0][0],
            "lat": IN_MICRO[0][1],
        },
    )
    assert response.status_code == 400
    assert response.context["form"].errors["channel"] == [
        "主动发现只能由主动治理巡查任务的发现生成"
    ]
    assert Case.objects.count() == 0 and CaseEvent.objects.count() == 0


def test_bulk_filing_goes_on_past_a_failure_and_says_which(client_for, users):
    first = report(users["resident"])
    second = report(users["resident"])
    done = case_in_state("filed", users)
    client = client_for(users["operator"])
    page = client.get("/console/?tab=reported").content.decode()
    assert 'id="bulk-filing"' in page and "data-select-all" in page
    response = client.post(
        "/console/filing/",
        {
            "tab": "reported",
            "decision": "file",
            "cases": [first.number, done.number, second.number],
        },
        follow=True,
    )
    text = response.content.decode()
    assert "已立案 2 件" in text and "1 件未处理" in text and done.number in text
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == second.status == S.FILED
    # 不予立案 needs the 值班长 and a reason (every case stays as it was without one).
    third = report(users["resident"])
    refused = client_for(users["chief"]).post(
        "/console/filing/", {"tab": "reported", "decision": "refuse", "cases": [third.number]}
    )
    assert refused.status_code == 400 and "请填写不予立案理由" in refused.content.decode()
    by_operator = client_for(users["operator"]).post(
        "/console/filing/",
        {"tab": "reported", "decision": "refuse", "reason": "重复", "cases": [third.number]},
    )
    assert by_operator.status_code == 400
    assert "不予立案须由值班长决定" in by_operator.content.decode()
    third.refresh_from_db()
    assert third.status == S.REPORTED


def test_merge_asks_first_and_the_master_lists_its_duplicates(client_for, users):
    master = case_in_state("filed", users)
    duplicate = case_in_state("filed", users)
    client = client_for(users["chief"])
    page = client.get(f"/console/case/{duplicate.number}/").content.decode()
    assert f"/console/case/{duplicate.number}/merge/?master={master.number}" in page
    confirm = client.get(f"/console/case/{duplicate.number}/merge/?master={master.number}")
    assert confirm.status_code == 200
    text = confirm.content.decode()
    assert 'id="merge-duplicate"' in text and 'id="merge-master"' in text and "确认合并" in text
    duplicate.refresh_from_db()
    assert duplicate.status == S.FILED  # looking changes nothing
    missing = client.get(f"/console/case/{duplicate.number}/merge/?master=2099")
    assert missing.status_code == 400 and "不存在" in missing.content.decode()
    client.post(
        f"/console/case/{duplicate.number}/do/merge/", {"master": master.number, "note": "同一处"}
    )
    duplicate.refresh_from_db()
    assert duplicate.status == S.MERGED
    master_page = client.get(f"/console/case/{master.number}/").content.decode()
    assert 'id="merged-cases"' in master_page and duplicate.number in master_page
    merged_page = client.get(f"/console/case/{duplicate.number}/").content.decode()
    assert 'id="merged-into"' in merged_page and master.number in merged_page
    assert 'id="act-unmerge"' in merged_page


def test_queue_sorts_by_deadline_by_default_and_keeps_the_sort(client_for, users, clock):
    older = report(users["resident"])  # filing deadline 10:30
    clock.advance(minutes=10)
    newer = report(users["resident"])
    client = client_for(users["operator"])
    page = client.get("/console/?tab=reported").content.decode()
    assert page.index(older.number) < page.index(newer.number)  # most urgent first
    by_created = client.get("/console/?tab=reported&sort=-created").content.decode()
    assert by_created.index(newer.number) < by_created.index(older.number)
    assert 'name="sort" value="-created"' in by_created
    assert "sort=-created" in by_created.split('data-tab="all"')[0].rsplit("<a", 1)[1]


def test_returned_cases_say_who_returned_them_why_and_keep_a_clock(client_for, users):
    case = case_in_state("dispatched", users)
    services.do_return(case, users["handler"], reason="属物业管理范围")
    page = client_for(users["operator"]).get("/console/?tab=to_dispatch").content.decode()
    row = page.split(f'data-number="{case.number}"')[1].split("</tr>")[0]
    assert "城管中队" in row and "属物业管理范围" in row and "退回" in row
    assert 'class="left' in row  # its clock runs


def test_supervision_tab_says_why(client_for, users, clock):
    from civicgrid.duty import services as duty
    from civicgrid.testing.world import local

    case = case_in_state("accepted", users)
    duty.do_supervise(
        case,
        users["dutyleader"],
        instruction="今日内清理完毕",
        deadline=local(2026, 11, 23, 16, 0),
    )
    page = client_for(users["operator"]).get("/console/?tab=supervision").content.decode()
    row = page.split(f'data-number="{case.number}"')[1].split("</tr>")[0]
    assert "孙伟督办" in row and "今日内清理完毕" in row and "11-23 16:00" in row


def test_overdue_text_replaces_zero_minutes(client_for, users, clock):
    case = case_in_state("accepted", users)
    clock.set(2026, 11, 24, 20, 0)  # past the deadline, after hours
    page = client_for(users["operator"]).get("/console/?tab=in_progress").content.decode()
    row = page.split(f'data-number="{case.number}"')[1].split("</tr>")[0]
    assert "超期" in row and "剩 0" not in row
