"""Who sees what on the phone pages: a grid worker only their active posts' grids — tasks,
cases, households, patrols; an ended post gives nothing; another grid's household or patrol is a
403 with a reason, another grid's case a 404 (as on every surface: its number tells nothing)."""

import pytest

from civicgrid.fieldwork import services
from civicgrid.fieldwork.models import Patrol
from civicgrid.testing.cases import grid_case
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db


def test_home_lists_only_my_grids_tasks_and_verifications(users, tree, client_for):
    u = users
    mine = grid_case(u["worker"], operator=u["operator"])
    to_verify = grid_case(
        u["worker"], operator=u["operator"], until="handled", handler=u["colleague"]
    )
    other = grid_case(u["worker2"], IN_MICRO[2], operator=u["operator"])
    other_handled = grid_case(u["worker2"], IN_MICRO[2], operator=u["operator"], until="handled")
    text = client_for(u["worker"]).get("/m/").content.decode()
    assert mine.number in text and to_verify.number in text
    assert other.number not in text and other_handled.number not in text
    assert tree["micro_grids"][0].name in text
    assert tree["micro_grids"][2].name not in text


def test_department_cases_are_not_grid_tasks_but_are_verified_by_the_grid(users, tree, client_for):
    from civicgrid.cases import services as cases
    from civicgrid.testing.world import category

    u = users
    case = cases.do_report(
        user=u["worker"],
        category=category("community", "0101"),
        description="楼道堆物",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
    ).case
    cases.do_file(case, u["operator"])
    cases.do_dispatch(case, u["operator"], department=u["handler"].department)
    text = client_for(u["worker"]).get("/m/").content.decode()
    assert case.number not in text  # a department's task, not the grid's
    cases.do_accept(case, u["handler"])
    cases.do_handle(case, u["handler"], result="已清理")
    text = client_for(u["worker"]).get("/m/").content.decode()
    assert case.number in text  # waiting for the grid's verification


def test_an_ended_post_gives_nothing(users, tree, households, client_for):
    u = users
    case = grid_case(u["worker"], operator=u["operator"])
    c = client_for(u["former"])
    text = c.get("/m/").content.decode()
    assert case.number not in text
    assert "您目前没有在岗的网格" in text
    assert c.get(f"/m/cases/{case.number}/").status_code == 404
    response = c.post("/m/patrols/", {"micro_grid": tree["micro_grids"][0].pk, "shift": "morning"})
    assert response.status_code == 403 and not Patrol.objects.exists()
    household = households[0][0]
    assert (
        c.get("/m/visits/new/?q=1501弄").content.decode().count(household.address.normalized) == 0
    )
    assert c.get(f"/m/visits/new/?household={household.pk}").status_code == 403


def test_another_workers_grid_is_403_with_the_reason(users, tree, households, client_for):
    u = users
    other = grid_case(u["worker2"], IN_MICRO[2], operator=u["operator"])
    c = client_for(u["worker"])
    response = c.get(f"/m/cases/{other.number}/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()
    assert c.post(f"/m/cases/{other.number}/accept/").status_code == 404
    other.refresh_from_db()
    assert other.status == "dispatched"
    assert c.get(f"/m/visits/new/?household={households[2][0].pk}").status_code == 403
    patrol = services.start_patrol(u["worker2"], tree["micro_grids"][2])
    response = c.get(f"/m/patrols/{patrol.pk}/")
    assert response.status_code == 403
    assert "该网格不在您的工作范围内" in response.content.decode()
    assert c.post(f"/m/patrols/{patrol.pk}/finish/").status_code == 403
    patrol.refresh_from_db()
    assert patrol.status == "running"


def test_household_search_stays_in_my_grids(users, households, client_for):
    text = client_for(users["worker"]).get("/m/visits/new/?q=1501弄").content.decode()
    for h in households[0]:
        assert h.address.normalized in text
    for i in (1, 2, 3):
        for h in households[i]:
            assert h.address.normalized not in text


def test_a_grid_leader_sees_patrols_of_their_grids_but_cannot_change_them(users, tree, client_for):
    u = users
    patrol = services.start_patrol(u["worker"], tree["micro_grids"][0])
    c = client_for(u["gridhead"])
    response = c.get(f"/m/patrols/{patrol.pk}/")
    assert response.status_code == 200
    assert "结束巡查" not in response.content.decode()
    assert c.post(f"/m/patrols/{patrol.pk}/finish/").status_code == 403


def test_other_roles_are_refused(users, client_for):
    for name in ("handler", "resident"):
        response = client_for(users[name]).get("/m/")
        assert response.status_code == 403
        assert "此页面仅供" in response.content.decode()


def test_anonymous_goes_to_login(client):
    response = client.get("/m/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_gets_change_nothing(users, tree, client_for):
    u = users
    case = grid_case(u["worker"], operator=u["operator"])
    patrol = services.start_patrol(u["worker"], tree["micro_grids"][0])
    c = client_for(u["worker"])
    for url in [
        f"/m/cases/{case.number}/accept/",
        f"/m/cases/{case.number}/handle/",
        f"/m/cases/{case.number}/verify/",
        f"/m/patrols/{patrol.pk}/finish/",
        f"/m/patrols/{patrol.pk}/points/",
    ]:
        assert c.get(url).status_code == 405, url
    case.refresh_from_db()
    patrol.refresh_from_db()
    assert case.status == "dispatched" and patrol.status == "running"


def test_the_pages_speak_english_on_request(users, client_for):
    c = client_for(users["worker"])
    text = c.get("/m/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "My grids" in text and "To verify" in text
    text = c.get("/m/patrols/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Start a patrol" in text and "Morning" in text
