"""The queues and the inbox: tabs and counts per role scope, filters, search, htmx, queries."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from civicgrid.cases import services, warnings
from civicgrid.cases.choices import CaseSource, HotlineRequestType
from civicgrid.testing.cases import case_in_state, report
from civicgrid.testing.world import IN_MICRO, category

pytestmark = pytest.mark.django_db
LATE = datetime.timedelta(days=30)


def counts(response):
    return {t["key"]: t["count"] for t in response.context["tabs"]}


def numbers(response):
    return {row["case"].number for row in response.context["rows"]}


@pytest.fixture
def street(users, garbage):
    """Cases in several states: community 0 (micro-grids 0, 1) and community 1 (2, 3)."""
    u = users
    new0 = report(u["resident"], garbage, IN_MICRO[0], description="小区门口垃圾堆积")
    new2 = report(u["resident"], garbage, IN_MICRO[2], description="河道边有人倾倒建筑垃圾")
    filed = report(u["resident"], garbage, IN_MICRO[1], description="绿化带内堆放杂物")
    services.do_file(filed, u["operator"])
    working = case_in_state(
        "dispatched", u, cat=garbage, point=IN_MICRO[3], description="人行道破损积水"
    )
    handled = case_in_state(
        "dispatched", u, cat=garbage, point=IN_MICRO[0], description="楼道堆物占用消防通道"
    )
    services.do_accept(handled, u["handler"])
    services.do_handle(handled, u["handler"], result="已清理")
    # Dispatched a month ago: its handling clock has run out (overdue), and the scan turns it red.
    with time_machine.travel(timezone.now() - LATE, tick=False):
        late = case_in_state(
            "dispatched", u, cat=garbage, point=IN_MICRO[1], description="共享单车乱停放"
        )
    warnings.scan()
    return {
        "new0": new0,
        "new2": new2,
        "filed": filed,
        "working": working,
        "handled": handled,
        "late": late,
    }


def test_operator_sees_every_queue_with_counts(street, users, client_for):
    client = client_for(users["operator"])
    response = client.get("/console/")
    assert response.status_code == 200
    assert counts(response) == {
        "reported": 2,
        "to_dispatch": 1,
        "in_progress": 2,
        "to_verify": 1,
        "overdue": 1,
        "supervision": 0,
        "all": 6,
    }
    assert numbers(response) == {street["new0"].number, street["new2"].number}
    text = response.content.decode()
    assert "待受理" in text and "督办" in text
    overdue = client.get("/console/?tab=overdue")
    assert numbers(overdue) == {street["late"].number}
    assert 'class="warn-red"' in overdue.content.decode()
    assert "红灯超期" in overdue.content.decode()


def test_community_staff_see_only_their_community(street, users, client_for):
    response = client_for(users["staff"]).get("/console/?tab=all")
    assert counts(response)["all"] == 4
    assert street["new2"].number not in numbers(response)
    assert street["working"].number not in numbers(response)
    assert counts(response)["reported"] == 1
    # and no page of a case outside it
    other = client_for(users["staff"]).get(f"/console/case/{street['new2'].number}/")
    assert other.status_code == 404


def test_community_staff_filter_choices_are_their_own(street, users, client_for, tree):
    response = client_for(users["staff"]).get("/console/")
    form = response.context["form"]
    assert list(form.fields["community"].queryset) == [tree["communities"][0]]
    assert set(form.fields["micro_grid"].queryset) == set(tree["micro_grids"][:2])


def test_leader_reads_the_queue_without_buttons(street, users, client_for):
    client = client_for(users["leader"])
    response = client.get("/console/?tab=to_dispatch")
    assert response.status_code == 200
    assert counts(response)["all"] == 6
    assert response.context["bulk_form"] is None
    assert "批量派遣" not in response.content.decode()


def test_handlers_and_residents_have_no_queue(street, users, client_for):
    assert client_for(users["handler"]).get("/console/").status_code == 403
    assert client_for(users["resident"]).get("/console/").status_code == 403


def test_anonymous_visitors_are_sent_to_login(client, street):
    response = client.get("/console/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_filters_and_search(street, users, tree, garbage, client_for):
    client = client_for(users["operator"])
    by_community = client.get(f"/console/?tab=all&community={tree['communities'][1].pk}")
    assert numbers(by_community) == {street["new2"].number, street["working"].number}
    by_micro = client.get(f"/console/?tab=all&micro_grid={tree['micro_grids'][1].pk}")
    assert numbers(by_micro) == {street["filed"].number, street["late"].number}
    search = client.get("/console/?tab=all&q=消防通道")
    assert numbers(search) == {street["handled"].number}
    by_number = client.get(f"/console/?tab=all&q={street['late'].number[-5:]}")
    assert street["late"].number in numbers(by_number)
    by_category = client.get(f"/console/?tab=all&category={garbage.parent_id}")
    assert counts(by_category)["all"] == 6
    other = category("event", "0101")
    assert counts(client.get(f"/console/?tab=all&category={other.pk}"))["all"] == 0
    assert counts(client.get("/console/?tab=all&source=hotline_12345"))["all"] == 0
    by_dept = client.get(f"/console/?tab=all&department={street['working'].assigned_department_id}")
    assert counts(by_dept)["all"] == 3
    today = timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    assert counts(client.get(f"/console/?tab=all&date_from={today}&date_to={today}"))["all"] == 5
    month_ago = timezone.localdate(street["late"].reported_at)
    assert counts(client.get(f"/console/?tab=all&date_to={month_ago}"))["all"] == 1
    assert counts(client.get(f"/console/?tab=all&date_from={month_ago}"))["all"] == 6
    assert counts(client.get(f"/console/?tab=all&date_from={tomorrow}"))["all"] == 0


def test_a_bad_filter_is_shown_and_ignored(street, users, client_for):
    response = client_for(users["operator"]).get("/console/?tab=all&date_from=2026-13-45&source=x")
    assert response.status_code == 200
    assert counts(response)["all"] == 6
    assert response.context["form"].errors


def test_htmx_swaps_only_the_results(street, users, client_for):
    response = client_for(users["operator"]).get("/console/?q=垃圾", HTTP_HX_REQUEST="true")
    text = response.content.decode()
    assert "<html" not in text and 'class="tabs"' in text
    assert numbers(response) == {street["new0"].number, street["new2"].number}


def test_supervision_queue(users, garbage, departments, client_for):
    u = users
    ticket, _created = services.intake_hotline(
        user=u["operator"],
        ticket="SH12345-0001",
        category=garbage,
        description="市民反映垃圾未清运,12345督办",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
        hotline_request_type=HotlineRequestType.SUPERVISE,
        reporter_phone="13900001111",
    )
    assert ticket.source == CaseSource.HOTLINE_12345
    extended = case_in_state("dispatched", u, cat=garbage)
    services.do_accept(extended, u["handler"])
    services.do_request_extension(extended, u["handler"], days=2, reason="需协调物业")
    called = case_in_state("dispatched", u, cat=garbage)
    services.do_start_call_in(
        called, u["staff"], reason="职责不清", departments=[departments["cg"], departments["fg"]]
    )
    plain = case_in_state("dispatched", u, cat=garbage)
    response = client_for(u["operator"]).get("/console/?tab=supervision")
    assert numbers(response) == {ticket.number, extended.number, called.number}
    assert plain.number not in numbers(response)


def test_inbox_shows_the_departments_cases_and_counts(users, garbage, departments, client_for):
    u = users
    mine = case_in_state("dispatched", u, cat=garbage, description="沿街商铺跨门营业")
    accepted = case_in_state("dispatched", u, cat=garbage)
    services.do_accept(accepted, u["handler"])
    rework = case_in_state("dispatched", u, cat=garbage)
    services.do_accept(rework, u["handler"])
    services.do_handle(rework, u["handler"], result="已处理")
    services.do_verify_fail(rework, u["operator"], reason="仍有残留")
    with time_machine.travel(timezone.now() - LATE, tick=False):
        late = case_in_state("dispatched", u, cat=garbage)
        services.do_accept(late, u["handler"])
    theirs = report(u["resident"], garbage)
    services.do_file(theirs, u["operator"])
    services.do_dispatch(theirs, u["operator"], department=departments["fg"])

    response = client_for(u["handler"]).get("/console/inbox/")
    assert response.status_code == 200
    c = response.context["counts"]
    assert (c["to_accept"], c["in_progress"], c["rework"], c["overdue"]) == (1, 3, 1, 1)
    assert numbers(response) == {mine.number}
    text = response.content.decode()
    assert "接单" in text and "本部门超期" in text
    progress = client_for(u["handler"]).get("/console/inbox/?tab=in_progress")
    assert numbers(progress) == {accepted.number, rework.number, late.number}
    overdue = client_for(u["handler"]).get("/console/inbox/?tab=overdue")
    assert numbers(overdue) == {late.number}
    assert theirs.number not in numbers(
        client_for(u["handler"]).get("/console/inbox/?tab=to_accept")
    )
    other = client_for(u["handler_fg"]).get("/console/inbox/")
    assert numbers(other) == {theirs.number}
    assert client_for(u["operator"]).get("/console/inbox/").status_code == 403


def _many(users, garbage, n=30):
    cases = []
    for i in range(n):
        point = IN_MICRO[i % 4]
        case = report(users["resident"], garbage, point, description=f"第{i}号楼道堆物")
        if i % 3:
            services.do_file(case, users["operator"])
        if i % 3 == 2:
            services.do_dispatch(case, users["operator"])
        cases.append(case)
    return cases


def test_queue_queries_stay_flat(users, garbage, client_for, django_assert_max_num_queries):
    _many(users, garbage, 30)
    client = client_for(users["operator"])
    client.get("/console/")  # warm the calendar and the session
    for url in ("/console/?tab=all", "/console/?tab=to_dispatch", "/console/?q=楼道&tab=all"):
        with django_assert_max_num_queries(19):
            response = client.get(url)
        assert response.status_code == 200
    assert len(client.get("/console/?tab=all").context["rows"]) == 30
    staff = client_for(users["staff"])
    with django_assert_max_num_queries(19):
        assert staff.get("/console/?tab=all").status_code == 200


def test_inbox_queries_stay_flat(users, garbage, client_for, django_assert_max_num_queries):
    for i in range(30):
        case_in_state(
            "dispatched", users, cat=garbage, point=IN_MICRO[i % 4], description=f"第{i}处垃圾"
        )
    client = client_for(users["handler"])
    client.get("/console/inbox/")
    with django_assert_max_num_queries(19):
        response = client.get("/console/inbox/")
    assert len(response.context["rows"]) == 30


def test_case_page_queries_stay_flat(
    users, garbage, departments, client_for, django_assert_max_num_queries
):
    case = case_in_state("dispatched", users, cat=garbage)
    services.do_accept(case, users["handler"])
    services.do_request_extension(case, users["handler"], days=2, reason="需协调")
    services.do_start_call_in(
        case, users["staff"], reason="协同", departments=[departments["cg"], departments["fg"]]
    )
    for _i in range(5):
        report(users["resident"], garbage)  # possible duplicates
    client = client_for(users["operator"])
    client.get(f"/console/case/{case.number}/")
    with django_assert_max_num_queries(19):
        response = client.get(f"/console/case/{case.number}/")
    assert len(response.context["duplicates"]) == 5
