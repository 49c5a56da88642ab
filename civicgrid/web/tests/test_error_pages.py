"""Error pages in the user's language with a way back (DEBUG off, as in production), and one
answer for a case outside the user's scope on every surface: 404, as for a number never used."""

import pytest
from django.core.exceptions import SuspiciousOperation
from django.test import Client
from django.urls import path

from civicgrid import urls as root
from civicgrid.cases.choices import CaseStatus
from civicgrid.testing.cases import case_in_state

pytestmark = pytest.mark.django_db


def _broken(request):
    raise RuntimeError("boom")


def _suspicious(request):
    raise SuspiciousOperation("bad upload")


urlpatterns = [
    *root.urlpatterns,
    path("broken/", _broken),
    path("suspicious/", _suspicious),
]
handler400 = root.handler400
handler403 = root.handler403
handler404 = root.handler404
handler500 = root.handler500


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = __name__


def test_404_in_chinese_with_a_way_back(production, users, client_for):
    response = client_for(users["operator"]).get("/console/nowhere/")
    assert response.status_code == 404
    text = response.content.decode()
    assert "页面不存在" in text and 'href="/"' in text and "返回首页" in text
    assert "Not Found" not in text


def test_404_in_english_for_an_english_reader(production, users, client_for):
    client = client_for(users["operator"])
    client.cookies["django_language"] = "en"
    response = client.get("/console/nowhere/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_404_under_the_api_is_json(production, users, client_for):
    response = client_for(users["operator"]).get("/api/nowhere/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


def test_500_and_400_pages(production):
    client = Client(raise_request_exception=False)
    response = client.get("/broken/")
    assert response.status_code == 500
    assert "服务器出错" in response.content.decode() and 'href="/"' in response.content.decode()
    response = client.get("/suspicious/")
    assert response.status_code == 400
    text = response.content.decode()
    assert "请求无效" in text and "返回首页" in text


def test_a_case_outside_the_scope_is_404_everywhere(production, users, garbage, api, client_for):
    """城管中队's case in micro-grid 0: 房管办's handler, the grid worker of micro-grid 2 and a
    resident who did not report it get the same answer as for a number that does not exist."""
    case = case_in_state("dispatched", users, cat=garbage)
    outsider = users["handler_fg"]
    assert client_for(outsider).get(f"/console/case/{case.number}/").status_code == 404
    response = client_for(outsider).post(
        f"/console/case/{case.number}/do/accept/", {"note": "我来办"}
    )
    assert response.status_code == 404
    assert client_for(users["worker2"]).get(f"/m/cases/{case.number}/").status_code == 404
    assert client_for(users["worker2"]).post(f"/m/cases/{case.number}/accept/").status_code == 404
    assert api(outsider).get(f"/api/cases/{case.number}/").status_code == 404
    assert client_for(users["resident2"]).get("/resident/track/not-a-token/").status_code == 404
    case.refresh_from_db()
    assert case.status == CaseStatus.DISPATCHED
    # And the same for a number never used.
    assert client_for(outsider).get("/console/case/2026000000000/").status_code == 404


def test_returning_a_case_goes_back_to_the_inbox_with_the_message(users, garbage, client_for):
    case = case_in_state("dispatched", users, cat=garbage)
    client = client_for(users["handler"])
    response = client.post(
        f"/console/case/{case.number}/do/return/", {"reason": "不属于本部门职责"}, follow=True
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] != f"/console/case/{case.number}/"
    assert response.redirect_chain[0][0] == "/console/inbox/"
    assert f"{case.number}:已退回城运中心" in response.content.decode()
    case.refresh_from_db()
    assert case.status == CaseStatus.RETURNED
