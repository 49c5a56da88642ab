"""Open311 GeoReport v2: every JSON response against the published schemas, the round trip,
every error (spec format, nothing written), filters, XML, privacy and query counts."""

import datetime
import json
import re
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from civicgrid.cases import services as case_services
from civicgrid.cases.models import Case, CaseEvent, CaseNumberCounter, Category
from civicgrid.open311.models import ApiClient, Open311Request
from civicgrid.open311.tests.georeport import assert_error, validate
from civicgrid.testing.world import IN_MICRO, OUTSIDE

BASE = "/open311/v2/"
CHINESE = re.compile(r"[\u4e00-\u9fff]")


def form(key, **extra):
    data = {
        "api_key": key,
        "service_code": "event-0102",
        "lat": str(IN_MICRO[0][1]),
        "long": str(IN_MICRO[0][0]),
        "description": "小区门口暴露垃圾两天没人清运",
        "first_name": "小明",
        "last_name": "王",
        "phone": "13912345678",
        "email": "wang@example.com",
        "media_url": "https://img.example.com/a.jpg",
        "attribute[request_type]": "help",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def counts():
    # The day's number counter too: a refused request must not use up a case number.
    return (
        Case.objects.count(),
        CaseEvent.objects.count(),
        Open311Request.objects.count(),
        list(CaseNumberCounter.objects.values_list("day", "last")),
    )


def report(
    at=None,
    code="0102",
    family="event",
    point=IN_MICRO[0],
    description="暴露垃圾",
    source="resident",
):
    """A case from another channel, directly through the loop (a trusted caller)."""
    return case_services.do_report(
        user=None,
        source=source,
        category=Category.objects.get(family=family, code=code),
        description=description,
        lon=point[0],
        lat=point[1],
        reporter_name="李四",
        reporter_phone="13800001111",
        now=at,
    ).case


# --- services ------------------------------------------------------------------------------------


def test_services_list_validates_and_lists_active_leaf_categories(client, db):
    Category.objects.filter(family="event", code="0510").update(is_active=False)
    response = client.get(BASE + "services.json")
    assert response.status_code == 200
    services = validate(response.json(), "services.json")
    by_code = {s["service_code"]: s for s in services}
    assert by_code["event-0102"]["service_name"] == "暴露垃圾"
    assert by_code["event-0102"]["group"] == "市容环境"
    assert by_code["component-0102"]["service_name"] == "污水井盖"
    assert by_code["community-0103"]["group"] == "社区治理"
    assert "event-0510" not in by_code  # retired
    assert "event-01" not in by_code  # a top-level class cannot be reported
    leaves = Category.objects.filter(is_active=True, parent__isnull=False).count()
    assert len(services) == leaves
    assert all(s["type"] == "realtime" and s["metadata"] is True for s in services)
    assert "1个工作日" in by_code["event-0102"]["description"]


def test_services_xml_has_the_same_services(client, db):
    response = client.get(BASE + "services.xml")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/xml")
    root = ET.fromstring(response.content)
    assert root.tag == "services"
    codes = [s.findtext("service_code") for s in root.findall("service")]
    assert codes == [s["service_code"] for s in client.get(BASE + "services.json").json()]
    first = root.find("service")
    assert first.findtext("metadata") == "true" and first.findtext("type") == "realtime"


def test_service_definition_validates(client, db):
    response = client.get(BASE + "services/event-0102.json")
    assert response.status_code == 200
    definition = validate(response.json(), "service-definition.json")
    assert definition["service_code"] == "event-0102"
    attributes = {a["code"]: a for a in definition["attributes"]}
    assert attributes["request_type"]["datatype"] == "singlevaluelist"
    assert {v["key"] for v in attributes["request_type"]["values"]} == {
        "consult",
        "supervise",
        "help",
        "complex",
    }
    assert attributes["handling_limit"]["variable"] is False
    xml = ET.fromstring(client.get(BASE + "services/event-0102.xml").content)
    assert xml.tag == "service_definition"
    assert len(xml.findall("attributes/attribute")) == len(attributes)


@pytest.mark.parametrize("code", ["event-9999", "nothing", "event-01"])
def test_unknown_service_definition_is_404(client, db, code):
    assert_error(client.get(BASE + f"services/{code}.json"), 404, code)


def test_unknown_format_is_a_spec_404(client, db):
    assert_error(client.get(BASE + "services.csv"), 404, "csv")


# --- the round trip --------------------------------------------------------------------------------


def test_form_post_creates_a_case_and_reads_back(client, tree, api_client):
    _client, key = api_client
    response = client.post(BASE + "requests.json", form(key))
    assert response.status_code == 201, response.content
    created = response.json()
    assert set(created[0]) == {"service_request_id", "token", "service_notice", "account_id"}
    assert created[0]["account_id"] is None and "1个工作日" in created[0]["service_notice"]
    number = created[0]["service_request_id"]

    case = Case.objects.get(number=number)
    assert case.source == "open311"
    assert case.micro_grid == tree["micro_grids"][0] and not case.needs_manual_location
    assert case.reporter_name == "王小明" and case.reporter_phone == "13912345678"
    assert case.reporter_user is None
    assert list(case.events.values_list("action", "to_status")) == [("report", "reported")]
    extra = case.open311_request
    assert extra.client == _client and extra.email == "wang@example.com"
    # The address is the reporter's too: the e-mail channel tells them about filing and closing.
    assert case.reporter_email == "wang@example.com"
    assert extra.attributes == {"request_type": "help"}
    assert extra.media_url == "https://img.example.com/a.jpg"

    one = client.get(BASE + f"requests/{number}.json")
    assert one.status_code == 200
    rows = validate(one.json(), "requests.json")
    assert len(rows) == 1
    row = rows[0]
    assert row["service_request_id"] == number and row["status"] == "open"
    assert row["service_code"] == "event-0102" and row["service_name"] == "暴露垃圾"
    assert row["lat"] == IN_MICRO[0][1] and row["long"] == IN_MICRO[0][0]
    assert row["media_url"] == "https://img.example.com/a.jpg"
    assert row["expected_datetime"] is None  # no handling clock before dispatch
    assert row["requested_datetime"] == timezone.localtime(case.reported_at).isoformat(
        timespec="seconds"
    )
    # No personal data in a public response.
    text = one.content.decode()
    for secret in ("王小明", "小明", "13912345678", "wang@example.com"):
        assert secret not in text

    token = client.get(BASE + f"tokens/{created[0]['token']}.json")
    assert token.status_code == 200
    assert token.json() == [{"service_request_id": number, "token": created[0]["token"]}]
    assert_error(client.get(BASE + "tokens/nope.json"), 404, "nope")


def test_post_needs_no_csrf_token(tree, api_client):
    from django.test import Client

    _client, key = api_client
    response = Client(enforce_csrf_checks=True).post(BASE + "requests.json", form(key))
    assert response.status_code == 201, response.content


def test_json_post_with_attribute_object(client, tree, api_client):
    _client, key = api_client
    body = {
        "api_key": key,
        "service_code": "community-0103",
        "lat": IN_MICRO[0][1],
        "long": IN_MICRO[0][0],
        "description": "楼道里飞线充电",
        "attribute": {"photo_url": "http://img.example.com/b.png"},
    }
    response = client.post(
        BASE + "requests.json", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()[0]["service_request_id"])
    assert case.category.name == "飞线充电" and case.source == "open311"
    assert case.open311_request.attributes == {"photo_url": "http://img.example.com/b.png"}


def test_address_only_and_outside_every_grid_are_accepted_and_flagged(client, tree, api_client):
    _client, key = api_client
    response = client.post(
        BASE + "requests.json", form(key, lat=None, long=None, address_string="浦东大道100号")
    )
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()[0]["service_request_id"])
    assert case.address == "浦东大道100号" and case.needs_manual_location
    outside = client.post(
        BASE + "requests.json", form(key, lat=str(OUTSIDE[1]), long=str(OUTSIDE[0]))
    )
    assert outside.status_code == 201
    assert Case.objects.get(number=outside.json()[0]["service_request_id"]).needs_manual_location


def test_api_key_can_be_passed_in_the_query_string_and_post_xml(client, tree, api_client):
    _client, key = api_client
    data = form(key)
    del data["api_key"]
    response = client.post(BASE + f"requests.xml?api_key={key}", data)
    assert response.status_code == 201, response.content
    root = ET.fromstring(response.content)
    assert root.tag == "service_requests"
    number = root.findtext("request/service_request_id")
    assert Case.objects.filter(number=number, source="open311").exists()


def test_client_reporting_as_an_account(client, tree, api_client, users):
    api, key = api_client
    api.user = users["admin"]
    api.full_clean()
    api.save()
    response = client.post(BASE + "requests.json", form(key))
    assert response.status_code == 201, response.content
    case = Case.objects.get(number=response.json()[0]["service_request_id"])
    assert case.reporter_user == users["admin"] and case.source == "open311"


# --- errors: spec format, right status, nothing written -------------------------------------------


@pytest.mark.parametrize(
    "change, status, fragment",
    [
        ({"api_key": None}, 403, "api_key"),
        ({"api_key": "wrong-key"}, 403, "api_key"),
        ({"service_code": None}, 400, "service_code"),
        ({"service_code": "event-9999"}, 400, "event-9999"),
        ({"service_code": "event-01"}, 400, "event-01"),
        ({"lat": None, "long": None}, 400, "address_string"),
        ({"lat": "north", "long": "east"}, 400, "数字"),
        ({"lat": "91"}, 400, "lat"),
        ({"long": None}, 400, "long"),
        ({"description": None}, 400, "description"),
        ({"description": "x" * (5 * 1024 * 1024)}, 400, "不能超过"),
        ({"phone": "call me"}, 400, "phone"),
        ({"email": "not-an-email"}, 400, "email"),
        ({"media_url": "javascript:alert(1)"}, 400, "media_url"),
        ({"attribute[request_type]": "urgent"}, 400, "attribute[request_type]"),
        ({"attribute[colour]": "red"}, 400, "colour"),
        ({"attribute[photo_url]": "ftp://x/y"}, 400, "photo_url"),
    ],
)
def test_bad_post_is_a_spec_error_and_writes_nothing(
    client, tree, api_client, change, status, fragment
):
    _client, key = api_client
    before = counts()
    response = client.post(BASE + "requests.json", form(key, **change))
    assert_error(response, status, fragment)
    assert counts() == before


def test_inactive_client_is_refused(client, tree, api_client):
    api, key = api_client
    api.is_active = False
    api.save()
    assert_error(client.post(BASE + "requests.json", form(key)), 403, "api_key")
    assert counts() == (0, 0, 0, [])


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", '"text"', b"\xff\xfe"])
def test_unreadable_json_is_a_400(client, tree, api_client, body):
    response = client.post(BASE + "requests.json", body, content_type="application/json")
    assert_error(response, 400, "JSON")
    assert counts() == (0, 0, 0, [])


def test_oversized_body_is_a_400(client, tree, api_client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    _client, key = api_client
    response = client.post(BASE + "requests.json", form(key, description="x" * 4096))
    assert_error(response, 400)
    assert counts() == (0, 0, 0, [])


def test_errors_in_english_on_request(client, tree, api_client):
    response = client.post(BASE + "requests.json", form("wrong"), HTTP_ACCEPT_LANGUAGE="en")
    body = assert_error(response, 403, "api_key")
    assert not CHINESE.search(body[0]["description"])
    response = client.get(BASE + "services/event-9999.json", HTTP_ACCEPT_LANGUAGE="en")
    assert not CHINESE.search(assert_error(response, 404, "event-9999")[0]["description"])
    chinese = client.get(BASE + "services/event-9999.json")
    assert CHINESE.search(chinese.json()[0]["description"])


def test_errors_as_xml(client, db):
    response = client.get(BASE + "services/event-9999.xml")
    assert response.status_code == 404
    root = ET.fromstring(response.content)
    assert root.tag == "errors" and root.findtext("error/code") == "404"


def test_other_methods_are_refused(client, db):
    response = client.put(BASE + "requests.json")
    assert_error(response, 405)
    assert response["Allow"] == "GET, POST"
    assert_error(client.post(BASE + "services.json"), 405)


@pytest.mark.parametrize(
    "method, path, allow",
    [
        (method, path, "GET")
        for method in ("delete", "put", "patch", "post")
        for path in ("services", "services/event-0102", "requests/2026112300001", "tokens/abc")
    ]
    + [(method, "requests", "GET, POST") for method in ("delete", "put", "patch")],
)
def test_writes_on_read_only_paths_are_a_spec_405_not_a_csrf_page(tree, method, path, allow):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    before = counts()
    response = getattr(browser, method)(BASE + path + ".json")
    assert response["Content-Type"].startswith("application/json")
    assert_error(response, 405, "不支持此请求方法")
    assert response["Allow"] == allow
    xml = getattr(browser, method)(BASE + path + ".xml", HTTP_ACCEPT_LANGUAGE="en")
    assert xml.status_code == 405 and xml["Content-Type"].startswith("text/xml")
    root = ET.fromstring(xml.content)
    assert root.tag == "errors" and root.findtext("error/code") == "405"
    assert not CHINESE.search(root.findtext("error/description"))
    assert counts() == before


def test_unknown_request_is_404(client, db):
    assert_error(client.get(BASE + "requests/2026000000001.json"), 404, "2026000000001")


# --- GET requests.json: filters, statuses, deadlines, privacy ------------------------------------


def local(*args):
    return timezone.make_aware(datetime.datetime(*args))


def test_default_window_is_the_last_90_days(client, tree):
    now = timezone.now()
    recent = report(at=now - datetime.timedelta(days=3))
    old = report(at=now - datetime.timedelta(days=100))
    response = client.get(BASE + "requests.json")
    rows = validate(response.json(), "requests.json")
    numbers = {r["service_request_id"] for r in rows}
    assert recent.number in numbers and old.number not in numbers
    # Ids override every other parameter, even the window.
    rows = client.get(
        BASE + f"requests.json?service_request_id={old.number},{recent.number}&status=closed"
    ).json()
    assert {r["service_request_id"] for r in validate(rows, "requests.json")} == {
        old.number,
        recent.number,
    }


def test_date_range_and_service_code_filters(client, tree):
    a = report(at=local(2026, 10, 1, 9, 0))
    b = report(at=local(2026, 10, 15, 9, 0), code="0505")
    c = report(at=local(2026, 11, 2, 9, 0))

    def numbers(query):
        response = client.get(BASE + "requests.json?" + query)
        assert response.status_code == 200, response.content
        return {r["service_request_id"] for r in validate(response.json(), "requests.json")}

    window = "start_date=2026-10-01T00:00:00%2B08:00&end_date=2026-10-31T23:59:59%2B08:00"
    assert numbers(window) == {a.number, b.number}
    assert numbers(window + "&service_code=event-0505") == {b.number}
    # A date alone, a UTC time, an unencoded "+" (arrives as a space).
    assert numbers("start_date=2026-10-10&end_date=2026-11-30") == {b.number, c.number}
    assert numbers("start_date=2026-11-01T00:00:00Z&end_date=2026-11-03T00:00:00Z") == {c.number}
    assert numbers("start_date=2026-11-01T00:00:00+08:00&end_date=2026-11-03") == {c.number}
    # Only a start: the 90 days after it.
    assert numbers("start_date=2026-10-14") == {b.number, c.number}


@pytest.mark.parametrize(
    "query, fragment",
    [
        ("start_date=yesterday", "yesterday"),
        ("start_date=2026-13-45", "2026-13-45"),
        ("end_date=2026-02-30T10:00:00", "2026-02-30"),
        ("start_date=2026-01-01&end_date=2026-12-31", "90"),
        ("start_date=2026-05-01&end_date=2026-04-01", "end_date"),
        ("status=pending", "pending"),
        ("service_code=event-9999", "event-9999"),
        ("service_request_id=" + ",".join(str(n) for n in range(1001)), "1000"),
    ],
)
def test_bad_query_is_a_400(client, db, query, fragment):
    assert_error(client.get(BASE + "requests.json?" + query), 400, fragment)


def test_status_filter_notes_agency_and_expected_datetime(client, tree, departments):
    open_case = report()
    refused = report()
    case_services.do_refuse_filing(refused, None, reason="不属于城市管理范围")
    dispatched = report()
    case_services.do_file(dispatched, None)
    case_services.do_dispatch(dispatched, None, department=departments["cg"])
    dispatched.refresh_from_db()

    def rows(query=""):
        response = client.get(BASE + "requests.json" + query)
        return {r["service_request_id"]: r for r in validate(response.json(), "requests.json")}

    assert set(rows("?status=open")) == {open_case.number, dispatched.number}
    closed = rows("?status=closed")
    assert set(closed) == {refused.number}
    # Public wording, never the operator's reason.
    assert closed[refused.number]["status_notes"] == "不予立案：不属于受理范围"
    assert "城市管理范围" not in json.dumps(closed, ensure_ascii=False)
    assert set(rows("?status=open,closed")) == {open_case.number, refused.number, dispatched.number}
    row = rows()[dispatched.number]
    assert row["agency_responsible"] == "城管中队"
    assert row["status_notes"] == "已派遣至处置部门"
    assert row["expected_datetime"] == timezone.localtime(dispatched.handling_deadline).isoformat(
        timespec="seconds"
    )
    assert datetime.datetime.fromisoformat(row["expected_datetime"]) == dispatched.handling_deadline


def test_public_rows_mask_numbers_typed_into_the_description(client, tree):
    case = report(description="联系我13912345678,身份证310101199001011234")
    row = client.get(BASE + f"requests/{case.number}.json").json()[0]
    assert "13912345678" not in row["description"] and "139****5678" in row["description"]
    assert "310101199001011234" not in row["description"]
    text = json.dumps(row, ensure_ascii=False)
    assert "李四" not in text and "13800001111" not in text


def test_requests_xml(client, tree):
    case = report()
    root = ET.fromstring(client.get(BASE + "requests.xml").content)
    assert root.tag == "service_requests"
    assert [r.findtext("service_request_id") for r in root.findall("request")] == [case.number]
    assert root.findtext("request/status") == "open"
    assert root.findtext("request/expected_datetime") == ""


def test_requests_list_has_no_n_plus_1(
    client, tree, api_client, departments, django_assert_max_num_queries
):
    _client, key = api_client
    for i in range(6):
        assert (
            client.post(BASE + "requests.json", form(key, description=f"垃圾{i}")).status_code
            == 201
        )
    for i in range(4):
        case = report()
        if i % 2:
            case_services.do_refuse_filing(case, None, reason="重复")
        else:
            case_services.do_file(case, None)
            case_services.do_dispatch(case, None, department=departments["cg"])
    with django_assert_max_num_queries(2):
        response = client.get(BASE + "requests.json")
    assert len(validate(response.json(), "requests.json")) == 10


def test_at_most_1000_results(client, tree, monkeypatch):
    from civicgrid.open311 import views

    assert views.MAX_RESULTS == 1000  # the spec's limit; lowered below to keep the test small
    monkeypatch.setattr(views, "MAX_RESULTS", 3)
    cases = [report(at=timezone.now() - datetime.timedelta(minutes=i)) for i in range(5)]
    rows = client.get(BASE + "requests.json").json()
    # The newest first.
    assert [r["service_request_id"] for r in rows] == [c.number for c in cases[:3]]


# --- clients and keys -----------------------------------------------------------------------------


def test_key_is_stored_hashed_and_authenticates(db):
    api = ApiClient(name="区平台")
    raw = api.set_new_key()
    api.save()
    api.refresh_from_db()
    assert raw not in (api.key_hash, api.key_prefix) and len(raw) >= 40
    assert api.key_prefix == raw[:8]
    assert ApiClient.authenticate(raw) == api
    for bad in (raw[:-1], "", None, raw + "x", 12, "x" * 10_000):
        assert ApiClient.authenticate(bad) is None


def test_client_may_only_report_as_an_account_allowed_to(db):
    from django.core.exceptions import ValidationError

    from civicgrid.testing.factories import UserFactory

    api = ApiClient(name="x", user=UserFactory(role="resident"))
    api.set_new_key()
    with pytest.raises(ValidationError) as info:
        api.full_clean()
    assert "user" in info.value.message_dict


def test_admin_shows_the_key_once(client, users):
    client.force_login(users["admin"])
    response = client.post(
        "/admin/open311/apiclient/add/",
        {"name": "随申办", "source_label": "随申办", "is_active": "on"},
        follow=True,
    )
    assert response.status_code == 200
    api = ApiClient.objects.get(name="随申办")
    shown = [str(m) for m in response.context["messages"]]
    keys = [word for m in shown for word in m.split() if word[:8] == api.key_prefix]
    assert len(keys) == 1 and ApiClient.authenticate(keys[0]) == api
    # Editing does not show (or change) the key.
    old_hash = api.key_hash
    response = client.post(
        f"/admin/open311/apiclient/{api.pk}/change/",
        {"name": "随申办App", "source_label": "随申办", "is_active": "on"},
        follow=True,
    )
    api.refresh_from_db()
    assert api.key_hash == old_hash and api.name == "随申办App"
    assert not any(api.key_prefix in str(m) for m in response.context["messages"])
    # Renewing shows a new key; the old one stops working.
    response = client.post(
        "/admin/open311/apiclient/",
        {"action": "renew_keys", "_selected_action": [api.pk]},
        follow=True,
    )
    api.refresh_from_db()
    assert api.key_hash != old_hash
    assert ApiClient.authenticate(keys[0]) is None


# --- what is published ----------------------------------------------------------------------------


def published(client, *numbers):
    """The request ids the list shows out of `numbers`, after checking each detail agrees."""
    rows = validate(client.get(BASE + "requests.json").json(), "requests.json")
    listed = {r["service_request_id"] for r in rows} & set(numbers)
    for number in numbers:
        one = client.get(BASE + f"requests/{number}.json")
        if number in listed:
            assert one.status_code == 200
            validate(one.json(), "requests.json")
        else:
            assert_error(one, 404, number)
    ids = client.get(BASE + "requests.json?service_request_id=" + ",".join(numbers)).json()
    assert {r["service_request_id"] for r in ids} == listed
    return listed


def test_only_public_channels_are_published(client, tree, api_client):
    _client, key = api_client
    via_open311 = client.post(BASE + "requests.json", form(key)).json()[0]["service_request_id"]
    resident = report(source="resident").number
    internal = {
        source: report(source=source).number
        for source in ("grid_patrol", "hotline_12345", "department", "supervision")
    }
    numbers = [via_open311, resident, *internal.values()]
    assert published(client, *numbers) == {via_open311, resident}
    xml = ET.fromstring(client.get(BASE + "requests.xml").content)
    assert {r.findtext("service_request_id") for r in xml.findall("request")} == {
        via_open311,
        resident,
    }


def test_the_published_channels_can_be_configured(client, tree, settings):
    hotline = report(source="hotline_12345").number
    resident = report(source="resident").number
    settings.CIVICGRID_OPEN311_PUBLIC_SOURCES = ["open311", "resident", "hotline_12345"]
    assert published(client, hotline, resident) == {hotline, resident}


def test_categories_that_are_not_public_are_never_published(client, tree, api_client):
    # Seeded as not public: 群租 (one flat and its tenants) and 流浪乞讨 (a vulnerable person).
    assert not Category.objects.get(family="community", code="0106").is_public
    assert not Category.objects.get(family="event", code="0502").is_public
    group_let = report(family="community", code="0106").number
    begging = report(code="0502").number
    garbage = report().number
    assert published(client, group_let, begging, garbage) == {garbage}
    # A category, or its whole top-level class, can be withdrawn in the admin.
    Category.objects.filter(family="event", code="01").update(is_public=False)
    assert published(client, garbage) == set()
    Category.objects.filter(family="event", code="01").update(is_public=True)
    Category.objects.filter(family="event", code="0102").update(is_public=False)
    assert published(client, garbage) == set()
    # An Open311 client may still report such a problem; it is just not published.
    _client, key = api_client
    created = client.post(BASE + "requests.json", form(key, service_code="community-0106"))
    assert created.status_code == 201
    number = created.json()[0]["service_request_id"]
    assert published(client, number) == set()
    token = client.get(BASE + f"tokens/{created.json()[0]['token']}.json")
    assert token.status_code == 200 and token.json()[0]["service_request_id"] == number


def test_description_and_address_are_scrubbed(client, tree, api_client):
    _client, key = api_client
    description = (
        "王小明反映：浦东大道100弄12号302室门口暴露垃圾，张先生也说过。"
        "电话139 1234 5678,座机021-64001234,身份证 3101 0119 9001 0112 3X,"
        "邮箱wang@example.com,案件2026112300017没人管，罚款2000元"
    )
    created = client.post(
        BASE + "requests.json",
        form(
            key,
            description=description,
            lat=None,
            long=None,
            address_string="浦东大道100弄12号302室",
        ),
    )
    assert created.status_code == 201, created.content
    number = created.json()[0]["service_request_id"]
    row = validate(client.get(BASE + f"requests/{number}.json").json(), "requests.json")[0]
    assert row["description"] == (
        "***反映：浦东大道100弄12号***室门口暴露垃圾，*先生也说过。"
        "电话139 **** 5678,座机021-****1234,身份证 31** **** **** **** 3X,"
        "邮箱w***@example.com,案件2026112300017没人管，罚款2000元"
    )
    assert row["address"] == "浦东大道100弄12号"
    text = client.get(BASE + "requests.xml").content.decode()
    for secret in ("王小明", "302", "1234 5678", "64001234", "wang@", "3101 0119"):
        assert secret not in text and secret not in json.dumps(row, ensure_ascii=False)


def test_status_notes_are_public_wording_without_staff_text(client, tree, departments):
    from civicgrid.testing.factories import UserFactory

    operator = UserFactory(username="op_zhang", first_name="张三", role="operator")
    chief = UserFactory(username="chief_zhao", first_name="赵六", role="shift_chief")
    handler = UserFactory(
        username="cg_li", first_name="李四", role="dept_handler", department=departments["cg"]
    )
    case = report()
    number = case.number

    def row():
        return validate(client.get(BASE + f"requests/{number}.json").json(), "requests.json")[0]

    assert row()["status_notes"] == "已受理"
    case_services.do_file(case, operator, note="属实，张三核实，13800001111")
    assert row()["status_notes"] == "已立案，待派遣"
    case_services.do_dispatch(case, operator, department=departments["cg"], note="请李四处理")
    assert row()["status_notes"] == "已派遣至处置部门"
    assert row()["agency_responsible"] == "城管中队"
    case_services.do_suspend(case, chief, reason="等待业主张某回复")
    assert row()["status_notes"] == "已派遣至处置部门（暂停办理）"
    case_services.do_resume(case, chief)
    case_services.do_accept(case, handler, note="李四接单")
    assert row()["status_notes"] == "处置部门处置中"
    case_services.do_handle(case, handler, result="已清运。李四 13800001111 现场处理")
    assert row()["status_notes"] == "处置完毕，待核查"
    case_services.do_verify_pass(case, operator, note="张三核查")
    final = row()
    assert final["status_notes"] == "已办结" and final["status"] == "closed"
    text = client.get(BASE + "requests.json").content.decode() + client.get(
        BASE + "requests.xml"
    ).content.decode("utf-8")
    for secret in (
        "op_zhang",
        "chief_zhao",
        "赵六",
        "cg_li",
        "张三",
        "李四",
        "13800001111",
        "已清运",
        "业主",
    ):
        assert secret not in text


def test_merged_and_grid_handled_wording(client, tree, departments):
    master = report()
    duplicate = report()
    case_services.do_merge(duplicate, None, master=master, note="重复，王五已处理")
    row = client.get(BASE + f"requests/{duplicate.number}.json").json()[0]
    assert row["status_notes"] == "与同一问题的请求合并办理" and row["status"] == "closed"
    case_services.do_file(master, None)
    case_services.do_dispatch(master, None, to_grid=True)
    row = client.get(BASE + f"requests/{master.number}.json").json()[0]
    assert row["status_notes"] == "已交由网格处置"
    assert row["agency_responsible"] == "网格内处置"


# --- XML: well-formed whatever is in the database ---------------------------------------------------


def test_xml_is_well_formed_whatever_the_text(client, tree, django_db_blocker):
    from django.db import connection

    case = report()
    # PostgreSQL refuses NUL in text; every other character below it stores.
    nul = "" if connection.vendor == "postgresql" else "\x00"
    odd = (
        f"a{nul}b\x1bc\x07d\ufffee\uffff f\x0b\x0c g "
        "<tag attr='x'>&amp; ]]> &#0; \u2028 \U0001f600 \u200b \t 换行\n结束"
    )
    Case.objects.filter(pk=case.pk).update(description=odd, address=f"浦东大道{nul}1号\x1b")
    for path in ("requests.xml", f"requests/{case.number}.xml"):
        response = client.get(BASE + path)
        assert response.status_code == 200
        root = ET.fromstring(response.content)  # raises on a document that is not well-formed
        text = root.findtext("request/description")
        assert text == (
            "abcde f g <tag attr='x'>&amp; ]]> &#0; \u2028 \U0001f600 \u200b \t 换行\n结束"
        )
        assert root.findtext("request/address") == "浦东大道1号"
    # JSON says it as it is (escaped), and stays valid JSON.
    row = client.get(BASE + f"requests/{case.number}.json").json()[0]
    assert "\x1b" in row["description"] and "\ufffe" in row["description"]


def test_xml_writer_strips_forbidden_characters_in_every_value():
    from civicgrid.open311.render import to_xml, xml_text

    forbidden = "".join(chr(c) for c in range(0x20) if chr(c) not in "\t\n\r")
    forbidden += "\ufffe\uffff\ud800\udfff"
    assert xml_text(f"x{forbidden}y") == "xy"
    body = to_xml(
        "service_requests",
        [{"description": f"1{forbidden}2", "attributes": [{"code": "\x00c"}], "n": None}],
    )
    root = ET.fromstring(body)
    assert root.findtext("request/description") == "12"
    assert root.findtext("request/attributes/attribute/code") == "c"
    assert root.findtext("request/n") == ""
