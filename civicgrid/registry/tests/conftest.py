import datetime
import itertools

import pytest
from rest_framework.test import APIClient

from civicgrid.accounts.choices import Role
from civicgrid.registry.choices import HousingType
from civicgrid.registry.models import Address, Household, Resident
from civicgrid.registry.validators import id_check_char
from civicgrid.testing.factories import UserFactory, assign_post, make_tree


def make_id(birth="19900131", seq="002", region="310115"):
    """A well-formed resident ID number with the GB 11643 check character computed."""
    first17 = f"{region}{birth}{seq}"
    return first17 + id_check_char(first17)


_sequence = itertools.count(1)


def add_residents(building_group, n=2, *, start=0, housing=HousingType.SOLD_PUBLIC, road="测试路"):
    """One address + household in the building group with n residents (alternating sex)."""
    address = Address.objects.create(
        road=road, lane=str(building_group.pk), number=str(start + 1), building_group=building_group
    )
    household = Household.objects.create(address=address, housing_type=housing)
    people = []
    for i in range(n):
        n_seq = next(_sequence)
        seq = f"{n_seq % 1000:03d}"
        birth = datetime.date(1950 + n_seq // 1000 + i, 1 + i % 12, 10)
        people.append(
            Resident.objects.create(
                household=household,
                name=f"居民{building_group.pk}-{start + i}",
                gender="M" if int(seq[-1]) % 2 else "F",
                birth_date=birth,
                id_number=make_id(birth.strftime("%Y%m%d"), seq),
                phone=f"139{building_group.pk:04d}{start + i:04d}",
                is_registered=i % 2 == 0,
                lives_here=True,
            )
        )
    return household, people


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # Eight users per test: PBKDF2 would dominate the run time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def populated(tree):
    """Two residents in each of the 8 building groups (4 per micro-grid, 8 per community)."""
    out = {}
    for bg in tree["building_groups"]:
        out[bg.code] = add_residents(bg)
    return tree


@pytest.fixture
def users(tree):
    """One staff user per role; the grid worker and leader hold posts in micro-grids 0 and 1."""
    worker = UserFactory(username="worker", role=Role.GRID_WORKER, is_staff=True)
    assign_post(worker, tree["micro_grids"][0])
    grid_leader = UserFactory(username="gridleader", role=Role.GRID_LEADER, is_staff=True)
    assign_post(grid_leader, tree["micro_grids"][1])
    return {
        Role.ADMIN: UserFactory(username="admin", role=Role.ADMIN, is_staff=True),
        Role.OPERATOR: UserFactory(username="operator", role=Role.OPERATOR, is_staff=True),
        Role.LEADER: UserFactory(username="leader", role=Role.LEADER, is_staff=True),
        Role.COMMUNITY_STAFF: UserFactory(
            username="staff",
            role=Role.COMMUNITY_STAFF,
            community=tree["communities"][1],
            is_staff=True,
        ),
        Role.GRID_WORKER: worker,
        Role.GRID_LEADER: grid_leader,
        Role.DEPT_HANDLER: UserFactory(username="handler", role=Role.DEPT_HANDLER, is_staff=True),
        Role.RESIDENT: UserFactory(username="resident", role=Role.RESIDENT, is_staff=True),
    }


@pytest.fixture
def api():
    def make(user):
        client = APIClient()
        client.force_authenticate(user)
        return client

    return make
