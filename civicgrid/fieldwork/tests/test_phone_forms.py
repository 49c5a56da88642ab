"""What the phone pages do for a worker in a hurry: a report sent twice (offline queue, a poor
connection) is one case, the queue gets JSON; required fields say what is missing; "其余全部正常"
leaves the lines just marked 有问题; the household search reads full-width digits and
householders' names; the grid's reports waiting for 立案."""

import uuid

import pytest

from civicgrid.cases import services as cases
from civicgrid.cases.models import Case
from civicgrid.fieldwork import services
from civicgrid.fieldwork.forms import HandleForm, ReportForm, VisitForm
from civicgrid.fieldwork.models import ChecklistItem, PatrolFinding
from civicgrid.registry import services as registry_services
from civicgrid.registry.models import Household
from civicgrid.testing.images import not_an_image
from civicgrid.testing.world import IN_MICRO, category

pytestmark = pytest.mark.django_db

QUEUE = {"HTTP_X_CIVICGRID_QUEUE": "1"}


def report_form(**changes):
    data = {
        "category": category("community", "0101").pk,
        "description": "地下车库入口堆放建筑垃圾",
        "lon": str(IN_MICRO[0][0]),
        "lat": str(IN_MICRO[0][1]),
        "client_key": str(uuid.uuid4()),
    }
    data.update(changes)
    return data


def test_a_report_sent_twice_with_its_key_is_one_case(users, tree, client_for):
    c = client_for(users["worker"])
    data = report_form()
    first = c.post("/m/report/", data, **QUEUE)
    assert first.status_code == 201
    case = Case.objects.get()
    assert first.json() == {
        "number": case.number,
        "url": f"/m/cases/{case.number}/",
        "created": True,
    }
    again = c.post("/m/report/", data, **QUEUE)
    assert again.status_code == 200 and again.json()["number"] == case.number
    assert again.json()["created"] is False
    # The page's own submit (no queue header) with the same key lands on the same case too.
    page = c.post("/m/report/", data)
    assert page.status_code == 302 and page["Location"] == f"/m/cases/{case.number}/"
    assert Case.objects.count() == 1 and str(Case.objects.get().client_key) == data["client_key"]


def test_the_queue_gets_the_errors_as_json_and_nothing_is_written(users, tree, client_for):
    response = client_for(users["worker"]).post(
        "/m/report/", report_form(description=" ", photos=[not_an_image("scan.jpg")]), **QUEUE
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert errors["description"][0]["message"] == "请填写问题描述"
    assert "scan.jpg" in errors["photos"][0]["message"]  # the photo in the same answer
    assert not Case.objects.exists()


def test_a_bad_key_is_a_message_not_a_crash(users, tree, client_for):
    response = client_for(users["worker"]).post("/m/report/", report_form(client_key="abc"))
    assert response.status_code == 400
    assert "提交标识格式不正确" in response.content.decode()
    assert not Case.objects.exists()


def test_the_page_carries_a_fresh_key_and_the_offline_queue(users, tree, client_for):
    c = client_for(users["worker"])
    first, second = (c.get("/m/report/").content.decode() for _ in range(2))
    key = 'name="client_key" value="'
    assert key in first and first.split(key)[1][:36] != second.split(key)[1][:36]
    assert "data-offline-queue" in first and "data-outbox" in first
    assert "vendor/idb-keyval/umd.js" in first and "fieldwork/offline.js" in first


@pytest.mark.parametrize(
    ("form", "field", "message"),
    [
        (ReportForm, "category", "请选择问题类别"),
        (ReportForm, "description", "请填写问题描述"),
        (HandleForm, "result", "请填写处置结果"),
        (VisitForm, "topics", "请填写询问事项"),
    ],
)
def test_required_fields_say_what_is_missing(form, field, message):
    bound = form(data={})
    assert not bound.is_valid()
    assert bound.errors[field] == [message]


def test_a_line_break_counts_once_as_the_counter_shows_it():
    text = "第一行\r\n" * 450  # 1799 characters with LF, 2248 with CR LF (the limit: 2000)
    form = HandleForm(data={"result": text[:-2]})
    assert form.is_valid(), form.errors
    assert "\r" not in form.cleaned_data["result"]


def test_rest_ok_skips_the_lines_the_worker_is_still_describing(users, tree, client_for):
    patrol = services.start_patrol(users["worker"], tree["micro_grids"][0])
    items = list(ChecklistItem.objects.filter(is_active=True).order_by("pk"))
    c = client_for(users["worker"])
    # 有问题 without its note: refused, the page's 其余全部正常 then leaves that line out.
    refused = c.post(
        f"/m/patrols/{patrol.pk}/items/{items[0].pk}/",
        {f"item{items[0].pk}-result": "problem", f"item{items[0].pk}-note": ""},
    )
    assert refused.status_code == 400
    page = refused.content.decode()
    assert f'<input type="hidden" name="skip" value="{items[0].pk}">' in page
    assert "data-pending-problem" in page
    response = c.post(f"/m/patrols/{patrol.pk}/rest-ok/", {"skip": [items[0].pk]}, follow=True)
    assert not PatrolFinding.objects.filter(patrol=patrol, item=items[0]).exists()
    assert PatrolFinding.objects.filter(patrol=patrol, result="ok").count() == len(items) - 1
    assert "尚未保存" in response.content.decode()
    # A bad skip value is a message, and nothing is ticked.
    other = services.start_patrol(users["worker2"], tree["micro_grids"][2])
    client_for(users["worker2"]).post(f"/m/patrols/{other.pk}/rest-ok/", {"skip": ["x"]})
    assert not PatrolFinding.objects.filter(patrol=other).exists()


def test_household_search_reads_full_width_digits_and_householders(households):
    every = Household.objects.all()
    found = registry_services.search_households(every, "１５０１弄１２号")
    assert list(found) == [households[1][1]]
    assert list(registry_services.search_households(every, "秀沿路 1501 弄 十二 號")) == [
        households[1][1]
    ]
    head = households[0][0].residents.get(relation_to_head="户主")
    spouse = households[0][0].residents.exclude(pk=head.pk).get()
    assert households[0][0] in registry_services.search_households(every, head.name)
    assert households[0][0] not in registry_services.search_households(every, spouse.name)
    assert not registry_services.search_households(every, "１").exists()


def test_the_visit_search_stays_in_the_workers_grids(users, households, client_for):
    c = client_for(users["worker"])
    mine = c.get("/m/visits/new/", {"q": "１５０１弄１号"}).content.decode()
    assert "秀沿路1501弄1号" in mine
    theirs = c.get("/m/visits/new/", {"q": "１５０１弄２１号"}).content.decode()
    assert "秀沿路1501弄21号" not in theirs and "没有找到" in theirs


def test_the_grids_reports_waiting_for_filing(
    users, tree, client_for, django_assert_max_num_queries
):
    def report(point):
        return cases.do_report(
            user=None,
            category=category("community", "0101"),
            description="楼道堆物",
            lon=point[0],
            lat=point[1],
            source="resident",
            reporter_phone="13912345678",
        ).case

    waiting = [report(IN_MICRO[0]) for _ in range(3)]
    elsewhere = report(IN_MICRO[2])
    cases.do_file(waiting[2], users["operator"])
    c = client_for(users["worker"])
    with django_assert_max_num_queries(20):
        text = c.get("/m/waiting/").content.decode()
    assert waiting[0].number in text and waiting[1].number in text
    assert waiting[2].number not in text and elsewhere.number not in text
    assert "/m/waiting/" in c.get("/m/").content.decode()
    assert client_for(users["resident"]).get("/m/waiting/").status_code == 403
