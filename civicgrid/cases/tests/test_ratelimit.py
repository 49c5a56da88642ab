"""One intake limit on every channel residents report through (civicgrid/core/ratelimit.py):
the residents' web form, the REST intake (POST /api/cases/) and Open311 POST requests.json share
one count per person — the account when signed in, else the client's address — held in the
shared cache (the database cache here: each request is its own request cycle). Staff reporting
from their work and the 12345 hotline push are not limited."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from civicgrid.cases.models import Case, Category
from civicgrid.open311.models import ApiClient
from civicgrid.testing.world import IN_MICRO

LIMIT = 10
REFUSED = "提交过于频繁"


@pytest.fixture(autouse=True)
def shared_cache(db, settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "civicgrid_cache",
        }
    }
    settings.CIVICGRID_INTAKE_LIMIT = (LIMIT, 3600)
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def community_category(db):
    return Category.objects.get(family="community", code="0101")  # 楼道堆物


@pytest.fixture
def open311_key(db):
    client = ApiClient(name="随申办", source_label="随申办")
    raw = client.set_new_key()
    client.save()
    return raw


def web_form(client, category, ip="10.1.0.1"):
    data = {
        "category": str(category.pk),
        "description": "3号楼2楼楼道堆放纸箱和旧家具，影响通行",
        "lon": str(IN_MICRO[0][0]),
        "lat": str(IN_MICRO[0][1]),
        "address": "秀沿路1501弄3号",
        "reporter_name": "陈敏",
        "reporter_phone": "13912345678",
        "reporter_email": "",
    }
    return client.post("/resident/report/", data, REMOTE_ADDR=ip)


def rest(client, category, ip="10.1.0.1"):
    body = {
        "category": category.pk,
        "description": "人行道上堆满建筑垃圾",
        "lon": IN_MICRO[0][0],
        "lat": IN_MICRO[0][1],
        "reporter_name": "王先生",
        "reporter_phone": "13912345678",
    }
    return client.post("/api/cases/", body, format="json", REMOTE_ADDR=ip)


def open311(key, ip="10.1.0.1"):
    data = {
        "api_key": key,
        "service_code": "event-0102",
        "lat": str(IN_MICRO[0][1]),
        "long": str(IN_MICRO[0][0]),
        "description": "小区门口暴露垃圾两天没人清运",
        "phone": "13912345678",
    }
    return Client().post("/open311/v2/requests.json", data, REMOTE_ADDR=ip)


def _as(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def assert_refused_api(response):
    assert response.status_code == 429, response.content
    assert response.json()["detail"].startswith(REFUSED)
    assert 0 < int(response["Retry-After"]) <= 3600


def test_the_web_form_takes_ten_reports_an_hour(tree, community_category):
    for _ in range(LIMIT):
        assert web_form(Client(), community_category).status_code == 302
    response = web_form(Client(), community_category)
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert Case.objects.count() == LIMIT
    # Another address is another visitor.
    assert web_form(Client(), community_category, ip="10.1.0.2").status_code == 302


def test_the_rest_intake_limits_residents_like_the_web_form(users, garbage):
    resident = _as(users["resident"])
    for _ in range(LIMIT):
        assert rest(resident, garbage).status_code == 201
    response = rest(resident, garbage)
    assert_refused_api(response)
    assert response.json()["detail"].endswith("或拨打12345热线反映")
    assert Case.objects.count() == LIMIT
    # Counted per account, wherever it reports from; another resident is not affected.
    assert_refused_api(rest(resident, garbage, ip="10.1.9.9"))
    assert rest(_as(users["resident2"]), garbage).status_code == 201


@pytest.mark.parametrize("role", ["operator", "worker", "staff", "handler"])
def test_staff_reporting_from_their_work_are_not_limited(users, garbage, role):
    client = _as(users[role])
    for _ in range(LIMIT + 2):
        assert rest(client, garbage).status_code == 201
    assert Case.objects.count() == LIMIT + 2


def test_the_hotline_push_is_not_limited(users, garbage):
    client = _as(users["operator"])
    for n in range(LIMIT + 2):
        body = {
            "ticket": f"12345-{n:04d}",
            "category": garbage.pk,
            "description": "市民来电:小区门口垃圾未清运",
            "address": "康桥路1号",
            "reporter_phone": "13912345678",
        }
        assert client.post("/api/cases/hotline/", body, format="json").status_code == 201
    assert Case.objects.count() == LIMIT + 2


def test_open311_takes_ten_reports_an_hour_per_address(tree, garbage, open311_key):
    for _ in range(LIMIT):
        assert open311(open311_key).status_code == 201
    response = open311(open311_key)
    assert response.status_code == 429
    body = response.json()
    assert len(body) == 1 and body[0]["code"] == 429
    assert body[0]["description"].startswith(REFUSED)
    assert 0 < int(response["Retry-After"]) <= 3600
    assert Case.objects.count() == LIMIT
    assert open311(open311_key, ip="10.1.0.2").status_code == 201


def test_a_bad_key_is_refused_before_counting(tree, garbage, open311_key):
    for _ in range(LIMIT + 1):
        assert open311("not-a-key").status_code == 403
    assert open311(open311_key).status_code == 201


def test_a_signed_in_resident_shares_one_count_between_web_form_and_api(
    users, garbage, community_category
):
    web = Client()
    web.force_login(users["resident"])
    api = _as(users["resident"])
    for n in range(LIMIT):
        if n % 2:
            assert web_form(web, community_category).status_code == 302
        else:
            assert rest(api, garbage).status_code == 201
    assert_refused_api(rest(api, garbage))
    response = web_form(web, community_category)
    assert response.status_code == 200 and REFUSED in response.content.decode()
    assert Case.objects.count() == LIMIT


def test_a_visitor_shares_one_count_between_web_form_and_open311(
    tree, garbage, community_category, open311_key
):
    for _ in range(6):
        assert web_form(Client(), community_category, ip="10.1.5.5").status_code == 302
    for _ in range(LIMIT - 6):
        assert open311(open311_key, ip="10.1.5.5").status_code == 201
    assert open311(open311_key, ip="10.1.5.5").status_code == 429
    response = web_form(Client(), community_category, ip="10.1.5.5")
    assert REFUSED in response.content.decode()
    assert Case.objects.count() == LIMIT


def test_the_limit_resets_when_the_window_turns(users, garbage, monkeypatch):
    from types import SimpleNamespace

    from civicgrid.core import ratelimit

    resident = _as(users["resident"])
    start = 1_800_000_000.0  # the start of an hour
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: start + 10))
    for _ in range(LIMIT):
        assert rest(resident, garbage).status_code == 201
    response = rest(resident, garbage)
    assert_refused_api(response)
    assert int(response["Retry-After"]) == 3600 - 10
    monkeypatch.setattr(ratelimit, "time", SimpleNamespace(time=lambda: start + 3600 + 1))
    assert rest(resident, garbage).status_code == 201
