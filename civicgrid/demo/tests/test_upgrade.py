"""A street loaded before the domain spine (issue 10) upgrades without loss.

An empty database is migrated to the migrations as they stood before the spine work (片区/居村
kinds, estates, tenure/use, 12345 clock, rating records …), a small street is written with the
models of that time (grids, posts, addresses, households, residents, cases with their history and
ratings), and every migration since is applied. Nothing is lost and the new fields are filled
sensibly. The database is a scratch one (testing.scratch, `empty=True`): the test database stays
at the latest schema, so nothing has to be migrated back for the tests that follow.

Most of a minute of Django's migration state rendering: it runs in the SQLite suite only, where a
schema change rebuilds the table and so puts the old rows at most risk
(civicgrid.testing.suites; CIVICGRID_BOTH_SUITES=1 runs it on PostgreSQL too).
"""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from civicgrid.testing.suites import sqlite_suite_only

pytestmark = [pytest.mark.django_db(transaction=True), sqlite_suite_only]

SH = ZoneInfo("Asia/Shanghai")
# The leaf migrations of each app before the spine work; apps born with it start from nothing.
BEFORE_SPINE = [
    ("accounts", "0003_api_token"),
    ("grids", "0002_staff_phone_access"),
    ("registry", "0002_resident_gender_optional"),
    ("cases", "0007_category_is_public"),
    ("fieldwork", "0002_seed_checklist"),
    ("dashboard", "0001_initial"),
    ("estates", None),
    ("duty", None),
    ("survey", None),
]


def _newer_apps(loader):
    """Apps with no migration before the spine (added since): taken back to nothing too."""
    known = {app for app, _name in BEFORE_SPINE} | {
        "contenttypes",
        "auth",
        "admin",
        "sessions",
        "axes",
        "django_tasks_database",
        "core",
        "workcalendar",
        "attachments",
        "open311",
    }
    return sorted({app for app, _name in loader.graph.leaf_nodes() if app not in known})


def _grid(Grid, name, level, parent, number, code):
    path = (parent.path if parent else "/") + code + "/"
    return Grid.objects.create(
        name=name, level=level, parent=parent, number=number, code=code, path=path
    )


def _old_street(apps):
    """A street with the models of before the spine; returns what the checks need."""
    Grid = apps.get_model("grids", "Grid")
    StaffMember = apps.get_model("grids", "StaffMember")
    GridPost = apps.get_model("grids", "GridPost")
    Address = apps.get_model("registry", "Address")
    Household = apps.get_model("registry", "Household")
    Resident = apps.get_model("registry", "Resident")
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    Category = apps.get_model("cases", "Category")
    User = apps.get_model("accounts", "User")

    street = _grid(Grid, "康桥镇", "street", None, 125, "310115125")
    street.county_code = "310115"
    street.save()
    area = _grid(Grid, "康桥东片区", "area", street, 1, "31011512501")
    community = _grid(Grid, "康桥半岛居委", "community", area, 1, "310115125001")
    micro = [
        _grid(Grid, f"第{n}网格", "micro_grid", community, n, f"310115125001{n:03d}")
        for n in (1, 2)
    ]
    groups = [_grid(Grid, "1号楼组", "building_group", m, 1, f"{m.code}001") for m in micro]
    worker = User.objects.create(username="oldworker", password="!", role="grid_worker")
    staff = StaffMember.objects.create(name="王秀英", user=worker)
    GridPost.objects.create(
        micro_grid=micro[0], staff=staff, role="full_time", start_date=datetime.date(2024, 1, 1)
    )
    households = []
    for i, (group, kind) in enumerate(
        [(groups[0], "public_rent"), (groups[0], "rental"), (groups[1], "commercial")], 1
    ):
        address = Address.objects.create(
            road="秀沿路",
            lane="1501",
            number=str(i),
            normalized=f"秀沿路1501弄{i}号",
            building_group=group,
            micro_grid=group.parent,
        )
        household = Household.objects.create(address=address, housing_type=kind)
        Resident.objects.create(name=f"居民{i}", household=household)
        households.append(household)
    category = Category.objects.get(family="event", code="0102")
    at = datetime.datetime(2026, 10, 12, 9, 0, tzinfo=SH)
    closed = Case.objects.create(
        number="20261012000001",
        source="grid_patrol",
        description="小区门口垃圾堆积",
        reported_at=at,
        filed_at=at + datetime.timedelta(minutes=10),
        dispatched_at=at + datetime.timedelta(minutes=20),
        handled_at=at + datetime.timedelta(hours=3),
        closed_at=at + datetime.timedelta(hours=4),
        handling_deadline=at + datetime.timedelta(days=1),
        category=category,
        micro_grid=micro[0],
        status="closed",
        rating="satisfied",
        rated_at=at + datetime.timedelta(hours=5),
    )
    open_case = Case.objects.create(
        number="20261012000002",
        source="resident",
        description="楼道堆物",
        reported_at=at,
        category=category,
        micro_grid=micro[1],
        status="reported",
    )
    steps = ["report", "file", "dispatch", "accept", "handle", "verify_pass", "rate"]
    states = ["reported", "filed", "dispatched", "accepted", "handled", "closed", "closed"]
    for n, (action, to_status) in enumerate(zip(steps, states, strict=True)):
        CaseEvent.objects.create(
            case=closed,
            at=at + datetime.timedelta(minutes=10 * n),
            action=action,
            to_status=to_status,
            data={"rating": "satisfied"} if action == "rate" else {},
        )
    CaseEvent.objects.create(case=open_case, at=at, action="report", to_status="reported")
    return {
        "grids": Grid.objects.count(),
        "households": [h.pk for h in households],
        "residents": Resident.objects.count(),
        "events": CaseEvent.objects.count(),
        "closed": closed.pk,
        "open": open_case.pk,
        "micro": [m.pk for m in micro],
        "community": community.pk,
        "area": area.pk,
        "worker": worker.pk,
    }


@pytest.mark.long(45)
def test_a_street_loaded_before_the_spine_upgrades_without_loss(scratch_database):
    with scratch_database("upgrade", empty=True).as_default():
        _upgrade_and_check()


def _upgrade_and_check():
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    old = BEFORE_SPINE + [(app, None) for app in _newer_apps(executor.loader)]
    executor.migrate(old)
    executor.loader.build_graph()
    state = executor.loader.project_state([t for t in old if t[1] is not None])
    before = _old_street(state.apps)
    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    from civicgrid.cases.models import Case, CaseEvent, CaseRating
    from civicgrid.dashboard import rollups
    from civicgrid.dashboard.models import Rollup
    from civicgrid.estates import services as estates
    from civicgrid.estates.models import Estate
    from civicgrid.grids.models import Grid, GridPost
    from civicgrid.registry.models import Household, Resident

    # Nothing lost.
    assert Grid.objects.count() == before["grids"]
    assert Resident.objects.count() == before["residents"]
    assert CaseEvent.objects.count() == before["events"]
    assert GridPost.objects.get().staff.user_id == before["worker"]
    # The kinds: a 片区 is a 镇管社区, a 居村 a 居委会, its grids and 楼组 too.
    assert Grid.objects.get(pk=before["area"]).area_kind == "town_community"
    community = Grid.objects.get(pk=before["community"])
    assert (community.community_kind, community.level_label) == ("residents", "居委会")
    assert set(
        Grid.objects.filter(path__startswith=community.path).values_list(
            "community_kind", flat=True
        )
    ) == {"residents"}
    # One housing type becomes a tenure and a use.
    tenure_use = {
        h.pk: (h.tenure, h.use) for h in Household.objects.filter(pk__in=before["households"])
    }
    assert list(tenure_use.values()) == [
        ("public_rent", "owner_occupied"),
        ("other", "rented"),
        ("commercial", "owner_occupied"),
    ]
    # The rating is kept as a record of the first closure; the open report is untouched.
    closed = Case.objects.get(pk=before["closed"])
    assert closed.rating == "satisfied" and closed.status == "closed"
    assert list(CaseRating.objects.filter(case=closed).values_list("rating", "closure")) == [
        ("satisfied", 1)
    ]
    assert Case.objects.get(pk=before["open"]).status == "reported"
    # The old micro-grid codes still hold their addresses; an estate drawn now takes them in.
    estate = estates.do_save_estate(Estate(name="康桥半岛", community=community))
    estates.do_set_address_ranges(estate, [{"road": "秀沿路", "lane_from": 1500, "lane_to": 1510}])
    assert Household.objects.filter(address__estate=estate).count() == 3
    # The dashboard's rollups count the old cases once rebuilt (migrate does it by itself).
    call_command("rebuild_dashboard_rollups")
    assert sum(Rollup.objects.filter(grain="A").values_list("reported", flat=True)) == 2
    assert sum(Rollup.objects.filter(grain="A").values_list("filed", flat=True)) == 1
    assert rollups.rebuild()["A"] >= 1
