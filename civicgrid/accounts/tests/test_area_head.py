"""片区负责人: scoped to their 片区 on every surface, and the indicators group by 片区."""

import pytest

from civicgrid.accounts.choices import Role
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import visible_grids, visible_micro_grids
from civicgrid.testing.cases import case_in_state, report
from civicgrid.testing.factories import UserFactory, rect

pytestmark = pytest.mark.django_db

# A second 片区 east of the kit's tree (which spans 121.50–121.52), with one 居委 and one
# micro-grid; EAST lies inside it.
EAST = (121.525, 31.105)


@pytest.fixture
def east(tree):
    area = Grid.objects.create(
        name="第二片区",
        level=GridLevel.AREA,
        number=2,
        parent=tree["street"],
        geometry=rect(121.52, 31.1, 121.53, 31.11),
    )
    community = Grid.objects.create(
        name="东居委",
        level=GridLevel.COMMUNITY,
        number=3,
        parent=area,
        geometry=rect(121.52, 31.1, 121.53, 31.11),
    )
    micro = Grid.objects.create(
        name="东居委第1网格",
        level=GridLevel.MICRO_GRID,
        number=1,
        parent=community,
        geometry=rect(121.52, 31.1, 121.53, 31.11),
    )
    return {"area": area, "community": community, "micro": micro}


def test_an_area_head_sees_the_micro_grids_of_their_area_only(users, tree, east):
    head = users["areahead"]
    assert set(visible_micro_grids(head)) == set(tree["micro_grids"])
    grids = set(visible_grids(head))
    assert tree["area"] in grids and tree["street"] in grids
    assert east["area"] not in grids and east["micro"] not in grids

    other = UserFactory(role=Role.AREA_HEAD, area=east["area"])
    assert list(visible_micro_grids(other)) == [east["micro"]]


def test_an_area_head_without_an_area_sees_nothing(tree):
    head = UserFactory(role=Role.AREA_HEAD)
    assert not visible_micro_grids(head).exists()
    assert not visible_grids(head).exists()


def test_the_case_list_of_an_area_head_holds_their_area_only(users, east, api, clutter):
    mine = report(users["resident"], clutter)
    theirs = report(users["resident"], clutter, point=EAST)
    response = api(users["areahead"]).get("/api/cases/")
    assert response.status_code == 200
    numbers = {row["number"] for row in response.json()["results"]}
    assert mine.number in numbers and theirs.number not in numbers
    outside = api(users["areahead"]).get(f"/api/cases/{theirs.number}/")
    assert outside.status_code == 404


def test_an_area_head_verifies_a_case_of_their_area(users, garbage):
    from civicgrid.cases import services

    case = case_in_state("handled", users, cat=garbage)
    done = services.do_verify_pass(case, users["areahead"])
    assert done.case.status == "closed"


def test_indicators_group_by_area(users, east, api, clutter, garbage):
    from django.utils import timezone

    from civicgrid.cases import services

    for point in [None, EAST]:
        case = (
            case_in_state("filed", users, cat=garbage)
            if point is None
            else report(users["resident"], garbage, point=point)
        )
        if point is not None:
            services.do_file(case, users["operator"])
    today = timezone.localdate().isoformat()
    response = api(users["operator"]).get(
        "/api/cases/indicators/", {"by": "area", "start": today, "end": today}
    )
    assert response.status_code == 200
    rows = {row["name"]: row["filed"] for row in response.json()}
    assert rows == {"第一片区": 1, "第二片区": 1}

    # The area head counts their own area only.
    response = api(users["areahead"]).get(
        "/api/cases/indicators/", {"by": "area", "start": today, "end": today}
    )
    assert [(row["name"], row["filed"]) for row in response.json()] == [("第一片区", 1)]


def test_the_dashboard_of_an_area_head_opens_at_their_area(users, client_for):
    response = client_for(users["areahead"]).get("/dashboard/")
    assert response.status_code == 200
    assert "第一片区" in response.content.decode()
