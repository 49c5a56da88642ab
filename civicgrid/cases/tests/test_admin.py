"""Admin: categories editable by the street; cases and their history read-only for everyone."""

import pytest
from django.test import Client

from civicgrid.cases import services
from civicgrid.testing.world import IN_MICRO, category


@pytest.fixture
def staff_client():
    def make(user):
        user.is_staff = True
        user.save()
        client = Client()
        client.force_login(user)
        return client

    return make


def test_categories_editable_by_operator_only(staff_client, users):
    cat = category("event", "0102")
    url = f"/admin/cases/category/{cat.pk}/change/"
    page = staff_client(users["operator"]).get(url)
    assert page.status_code == 200 and b'name="handling_limit_value"' in page.content
    # 居委 staff look at the categories in the back office; they do not change them.
    staff_page = staff_client(users["staff"]).get(url)
    assert (
        staff_page.status_code == 200 and b'name="handling_limit_value"' not in staff_page.content
    )
    assert staff_client(users["staff"]).post(url, {"name": "x"}).status_code == 403
    cat.refresh_from_db()
    assert cat.name != "x"
    # Grid workers have no back office at all (their work is on the phone pages).
    assert staff_client(users["worker"]).get(url).status_code == 403


def test_case_page_is_read_only_with_history(staff_client, users, garbage, clock):
    case = services.do_report(
        user=users["resident"],
        category=garbage,
        description="垃圾",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
    ).case
    services.do_file(case, users["operator"], note="立案说明")
    client = staff_client(users["operator"])
    listing = client.get("/admin/cases/case/")
    assert listing.status_code == 200 and case.number.encode() in listing.content
    page = client.get(f"/admin/cases/case/{case.pk}/change/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "立案说明" in content and "139****5678" in content and "13912345678" not in content
    assert 'name="status"' not in content  # nothing editable
    assert (
        client.post(f"/admin/cases/case/{case.pk}/change/", {"status": "closed"}).status_code == 403
    )
    assert client.post(f"/admin/cases/case/{case.pk}/delete/", {"post": "yes"}).status_code == 403
    case.refresh_from_db()
    assert case.status == "filed"
    # Scoped like the API: 居委 staff of another community do not find it.
    assert (
        staff_client(users["staff2"]).get(f"/admin/cases/case/{case.pk}/change/").status_code == 302
    )


def test_indicators_page(staff_client, users, garbage, clock):
    case = services.do_report(
        user=users["resident"],
        category=garbage,
        description="垃圾",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
    ).case
    services.do_file(case, users["operator"])
    client = staff_client(users["operator"])
    listing = client.get("/admin/cases/case/")
    assert "/admin/cases/case/indicators/" in listing.content.decode()
    page = client.get(
        "/admin/cases/case/indicators/",
        {"start": "2026-11-01", "end": "2026-11-30", "by": "community"},
    )
    assert page.status_code == 200
    content = page.content.decode()
    assert "按期结案率" in content and "第1居委" in content
    assert page.context["rows"][0]["filed"] == 1
    bad = client.get(
        "/admin/cases/case/indicators/",
        {"start": "2026-11-30", "end": "2026-11-01", "by": "street"},
    )
    assert bad.status_code == 200 and "截止日期不能早于起始日期" in bad.content.decode()
    assert bad.context["rows"] == []
