import datetime

import pytest

from civicgrid.accounts.choices import Role
from civicgrid.grids.scoping import visible_grids, visible_micro_grids
from civicgrid.testing.factories import UserFactory, assign_post, make_tree

pytestmark = pytest.mark.django_db


def codes(qs):
    return sorted(qs.values_list("code", flat=True))


def test_grid_codes_follow_the_standard():
    tree = make_tree()
    assert tree["street"].code == "310115125"
    assert tree["area"].code == "31011512501"
    assert tree["communities"][0].code == "310115125001"
    assert tree["micro_grids"][0].code == "310115125001001"
    assert len(tree["micro_grids"][0].code) == 15
    assert tree["building_groups"][0].code == "310115125001001001"
    assert tree["micro_grids"][0].path == ("/310115125/31011512501/310115125001/310115125001001/")


@pytest.mark.parametrize("role", [Role.ADMIN, Role.OPERATOR, Role.LEADER])
def test_street_wide_roles_see_everything(role):
    make_tree()
    assert visible_micro_grids(UserFactory(role=role)) is None


def test_community_staff_see_their_community_only():
    tree = make_tree()
    user = UserFactory(role=Role.COMMUNITY_STAFF, community=tree["communities"][1])
    assert codes(visible_micro_grids(user)) == ["310115125002001", "310115125002002"]


def test_grid_worker_sees_only_active_posts():
    tree = make_tree()
    worker = UserFactory(role=Role.GRID_WORKER)
    assign_post(worker, tree["micro_grids"][0])
    assign_post(worker, tree["micro_grids"][3], end=datetime.date(2021, 1, 1))
    assert codes(visible_micro_grids(worker)) == ["310115125001001"]
    visible = codes(visible_grids(worker))
    assert "310115125" in visible and "310115125001" in visible
    assert "310115125001001001" in visible
    assert "310115125002001" not in visible


@pytest.mark.parametrize("role", [Role.DEPT_HANDLER, Role.RESIDENT])
def test_handlers_and_residents_see_no_grids(role):
    make_tree()
    assert codes(visible_micro_grids(UserFactory(role=role))) == []
