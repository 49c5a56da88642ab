import pytest

from civicgrid.accounts.choices import Role
from civicgrid.testing.people import add_residents


@pytest.fixture
def populated(tree):
    """Two residents in each of the 8 building groups (4 per micro-grid, 8 per community)."""
    for bg in tree["building_groups"]:
        add_residents(bg)
    return tree


@pytest.fixture
def by_role(users):
    """The kit's users by role, each marked staff (is_staff, so the admin's own role check is
    what refuses them): the grid worker holds micro-grid 0, the grid leader micro-grid 1, the
    community staff community 1 (micro-grids 2 and 3) — three disjoint scopes."""
    chosen = {
        Role.ADMIN: users["admin"],
        Role.OPERATOR: users["operator"],
        Role.LEADER: users["leader"],
        Role.COMMUNITY_STAFF: users["staff2"],
        Role.GRID_WORKER: users["worker"],
        Role.GRID_LEADER: users["gridleader"],
        Role.DEPT_HANDLER: users["handler"],
        Role.RESIDENT: users["resident"],
    }
    for user in chosen.values():
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return chosen
