"""Test data for the console: a small street, departments, one user per role, case helpers."""

import pytest

from civicgrid.accounts.choices import Role
from civicgrid.cases import services
from civicgrid.cases.models import Category
from civicgrid.cases.notifications import MemoryChannel
from civicgrid.testing.factories import DepartmentFactory, UserFactory, assign_post, make_tree

# Points in make_tree()'s micro-grids (2 communities side by side, 2 micro-grids each, N→S).
IN_MICRO = [(121.505, 31.1075), (121.505, 31.1025), (121.515, 31.1075), (121.515, 31.1025)]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _quiet_notifications(settings):
    settings.CIVICGRID_NOTIFICATION_CHANNELS = ["civicgrid.cases.notifications.MemoryChannel"]
    MemoryChannel.outbox = []


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def departments(db):
    return {
        "cg": DepartmentFactory(name="康桥城管中队", code="CG"),
        "fg": DepartmentFactory(name="房管办", code="FG"),
        "sw": DepartmentFactory(name="绿化市容所", code="SW"),
    }


@pytest.fixture
def users(tree, departments):
    worker = UserFactory(username="worker", role=Role.GRID_WORKER)
    assign_post(worker, tree["micro_grids"][0])
    return {
        "admin": UserFactory(username="admin", role=Role.ADMIN),
        "operator": UserFactory(username="operator", role=Role.OPERATOR, first_name="城运值班员"),
        "leader": UserFactory(username="leader", role=Role.LEADER),
        "staff": UserFactory(
            username="staff", role=Role.COMMUNITY_STAFF, community=tree["communities"][0]
        ),
        "staff2": UserFactory(
            username="staff2", role=Role.COMMUNITY_STAFF, community=tree["communities"][1]
        ),
        "worker": worker,
        "handler": UserFactory(
            username="handler", role=Role.DEPT_HANDLER, department=departments["cg"]
        ),
        "handler_fg": UserFactory(
            username="handler_fg", role=Role.DEPT_HANDLER, department=departments["fg"]
        ),
        "resident": UserFactory(username="resident", role=Role.RESIDENT, phone="13912345678"),
    }


def category(family="event", code="0102") -> Category:
    return Category.objects.get(family=family, code=code)


@pytest.fixture
def garbage(db, departments):
    """事件 0102 暴露垃圾, handled by default by 城管."""
    cat = category("event", "0102")
    cat.default_department = departments["cg"]
    cat.save()
    return cat


def report(user, cat, point=IN_MICRO[0], description="小区门口垃圾堆积,影响通行", **kw):
    return services.do_report(
        user=user, category=cat, description=description, lon=point[0], lat=point[1], **kw
    ).case


def dispatched(users, cat, point=IN_MICRO[0], **kw):
    case = report(users["resident"], cat, point, **kw)
    services.do_file(case, users["operator"])
    services.do_dispatch(case, users["operator"])
    case.refresh_from_db()
    return case


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login
