"""The demo street on the database: counts, validity, tiling, determinism, scoping, commands."""

import io
import time

import pytest
import shapely
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F, Q, Sum
from django.test.utils import CaptureQueriesContext

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import Department, User
from civicgrid.demo import names
from civicgrid.demo.builder import DemoParams, build_demo_street, staffing_totals
from civicgrid.demo.logins import PASSWORDS
from civicgrid.grids.choices import AreaKind, CommunityKind, GridLevel, PostRole, StaffOrigin
from civicgrid.grids.models import Grid, GridPost, GridTreeRevision, StaffMember
from civicgrid.grids.scoping import visible_micro_grids
from civicgrid.registry.addresses import normalize_parts, parse_address
from civicgrid.registry.models import Address, Household, Resident
from civicgrid.registry.validators import validate_resident_id
from civicgrid.testing.demo import SMALL_STREET
from civicgrid.testing.people import mod11_2_valid

pytestmark = pytest.mark.django_db


def level_count(level):
    return Grid.objects.filter(level=level).count()


def active_posts(role):
    return GridPost.objects.filter(role=role, end_date__isnull=True).count()


def test_small_street_counts(small_demo):
    assert level_count(GridLevel.STREET) == 1
    assert level_count(GridLevel.COMMUNITY) == 2
    assert level_count(GridLevel.MICRO_GRID) == 8
    groups = level_count(GridLevel.BUILDING_GROUP)
    assert 8 * 3 <= groups <= 8 * 6
    expected = staffing_totals(8, SMALL_STREET.seed)
    for role in (PostRole.LEADER, PostRole.FULL_TIME, PostRole.PART_TIME):
        assert active_posts(role) == expected[role], role
    # The "N": every 楼组 (队组) has its head, the rest are 先锋骨干.
    heads = active_posts(PostRole.BUILDING_GROUP_HEAD) + active_posts(PostRole.VILLAGER_GROUP_HEAD)
    assert heads == groups
    assert heads + active_posts(PostRole.PIONEER) == expected[PostRole.PIONEER]
    street = Grid.objects.get(level=GridLevel.STREET)
    assert (street.name, street.code) == ("康桥镇", "310115125")
    assert list(Grid.objects.filter(level=GridLevel.COMMUNITY).values_list("name", flat=True)) == [
        "康桥半岛居委",
        "汤巷馨村居委",
    ]
    assert small_demo.counts["household"] == Household.objects.count() > 0
    assert small_demo.counts["resident"] == Resident.objects.count()
    assert GridTreeRevision.objects.get(pk=1).revision >= 1


def test_names_codes_and_parties(small_demo):
    for micro in Grid.objects.filter(level=GridLevel.MICRO_GRID):
        assert micro.name == f"第{micro.number}网格"
        assert len(micro.code) == 15
        assert micro.party_organisation.endswith(("党支部", "党小组"))
    for group in Grid.objects.filter(level=GridLevel.BUILDING_GROUP):
        assert group.name.endswith(("号楼组", "队组"))
        assert len(group.code) == 18 and group.area_m2 > 0


def test_every_id_number_is_valid_and_unique(small_demo):
    numbers = list(Resident.objects.values_list("id_number", "birth_date", "gender"))
    assert len({n for n, _, _ in numbers}) == len(numbers)
    for number, birth, gender in numbers:
        assert validate_resident_id(number) == number
        assert mod11_2_valid(number)
        assert number[6:14] == birth.strftime("%Y%m%d")
        assert (int(number[16]) % 2 == 1) == (gender == "M")


def test_addresses_are_normalized_and_hang_off_their_micro_grid(small_demo):
    for a in Address.objects.select_related("building_group"):
        assert a.normalized == normalize_parts(a.road, a.lane, a.number, a.building, a.room)
        # What a grid worker would type back finds the same address.
        assert parse_address(a.normalized).normalized == a.normalized
        assert a.micro_grid_id == a.building_group.parent_id
        point = shapely.Point(a.lon, a.lat)
        assert shapely.geometry.shape(a.building_group.geometry).buffer(1e-9).contains(point)


def test_household_counts_add_up_the_tree(small_demo):
    total = Household.objects.count()
    assert Grid.objects.get(level=GridLevel.STREET).household_count == total
    for level in (GridLevel.COMMUNITY, GridLevel.MICRO_GRID):
        assert Grid.objects.filter(level=level).aggregate(s=Sum("household_count"))["s"] == total
    for group in Grid.objects.filter(level=GridLevel.BUILDING_GROUP)[:10]:
        assert (
            group.household_count == Household.objects.filter(address__building_group=group).count()
        )


def test_children_tile_their_parent_without_gaps_or_overlaps(small_demo):
    grids = list(Grid.objects.all())
    shapes = {g.pk: shapely.geometry.shape(g.geometry) for g in grids}
    children = {}
    for g in grids:
        if g.parent_id:
            children.setdefault(g.parent_id, []).append(g.pk)
    assert children
    for parent_id, kids in children.items():
        parent = shapes[parent_id]
        union = shapely.union_all([shapes[k] for k in kids])
        tolerance = parent.area * 1e-6
        # No gap: the union covers the parent; no overlap: the areas add up to the parent's.
        assert parent.symmetric_difference(union).area <= tolerance
        assert abs(sum(shapes[k].area for k in kids) - parent.area) <= tolerance


def fingerprint():
    return (
        list(
            Grid.objects.order_by("code").values_list("code", "name", "geometry", "household_count")
        ),
        list(
            StaffMember.objects.order_by("id").values_list(
                "name", "phone", "duties", "origin", "work_unit"
            )
        ),
        list(GridPost.objects.order_by("id").values_list("micro_grid__code", "role", "start_date")),
        list(Address.objects.order_by("id").values_list("normalized", "lon", "lat")),
        list(
            Resident.objects.order_by("id").values_list(
                "name", "id_number", "phone", "is_registered", "lives_here", "care_tags"
            )
        ),
    )


def wipe():
    Resident.objects.all().delete()
    Household.objects.all().delete()
    Address.objects.all().delete()
    StaffMember.objects.all().delete()
    User.objects.all().delete()
    Department.objects.all().delete()
    for level in reversed(GridLevel.values):
        Grid.objects.filter(level=level).delete()


def test_same_seed_same_street_other_seed_other_street(small_demo):
    first = fingerprint()
    wipe()
    build_demo_street(SMALL_STREET)
    assert fingerprint() == first
    wipe()
    build_demo_street(
        DemoParams(seed=8, communities=2, micro_grids_per_street=8, households_per_building_group=3)
    )
    assert fingerprint() != first


@pytest.mark.parametrize("micro_grids", [6, 24])
def test_build_runs_a_bounded_number_of_queries(micro_grids):
    # Bulk inserts in batches, no query per row: on SQLite a batch holds ≥ 70 rows (999
    # parameters), so even the smallest batches keep far below one query per 50 rows.
    with CaptureQueriesContext(connection) as queries:
        build_demo_street(
            DemoParams(
                seed=3,
                communities=3,
                micro_grids_per_street=micro_grids,
                households_per_building_group=6,
            ),
            logins=False,
        )
    rows = sum(
        m.objects.count() for m in (Grid, StaffMember, GridPost, Address, Household, Resident)
    )
    assert Resident.objects.count() > 40 * micro_grids
    assert len(queries) <= 20 + rows // 50


def test_geometry_only_build_has_no_registry():
    result = build_demo_street(
        DemoParams(
            seed=5,
            streets=2,
            communities=2,
            micro_grids_per_street=6,
            households_per_building_group=0,
        ),
        logins=False,
    )
    assert level_count(GridLevel.STREET) == 2
    assert level_count(GridLevel.MICRO_GRID) == 12
    assert Address.objects.count() == Resident.objects.count() == 0
    assert GridPost.objects.count() == StaffMember.objects.count() == 0
    assert result.counts["grid:building_group"] == level_count(GridLevel.BUILDING_GROUP)
    assert set(Grid.objects.filter(level=GridLevel.STREET).values_list("code", flat=True)) == {
        "310115125",
        "310115126",
    }


@pytest.mark.long(20)
def test_load_command_if_empty_keeps_the_data():
    out = io.StringIO()
    call_command(
        "load_demo_street",
        "--seed",
        "7",
        "--communities",
        "2",
        "--micro-grids-per-street",
        "8",
        "--households-per-building-group",
        "3",
        stdout=out,
    )
    assert "微网格 8" in out.getvalue()
    before = fingerprint()
    revision = GridTreeRevision.objects.get(pk=1).revision
    out = io.StringIO()
    call_command("load_demo_street", "--if-empty", stdout=out)
    assert "保留现有数据" in out.getvalue()
    assert fingerprint() == before
    assert GridTreeRevision.objects.get(pk=1).revision == revision
    with pytest.raises(CommandError, match="已有"):
        call_command("load_demo_street")


def test_load_command_geometry_only():
    out = io.StringIO()
    call_command(
        "load_demo_street",
        "--streets",
        "2",
        "--communities",
        "2",
        "--micro-grids-per-street",
        "5",
        "--households-per-building-group",
        "0",
        "--no-logins",
        stdout=out,
    )
    assert "仅几何" in out.getvalue() and "微网格 10" in out.getvalue()
    assert level_count(GridLevel.MICRO_GRID) == 10
    assert not User.objects.exists() and not Resident.objects.exists()


def test_load_command_rejects_bad_parameters():
    with pytest.raises(CommandError, match="--communities"):
        call_command("load_demo_street", "--communities", "9", "--micro-grids-per-street", "4")
    assert Grid.objects.count() == 0


def test_every_role_has_a_working_login(small_demo):
    out = io.StringIO()
    call_command("demo_logins", stdout=out)
    table = out.getvalue()
    roles = set()
    for user in User.objects.all():
        assert authenticate(username=user.username, password=PASSWORDS[user.role]) == user
        assert user.username in table and PASSWORDS[user.role] in table
        roles.add(user.role)
    assert roles == set(Role.values)
    assert User.objects.get(username="admin").is_superuser
    assert User.objects.filter(role=Role.COMMUNITY_STAFF, community__isnull=False).count() == 2
    assert not User.objects.filter(role=Role.DEPT_HANDLER, department__isnull=True).exists()
    assert str(Role.GRID_WORKER.label) in table


def test_demo_logins_reset_a_changed_password(small_demo):
    admin = User.objects.get(username="admin")
    admin.set_password("something-else")
    admin.is_active = False
    admin.save()
    call_command("demo_logins", stdout=io.StringIO())
    assert authenticate(username="admin", password=PASSWORDS[Role.ADMIN]) is not None


def test_demo_logins_on_an_empty_database_still_cover_every_role():
    call_command("demo_logins", stdout=io.StringIO())
    assert set(User.objects.values_list("role", flat=True)) == set(Role.values) - {
        Role.COMMUNITY_STAFF
    }


def test_demo_logins_refused_in_production(settings):
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="生产环境"):
        call_command("demo_logins")
    with pytest.raises(CommandError, match="生产环境"):
        call_command("load_demo_street")
    assert not User.objects.exists()


@pytest.mark.parametrize("username", ["gridworker", "gridleader"])
def test_grid_staff_see_exactly_their_posts(small_demo, username):
    user = User.objects.get(username=username)
    posts = GridPost.objects.filter(staff__user=user)
    active = set(posts.filter(end_date__isnull=True).values_list("micro_grid_id", flat=True))
    assert active
    assert set(visible_micro_grids(user).values_list("pk", flat=True)) == active
    if username == "gridworker":
        # The former post in the neighbouring micro-grid has ended and gives no access.
        ended = set(posts.filter(end_date__isnull=False).values_list("micro_grid_id", flat=True))
        assert ended and not ended & active


def test_default_demo_is_kangqiao_and_loads_fast():
    started = time.perf_counter()
    result = build_demo_street()
    seconds = time.perf_counter() - started
    assert seconds < 60
    # 镇—片区—居村—微网格: 6 镇管社区 (each with its 社区党委) over 62 居村 over 251 micro-grids.
    areas = list(Grid.objects.filter(level=GridLevel.AREA).order_by("number"))
    assert [a.name for a in areas] == list(names.KANGQIAO_AREAS)
    assert all(a.party_organisation == f"{a.name}党委" for a in areas)
    assert level_count(GridLevel.COMMUNITY) == 62
    assert level_count(GridLevel.MICRO_GRID) == 251
    communities = Grid.objects.filter(level=GridLevel.COMMUNITY)
    villages = [c for c in communities if c.community_kind == CommunityKind.VILLAGE]
    assert 10 <= len(villages) <= 15 and all(c.name.endswith("村") for c in villages)
    assert all(c.name.endswith("居委") for c in communities if c not in villages)
    assert {a.area_kind for a in areas} == {AreaKind.TOWN_COMMUNITY}
    # A village's micro-grids and 队组 follow it, and their labels say so.
    group = Grid.objects.filter(level=GridLevel.BUILDING_GROUP, parent__parent=villages[0])[0]
    assert (group.community_kind, group.level_label) == (CommunityKind.VILLAGE, "队组")
    assert group.name.endswith("队组")
    assert {"新苗村", "汤巷馨村居委", "汤巷雅苑居委", "花墙村"} <= {c.name for c in communities}
    for community in communities:
        assert 3 <= Grid.objects.filter(parent=community).count() <= 5, community.name
    for area in areas:
        assert 7 <= Grid.objects.filter(parent=area).count() <= 14, area.name
    # Codes by the 15-digit rule: county(6) + street(3) + 居村(3) + sequence(3).
    codes = Grid.objects.filter(level=GridLevel.MICRO_GRID).values_list("code", "parent__code")
    assert all(len(c) == 15 and c[:9] == p[:9] and c[9:12] == p[-3:] for c, p in codes)
    assert (
        active_posts(PostRole.LEADER),
        active_posts(PostRole.FULL_TIME),
        active_posts(PostRole.PART_TIME),
    ) == (251, 251, 269)
    # "各类网格在册人员6200余人": the whole roll, each micro-grid with its 先锋骨干.
    roll = GridPost.objects.filter(end_date__isnull=True)
    assert 6200 <= roll.count() < 6300
    assert roll.values("staff").distinct().count() == roll.count()
    assert not Grid.objects.filter(level=GridLevel.MICRO_GRID).exclude(posts__role=PostRole.PIONEER)
    # Where they come from: the 居村's own staff lead, 下沉/双报到/residents serve part-time, each
    # 楼组 (队组) has a resident head, and the rest are 双报到 members and volunteers.
    origins = dict(
        StaffMember.objects.filter(posts__end_date__isnull=True)
        .values_list("origin")
        .annotate(n=Count("id"))
    )
    assert origins[StaffOrigin.COMMUNITY] == 251 + 251
    assert origins[StaffOrigin.DUAL_REPORT] > 1500 and origins[StaffOrigin.VOLUNTEER] > 1500
    assert origins[StaffOrigin.SENT_DOWN] > 50 and origins[StaffOrigin.RESIDENT] > 1000
    dual = StaffMember.objects.filter(origin=StaffOrigin.DUAL_REPORT)
    assert not dual.filter(Q(work_unit="") | Q(registered_on__isnull=True)).exists()
    assert not dual.filter(is_party_member=False).exists()
    village_heads = GridPost.objects.filter(role=PostRole.VILLAGER_GROUP_HEAD)
    assert village_heads and not village_heads.exclude(
        building_group__community_kind=CommunityKind.VILLAGE
    )
    assert not GridPost.objects.filter(
        role=PostRole.BUILDING_GROUP_HEAD, building_group__community_kind=CommunityKind.VILLAGE
    )
    assert not GridPost.objects.filter(
        role__in=[PostRole.BUILDING_GROUP_HEAD, PostRole.VILLAGER_GROUP_HEAD]
    ).exclude(building_group__parent=F("micro_grid"))
    assert 20_000 <= result.counts["resident"] <= 40_000


def test_dwellings_have_a_tenure_and_a_use(small_demo):
    from civicgrid.demo.builder import HOUSING_MIX
    from civicgrid.registry.choices import DwellingUse, Tenure

    pairs = set(Household.objects.values_list("tenure", "use").distinct())
    known = {pair for mix in HOUSING_MIX.values() for pair in mix}
    assert pairs and pairs <= known
    # A let flat has a tenure of its own (no more 租赁房 of unknown tenure); in villages the
    # 自建房 are partly let (seed 002's 出租屋).
    assert (Tenure.OTHER, DwellingUse.RENTED) not in pairs
    assert (Tenure.SELF_BUILT, DwellingUse.RENTED) in HOUSING_MIX["village"]
    villages = Household.objects.filter(
        address__building_group__parent__parent__community_kind=CommunityKind.VILLAGE
    )
    if villages.exists():
        assert set(villages.values_list("tenure", flat=True)) <= {Tenure.SELF_BUILT, Tenure.OTHER}
