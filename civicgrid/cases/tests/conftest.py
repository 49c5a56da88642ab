import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from civicgrid.accounts.choices import Role
from civicgrid.cases.models import Category
from civicgrid.cases.notifications import MemoryChannel
from civicgrid.testing.factories import DepartmentFactory, UserFactory, assign_post, make_tree

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Points in make_tree()'s micro-grids (2 communities side by side, 2 micro-grids each, N→S).
IN_MICRO = [(121.505, 31.1075), (121.505, 31.1025), (121.515, 31.1075), (121.515, 31.1025)]
OUTSIDE = (120.0, 30.0)


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=SHANGHAI)


class Clock:
    """A settable timezone.now() for deadline tests."""

    def __init__(self, at):
        self.at = at

    def __call__(self):
        return self.at

    def set(self, *args):
        self.at = local(*args)

    def advance(self, **kwargs):
        self.at = self.at + datetime.timedelta(**kwargs)


@pytest.fixture
def clock(monkeypatch):
    c = Clock(local(2026, 11, 23, 10, 0))
    monkeypatch.setattr(timezone, "now", c)
    return c


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def outbox(settings):
    settings.CIVICGRID_NOTIFICATION_CHANNELS = ["civicgrid.cases.notifications.MemoryChannel"]
    MemoryChannel.outbox = []
    return MemoryChannel.outbox


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def departments(db):
    return {
        "cg": DepartmentFactory(name="城管中队", code="CG"),
        "fg": DepartmentFactory(name="房管办", code="FG"),
        "sw": DepartmentFactory(name="市容所", code="SW"),
    }


@pytest.fixture
def users(tree, departments):
    """One user per role; the grid worker works micro-grid 0, the grid leader micro-grid 1,
    community staff community 0 (micro-grids 0 and 1); handlers of 城管 and 房管."""
    worker = UserFactory(username="worker", role=Role.GRID_WORKER)
    assign_post(worker, tree["micro_grids"][0])
    leader = UserFactory(username="gridleader", role=Role.GRID_LEADER)
    assign_post(leader, tree["micro_grids"][1])
    worker2 = UserFactory(username="worker2", role=Role.GRID_WORKER)
    assign_post(worker2, tree["micro_grids"][2])
    return {
        "admin": UserFactory(username="admin", role=Role.ADMIN),
        "operator": UserFactory(username="operator", role=Role.OPERATOR),
        "leader": UserFactory(username="leader", role=Role.LEADER),
        "staff": UserFactory(
            username="staff", role=Role.COMMUNITY_STAFF, community=tree["communities"][0]
        ),
        "staff2": UserFactory(
            username="staff2", role=Role.COMMUNITY_STAFF, community=tree["communities"][1]
        ),
        "worker": worker,
        "worker2": worker2,
        "gridleader": leader,
        "handler": UserFactory(
            username="handler", role=Role.DEPT_HANDLER, department=departments["cg"]
        ),
        "handler_fg": UserFactory(
            username="handler_fg", role=Role.DEPT_HANDLER, department=departments["fg"]
        ),
        "resident": UserFactory(username="resident", role=Role.RESIDENT, phone="13912345678"),
        "resident2": UserFactory(username="resident2", role=Role.RESIDENT, phone="13800001111"),
    }


def category(family="event", code="0102") -> Category:
    return Category.objects.get(family=family, code=code)


@pytest.fixture
def garbage(db, departments):
    """事件 0102 暴露垃圾 (1 working day), handled by default by 城管."""
    cat = category("event", "0102")
    cat.default_department = departments["cg"]
    cat.save()
    return cat


@pytest.fixture
def api():
    def make(user=None):
        client = APIClient()
        if user is not None:
            client.force_authenticate(user)
        return client

    return make
