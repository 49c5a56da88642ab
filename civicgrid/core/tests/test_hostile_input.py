"""Hostile input is a 4xx with a clear message in the user's language, never a 500, and nothing
is written: deeply nested JSON, huge integers, out-of-range and impossible dates, control
characters, lone surrogates and invisible characters in names, oversized bodies, page sizes.

The POST and list endpoints come from the URL resolver, so a new endpoint is covered."""

import datetime
import json
import re

import pytest
from django.test import Client
from django.urls import URLResolver, get_resolver
from rest_framework.test import APIClient

from civicgrid.accounts.choices import Role
from civicgrid.cases import services
from civicgrid.cases.models import Case, CaseEvent, Category
from civicgrid.core import inputs
from civicgrid.core.text import check_text, text_problem, validate_name
from civicgrid.open311.models import ApiClient
from civicgrid.registry.models import Address, Household, Resident
from civicgrid.testing.factories import UserFactory, assign_post
from civicgrid.workcalendar.models import CalendarDay

# Every endpoint, several times over (half a minute on PostgreSQL): the file runs first.
pytestmark = pytest.mark.long(25)

HUGE = "9" * 30
DEEP = "[" * 10_000 + "]" * 10_000
INSIDE = (121.505, 31.1075)

# Concrete values for the path parameters of the URL patterns (the guard answers before the
# view looks anything up, so they need not exist).
PATH_VALUES = {
    "number": "2026112300001",
    "token": "tok",
    "code": "310115125001001",
    "pk": "1",
    "item_id": "1",
    "action": "file",
    "fmt": "json",
    "format": "json",
}


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern.callback


def _concrete(pattern: str) -> str:
    url = pattern.replace("^", "").replace("$", "").replace("\\.", ".").replace("/?", "/")
    url = url.replace("<drf_format_suffix:format>", "")

    def value(match):
        return PATH_VALUES.get(match.group(1), "1")

    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", value, url)
    url = re.sub(r"<(?:\w+:)?(\w+)>", value, url)
    return "/" + url


def _endpoints():
    seen = set()
    for pattern, callback in _walk(get_resolver().url_patterns):
        url = _concrete(pattern)
        if url.startswith("/admin/") or url in seen:
            continue
        seen.add(url)
        yield url, callback


ALL_URLS = [url for url, _ in _endpoints()]
API_LIST_URLS = [
    url
    for url, callback in _endpoints()
    if url.startswith("/api/") and "list" in (getattr(callback, "actions", None) or {}).values()
]


@pytest.fixture
def admin_user(db):
    return UserFactory(username="root", role=Role.ADMIN, is_staff=True, is_superuser=True)


@pytest.fixture
def worker(tree):
    user = UserFactory(username="worker", role=Role.GRID_WORKER, first_name="伟", last_name="王")
    assign_post(user, tree["micro_grids"][0])
    return user


@pytest.fixture
def case(tree, admin_user):
    category = Category.objects.get(family="event", code="0102")
    return services.do_report(
        user=admin_user, category=category, description="楼道堆物", lon=INSIDE[0], lat=INSIDE[1]
    ).case


@pytest.fixture
def household(tree):
    address = Address.objects.create(
        road="测试路", lane="1", number="1", building_group=tree["building_groups"][0]
    )
    return Household.objects.create(address=address)


@pytest.fixture
def open311_key(db):
    client = ApiClient(name="随申办", source_label="随申办")
    key = client.set_new_key()
    client.save()
    return key


def signed_in(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


def anonymous() -> Client:
    return Client(raise_request_exception=False)


def counts():
    return (
        Case.objects.count(),
        CaseEvent.objects.count(),
        Resident.objects.count(),
        Household.objects.count(),
    )


def message_of(response) -> str:
    return response.content.decode()


# --- the rules themselves ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "value",
    ["a\x00b", "\x07", "\x1b[31m", "\x7f", "\x85", "\ud800", "x\udfffy", "\ufdd0", "\uffff"],
)
def test_text_rule_refuses_controls_surrogates_and_noncharacters(value):
    assert text_problem(value) is not None
    assert text_problem(value, name=True) is not None


@pytest.mark.parametrize("value", ["王小明", "第1居委第1网格", "Zoë", "多行\n文本\t制表", "😀"])
def test_text_rule_keeps_ordinary_text(value):
    assert check_text(value) == value


@pytest.mark.parametrize(
    "value",
    ["王\u202e明", "王\u2066明", "王\u200b明", "王\u200d明", "\ufeff王明", "王\u2060明", "王\t明"],
)
def test_name_rule_refuses_bidi_zero_width_and_tabs(value):
    assert text_problem(value) is None  # allowed in free text …
    with pytest.raises(Exception) as refused:
        validate_name(value)  # … not in a name
    assert "名称中不能含有" in str(refused.value)


def test_json_depth_scan_ignores_brackets_inside_strings():
    assert not inputs.json_too_deep(json.dumps({"text": "[" * 100}))
    assert inputs.json_too_deep("[" * 33 + "]" * 33)
    assert not inputs.json_too_deep("[" * 32 + "]" * 32)


# --- deeply nested JSON ---------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("url", ALL_URLS)
def test_deep_json_is_a_400_on_every_endpoint_signed_out(url):
    response = anonymous().post(url, DEEP, content_type="application/json")
    assert response.status_code == 400, (url, response.content[:200])
    assert "JSON 嵌套层数过多" in message_of(response)


@pytest.mark.parametrize("url", [u for u in ALL_URLS if u.startswith(("/api/", "/open311/"))])
def test_deep_json_is_a_400_on_every_api_endpoint_signed_in(url, admin_user):
    response = signed_in(admin_user).post(url, DEEP, content_type="application/json")
    assert response.status_code == 400, (url, response.content[:200])
    assert "JSON 嵌套层数过多" in message_of(response)


def test_deep_json_on_the_token_endpoint_and_open311_in_their_shapes(db):
    token = anonymous().post("/api/auth/token/", DEEP, content_type="application/json")
    assert token.status_code == 400
    assert token.json() == {"detail": "JSON 嵌套层数过多（最多 32 层）"}
    open311 = anonymous().post("/open311/v2/requests.json", DEEP, content_type="application/json")
    assert open311.status_code == 400
    assert open311.json() == [{"code": 400, "description": "JSON 嵌套层数过多（最多 32 层）"}]
    xml = anonymous().post("/open311/v2/requests.xml", DEEP, content_type="application/json")
    assert xml.status_code == 400 and b"<code>400</code>" in xml.content


def test_deep_json_message_in_english(db):
    response = anonymous().post(
        "/api/auth/token/", DEEP, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {"detail": "JSON is nested too deeply (at most 32 levels)"}


def test_deep_json_inside_an_api_body_is_refused_by_the_parser(tree, admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    before = counts()
    nested = {"category": 1, "description": "x", "extra": json.loads("[" * 30 + "]" * 30)}
    nested["extra"] = [[[[[nested["extra"]]]]]]
    response = client.post("/api/cases/", nested, format="json")
    assert response.status_code == 400
    assert counts() == before


# --- body size ------------------------------------------------------------------------------------


def test_oversized_bodies_are_refused_before_reading(settings, admin_user):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    body = json.dumps({"description": "x" * 2000})
    api = signed_in(admin_user).post("/api/cases/", body, content_type="application/json")
    assert api.status_code == 400
    assert "请求内容过大" in api.json()["detail"]
    open311 = anonymous().post("/open311/v2/requests.json", body, content_type="application/json")
    assert open311.status_code == 400 and open311.json()[0]["code"] == 400
    form = anonymous().post("/resident/report/", {"description": "x" * 2000})
    assert form.status_code == 400
    assert "提交的内容过大" in message_of(form)
    assert Case.objects.count() == 0


# --- huge integers --------------------------------------------------------------------------------


@pytest.mark.parametrize("url", API_LIST_URLS)
def test_huge_integer_query_parameters_are_400_on_every_list(url, admin_user):
    for name in ("limit", "offset", "id", "household", "category", "year"):
        response = signed_in(admin_user).get(url, {name: HUGE})
        assert response.status_code == 400, (url, name, response.content[:200])
        assert "数值超出范围" in response.json()[name][0]


def test_huge_integers_in_json_bodies_write_nothing(tree, admin_user, case):
    client = signed_in(admin_user)
    before = counts()
    for body in (
        '{"category": HUGE, "description": "垃圾", "lon": 121.5, "lat": 31.1}'.replace(
            "HUGE", HUGE
        ),
        '{"category": 1, "description": "垃圾", "lon": HUGE, "lat": 31.1}'.replace("HUGE", HUGE),
        '{"category": 1, "description": "垃圾", "lon": 1e400, "lat": 31.1}',
        '{"category": 1, "description": "垃圾", "lon": NaN, "lat": 31.1}',
    ):
        response = client.post("/api/cases/", body, content_type="application/json")
        assert response.status_code == 400, response.content
    assert counts() == before
    batch = client.post(
        "/api/grids/locate/batch/",
        '{"points": [[HUGE, 31.1]]}'.replace("HUGE", HUGE),
        content_type="application/json",
    )
    assert batch.status_code == 400
    assert batch.json() == {
        "points[0][0]": ["数值超出范围（应在 -9223372036854775808 到 9223372036854775807 之间）"]
    }


def test_huge_ids_in_paths_and_forms_are_not_500(tree, admin_user, case):
    client = signed_in(admin_user)
    assert client.get(f"/api/registry/residents/{HUGE}/").status_code == 404
    assert client.get(f"/m/patrols/{HUGE}/").status_code == 403
    dispatch = client.post(
        f"/console/case/{case.number}/do/dispatch/", {"department": HUGE, "note": "派"}
    )
    assert dispatch.status_code == 400
    assert "数值超出范围" in message_of(dispatch)


API_ID_PATTERNS = [
    pattern
    for pattern, _ in _walk(get_resolver().url_patterns)
    if pattern.startswith("api/") and "(?P<pk>" in pattern
]
API_ID_URLS = sorted(
    {_concrete(re.sub(r"\(\?P<pk>[^)]*\)", "null,null", p)) for p in API_ID_PATTERNS}
)


def test_every_api_id_route_takes_digits_only():
    # DRF's routers match an id as any text ([^/.]+): "null,null" reached the views
    assert len(API_ID_PATTERNS) > 100
    assert not [p for p in API_ID_PATTERNS if "(?P<pk>[^/.]+)" in p]


def test_a_non_numeric_id_is_a_404_not_a_500(admin_user):
    client = signed_in(admin_user)
    answers = {
        (url, method): getattr(client, method)(url, {}, content_type="application/json")
        for url in API_ID_URLS
        for method in ("get", "post")
    }
    assert {key: r.status_code for key, r in answers.items() if r.status_code != 404} == {}


@pytest.mark.parametrize("value", ["abc", "", "  ", "1.5", "-1", "0", "\uff19", HUGE, "1e3"])
def test_a_posted_id_is_a_positive_integer_or_nothing(value):
    assert inputs.posted_id({"row": value}, "row") is None
    assert inputs.posted_id({"row": " 12 "}, "row") == 12
    assert inputs.posted_id({}, "row") is None


def test_a_posted_date_is_a_real_day_or_nothing():
    assert inputs.posted_date({"on": "2025-02-30"}, "on") is None
    assert inputs.posted_date({"on": "abc"}, "on") is None
    assert inputs.posted_date({"on": "2025-02-28"}, "on") == datetime.date(2025, 2, 28)


# Forms whose row id or date a page looked up itself: "abc" raised a ValueError (500).
FORM_INPUTS = [
    ("staff", "/timebank/", {"record": "abc", "action": "verify"}, "没有这条待审核的服务记录"),
    ("staff", "/projects/ideas/", {"idea": "abc", "action": "decline"}, "没有这条建议"),
    ("resident", "/timebank/me/", {"project": "abc"}, ""),
    ("resident", "/timebank/help/", {"project": "abc", "wanted_on": "2025-02-30"}, "请选择老人"),
    ("resident", "/parking/find/", {"offer": "abc", "vehicle": "abc"}, "请选择车位和预约户"),
    ("staff", "/parking/gate/", {"booking": "abc", "action": "arrive"}, "没有这个预约"),
]


@pytest.mark.parametrize(("role", "url", "data", "message"), FORM_INPUTS)
def test_a_text_id_in_a_page_form_is_the_page_s_own_message(users, role, url, data, message):
    response = signed_in(users[role]).post(url, data)
    assert response.status_code == 200, (url, response.status_code)
    assert message in message_of(response)


def test_huge_coordinates_on_the_locate_endpoint(tree, admin_user):
    response = signed_in(admin_user).get("/api/grids/locate/", {"lon": "9" * 400, "lat": "31"})
    assert response.status_code == 400
    assert "数值超出范围" in response.json()["lon"][0]


# --- dates ----------------------------------------------------------------------------------------

DATE_PARAMETERS = [
    ("/api/cases/indicators/", "start", {}),
    ("/api/cases/indicators/", "end", {}),
    ("/api/cases/", "reported_after", {}),
    ("/api/cases/", "reported_before", {}),
    ("/api/calendar/days/", "date_from", {}),
    ("/api/calendar/days/", "date_to", {}),
    ("/api/calendar/deadline/", "start", {"working_days": "3"}),
    ("/open311/v2/requests.json", "start_date", {}),
    ("/open311/v2/requests.json", "end_date", {}),
    ("/console/", "date_from", {}),
    ("/console/", "date_to", {}),
    ("/dashboard/", "start", {}),
    ("/dashboard/", "end", {}),
]


@pytest.mark.parametrize(("url", "name", "extra"), DATE_PARAMETERS)
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9999-12-31", "日期超出范围"),
        ("0001-01-01", "日期超出范围"),
        ("9999-99-99", "日期超出范围"),
        ("12/31/9999", "日期超出范围"),
        ("9999-12-31T23:59:59+08:00", "日期超出范围"),
    ],
)
def test_dates_out_of_range_or_impossible_are_400(url, name, extra, value, expected, admin_user):
    response = signed_in(admin_user).get(url, {name: value, **extra})
    assert response.status_code == 400, (url, name, value, response.content[:300])
    assert expected in message_of(response)
    if url.startswith("/open311/"):
        assert response.json()[0]["code"] == 400
        assert response.json()[0]["description"].startswith(f"{name}:")


@pytest.mark.parametrize(("url", "name", "extra"), DATE_PARAMETERS)
def test_impossible_dates_within_the_range_are_the_fields_business(url, name, extra, admin_user):
    # 2026-02-30 is no date: each field refuses it in its own words (the console shows the
    # error beside its filter and ignores it), never a 500.
    response = signed_in(admin_user).get(url, {name: "2026-02-30", **extra})
    expected = 200 if url == "/console/" else 400
    assert response.status_code == expected, (url, name, response.content[:300])
    if expected == 200:
        assert response.context["form"].errors[name]


def test_staffing_on_date(tree, admin_user):
    code = tree["micro_grids"][0].code
    for value, expected in (("2026-02-30", "日期格式应为"), ("9999-12-31", "日期超出范围")):
        response = signed_in(admin_user).get(f"/api/grids/{code}/staffing/", {"on": value})
        assert response.status_code == 400
        assert expected in str(response.json()["on"])


@pytest.mark.parametrize(
    ("url", "params"),
    [
        ("/api/cases/indicators/", {"end": "99991231"}),
        ("/api/calendar/deadline/", {"start": "99991231", "working_days": "3"}),
        ("/open311/v2/requests.json", {"start_date": "99991201"}),
        ("/console/", {"date_to": "12/31/9999"}),
        ("/dashboard/", {"end": "99991231"}),
    ],
)
def test_dates_in_other_spellings_are_refused_by_their_fields(url, params, admin_user):
    response = signed_in(admin_user).get(url, params)
    assert response.status_code == 400, response.content[:300]
    assert "范围" in message_of(response) or "不是有效" in message_of(response)


def test_date_messages_in_english(admin_user):
    response = signed_in(admin_user).get(
        "/api/cases/indicators/", {"end": "9999-12-31"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {
        "end": ["The date is out of range (it must be between 1901-01-01 and 2999-12-31)"]
    }


# --- text: control characters, lone surrogates, invisible characters in names ----------------------


@pytest.mark.parametrize("bad", ["\x00", "\ud800", "\x1b"])
def test_api_json_text_is_refused_and_nothing_written(tree, admin_user, bad):
    client = signed_in(admin_user)
    before = counts()
    body = json.dumps({"category": 1, "description": f"楼道{bad}堆物", "lon": 121.5, "lat": 31.1})
    response = client.post("/api/cases/", body, content_type="application/json")
    assert response.status_code == 400
    assert "description" in response.json()
    assert counts() == before


def test_lone_surrogate_as_a_json_escape(tree, admin_user):
    body = '{"category": 1, "description": "\\ud800 垃圾", "lon": 121.5, "lat": 31.1}'
    before = counts()
    response = signed_in(admin_user).post("/api/cases/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"description": ["含有无效的字符（单独的代理项 U+D800）"]}
    assert counts() == before


def test_api_text_message_in_english(tree, admin_user):
    body = json.dumps({"category": 1, "description": "a\x00b"})
    response = signed_in(admin_user).post(
        "/api/cases/", body, content_type="application/json", HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 400
    assert response.json() == {
        "description": ["contains a control character that is not allowed (U+0000)"]
    }


def test_api_form_encoded_text_is_refused(tree, admin_user, household):
    client = signed_in(admin_user)
    before = counts()
    response = client.post(
        "/api/registry/residents/",
        {"household": household.pk, "name": "张\x00三", "id_number": "x", "phone": "13912345678"},
    )
    assert response.status_code == 400
    assert response.json() == {"name": ["含有不允许的控制字符（U+0000）"]}
    assert counts() == before


def test_bidi_override_in_a_resident_name_is_refused(tree, admin_user, household):
    client = APIClient()
    client.force_authenticate(admin_user)
    before = counts()
    response = client.post(
        "/api/registry/residents/",
        {"household": household.pk, "name": "张\u202e三", "phone": "13912345678"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {
        "name": ["名称中不能含有制表符、换行、方向控制符或零宽字符（U+202E）"]
    }
    assert counts() == before


def test_query_string_text_is_refused(admin_user):
    response = signed_in(admin_user).get("/api/registry/residents/", {"name": "张\u200b三"})
    assert response.status_code == 400
    assert "U+200B" in response.json()["name"][0]
    nul = signed_in(admin_user).get("/console/", {"q": "a\x00"})
    assert nul.status_code == 400
    assert "U+0000" in message_of(nul)


def test_resident_form_refuses_control_characters_and_bidi_names(tree):
    category = Category.objects.get(family="community", code="0101")
    data = {
        "category": str(category.pk),
        "description": "楼道堆物",
        "lon": str(INSIDE[0]),
        "lat": str(INSIDE[1]),
        "reporter_name": "陈敏",
        "reporter_phone": "13912345678",
    }
    before = counts()
    for changes in ({"description": "楼道\x00堆物"}, {"reporter_name": "陈\u202e敏"}):
        response = anonymous().post("/resident/report/", {**data, **changes})
        assert response.status_code == 400
        text = message_of(response)
        assert "无法处理的请求" in text and "什么也没有保存" in text
        assert '<html lang="zh-hans">' in text
    assert counts() == before
    english = anonymous().post(
        "/resident/report/", {**data, "description": "a\x00"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert english.status_code == 400
    assert "contains a control character that is not allowed (U+0000)" in message_of(english)


def test_console_form_refuses_control_characters(tree, admin_user, case):
    before = counts()
    response = signed_in(admin_user).post(
        f"/console/case/{case.number}/do/file/", {"note": "立案\x00说明"}
    )
    assert response.status_code == 400
    assert "note:含有不允许的控制字符（U+0000）" in message_of(response)
    assert counts() == before


def test_open311_form_encoded_post_refuses_control_characters_and_bidi_names(tree, open311_key):
    base = {
        "api_key": open311_key,
        "service_code": "event-0102",
        "lat": str(INSIDE[1]),
        "long": str(INSIDE[0]),
        "description": "小区门口暴露垃圾",
        "first_name": "小明",
        "last_name": "王",
    }
    before = counts()
    for changes, expected in (
        ({"description": "垃圾\x00"}, "description:含有不允许的控制字符（U+0000）"),
        (
            {"last_name": "王\u202e"},
            "last_name:名称中不能含有制表符、换行、方向控制符或零宽字符（U+202E）",
        ),
        ({"lat": HUGE}, "lat:数值超出范围"),
    ):
        response = anonymous().post("/open311/v2/requests.json", {**base, **changes})
        assert response.status_code == 400, response.content
        body = response.json()
        assert body[0]["code"] == 400 and body[0]["description"].startswith(expected)
    assert counts() == before


def test_open311_json_post_refuses_a_lone_surrogate(tree, open311_key):
    body = json.dumps({"api_key": open311_key, "service_code": "event-0102", "description": "@"})
    body = body.replace("@", "\\ud800")  # a lone surrogate as the JSON escape a client sends
    before = counts()
    response = anonymous().post("/open311/v2/requests.json", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == [
        {"code": 400, "description": "description:含有无效的字符（单独的代理项 U+D800）"}
    ]
    assert counts() == before


def test_admin_refuses_control_characters_and_bidi_names(tree, admin_user, household):
    resident = Resident.objects.create(household=household, name="张三", gender="M")
    client = signed_in(admin_user)
    url = f"/admin/registry/resident/{resident.pk}/change/"
    for changes in ({"name": "张\u202e三"}, {"name": "张\x00三"}):
        response = client.post(url, {"household": household.pk, "gender": "M", **changes})
        assert response.status_code == 400
        assert "无法处理的请求" in message_of(response)
    resident.refresh_from_db()
    assert resident.name == "张三"


def test_admin_autocomplete_field_with_a_text_id_is_the_form_s_error(tree, admin_user, household):
    before = counts()
    response = signed_in(admin_user).post(
        "/admin/registry/resident/add/", {"household": "abc", "name": "张三", "gender": "M"}
    )
    assert response.status_code == 200
    assert "选择一个有效的选项" in message_of(response)
    assert counts() == before


def test_admin_property_company_with_no_mobile_number_is_the_form_s_error(tree, admin_user):
    from civicgrid.estates.models import PropertyCompany

    response = signed_in(admin_user).post(
        "/admin/estates/propertycompany/add/", {"name": "测试物业", "contact_phone": "测试"}
    )
    assert response.status_code == 200
    assert "errornote" in message_of(response)
    assert not PropertyCompany.objects.filter(name="测试物业").exists()


def test_login_form_refuses_control_characters(db):
    response = anonymous().post("/login/", {"username": "adm\x00in", "password": "x"})
    assert response.status_code == 400
    assert "U+0000" in message_of(response)


def test_phone_route_points_refuse_impossible_times(tree, worker):
    from django.utils import timezone

    from civicgrid.fieldwork.models import Patrol

    patrol = Patrol.objects.create(
        worker=worker, micro_grid=tree["micro_grids"][0], shift="morning", started_at=timezone.now()
    )
    client = signed_in(worker)
    for point in ([121.5, 31.1, "2026-02-30T10:00:00+08:00"], [10**30, 31.1]):
        response = client.post(
            f"/m/patrols/{patrol.pk}/points/",
            json.dumps({"points": [point]}),
            content_type="application/json",
        )
        assert response.status_code == 400, response.content
    patrol.refresh_from_db()
    assert patrol.route == []


# --- page size ------------------------------------------------------------------------------------


def test_limit_is_capped_at_max_limit(admin_user):
    assert CalendarDay.objects.count() > 500  # the seeded working-day calendar
    response = signed_in(admin_user).get("/api/calendar/days/", {"limit": "1000000"})
    assert response.status_code == 200
    body = response.json()
    assert len(body["results"]) == 500
    assert body["count"] == CalendarDay.objects.count()


@pytest.mark.parametrize("params", [{"limit": "-5"}, {"offset": "-5"}, {"offset": "100000000"}])
def test_negative_or_far_limit_and_offset_are_not_errors(admin_user, params):
    response = signed_in(admin_user).get("/api/calendar/days/", params)
    assert response.status_code == 200
    assert len(response.json()["results"]) <= 50
