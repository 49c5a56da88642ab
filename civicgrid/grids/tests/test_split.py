"""居委 over 3,000 households, and splitting one: new codes, old codes still found."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.grids import services
from civicgrid.grids.choices import CommunityKind, GridLevel, PostRole
from civicgrid.grids.locator import _current_revision, invalidate_locator, locate_point
from civicgrid.grids.models import Grid, GridCodeHistory, GridPost
from civicgrid.registry.models import Address, Household
from civicgrid.testing.cases import case_in_state
from civicgrid.testing.factories import StaffMemberFactory
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db

STREET = "310115125"


def _households(tree, counts):
    for micro, n in zip(tree["micro_grids"], counts, strict=True):
        micro.household_count = n
        micro.save()


def test_a_residents_committee_over_3000_households_is_flagged(tree, api, users, client_for):
    _households(tree, [1800, 1300, 1500, 1500])  # community 0: 3,100; community 1: 3,000
    first, second = tree["communities"]
    assert Grid.objects.get(pk=first.pk).over_household_limit
    assert not Grid.objects.get(pk=second.pk).over_household_limit  # 3,000 is not over
    over = services.over_household_limit(Grid.objects.all())
    assert list(over.values_list("code", flat=True)) == [f"{STREET}001"]

    # A village is not a 居委: no flag.
    first.community_kind = CommunityKind.VILLAGE
    services.save_grid(first)
    assert not services.over_household_limit(Grid.objects.all()).exists()
    first.community_kind = CommunityKind.RESIDENTS
    services.save_grid(first)

    response = api(users["admin"]).get("/api/grids/", {"over_household_limit": "true"})
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [(r["code"], r["community_households"], r["over_household_limit"]) for r in rows] == [
        (f"{STREET}001", 3100, True)
    ]

    client = client_for(users["admin"])
    page = client.get("/admin/grids/grid/", {"over_household_limit": "yes"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "超过3000户" in text and first.name in text and second.name not in text


def test_split_moves_micro_grids_with_their_codes_cases_posts_and_households(
    tree, users, households
):
    first = tree["communities"][0]
    moved = tree["micro_grids"][1]  # 310115125001002, second of community 0
    _households(tree, [2000, 1500, 100, 100])
    case = case_in_state("filed", users, point=IN_MICRO[1])
    assert case.micro_grid.code == f"{STREET}001002"
    post = GridPost.objects.create(
        staff=StaffMemberFactory(),
        micro_grid=moved,
        role=PostRole.LEADER,
        start_date="2024-01-01",
    )
    household = households[1][0]

    locate_point(*IN_MICRO[1])  # a locator built before the split
    revision = _current_revision()

    new = services.split_community(first, [moved], name="新建居委", user=users["admin"])

    assert new.code == f"{STREET}003"  # next community number in the street
    assert new.parent_id == tree["area"].pk and new.community_kind == CommunityKind.RESIDENTS
    moved.refresh_from_db()
    assert moved.parent_id == new.pk
    assert moved.code == f"{STREET}003001"
    assert moved.path == f"/{STREET}/{STREET}01/{STREET}003/{STREET}003001/"
    groups = Grid.objects.filter(parent=moved).order_by("number")
    assert [g.code for g in groups] == [f"{STREET}003001001", f"{STREET}003001002"]
    # The rest of the old 居委 keeps its codes.
    assert Grid.objects.get(pk=tree["micro_grids"][0].pk).code == f"{STREET}001001"
    # Households move with the micro-grids.
    assert new.household_count == 1500
    assert Grid.objects.get(pk=first.pk).micro_grid_households == 2000

    # Everything that points at the grids follows.
    case.refresh_from_db()
    assert case.micro_grid.code == f"{STREET}003001"
    post.refresh_from_db()
    assert post.micro_grid.parent_id == new.pk
    assert Household.objects.get(pk=household.pk).address.building_group.path.startswith(new.path)
    assert Address.objects.filter(building_group__path__startswith=new.path).count() == 2

    # The old codes are kept and still find the grids.
    history = dict(GridCodeHistory.objects.values_list("old_code", "new_code"))
    assert history == {
        f"{STREET}001002": f"{STREET}003001",
        f"{STREET}001002001": f"{STREET}003001001",
        f"{STREET}001002002": f"{STREET}003001002",
    }
    assert services.grid_by_code(f"{STREET}001002") == moved
    assert GridCodeHistory.objects.first().changed_by == users["admin"]

    # The tree's revision moved on, so every process's locator (at its next check) puts a new
    # report in the moved micro-grid under its new code.
    assert _current_revision() != revision
    invalidate_locator()
    located = locate_point(*IN_MICRO[1])
    assert (located.micro_grid.code, located.community.code) == (f"{STREET}003001", new.code)


def test_old_codes_find_the_grid_in_the_api_and_the_case_filter(tree, users, api):
    first = tree["communities"][0]
    moved = tree["micro_grids"][1]
    case = case_in_state("filed", users, point=IN_MICRO[1])
    services.split_community(first, [moved], name="新建居委", number=7)
    client = api(users["admin"])

    detail = client.get(f"/api/grids/{STREET}001002/")
    assert detail.status_code == 200
    assert detail.json()["code"] == f"{STREET}007001"
    assert client.get(f"/api/grids/{STREET}009009/").status_code == 404

    cases = client.get("/api/cases/", {"micro_grid": f"{STREET}001002"})
    assert cases.status_code == 200
    assert [c["number"] for c in cases.json()["results"]] == [case.number]
    # The new 居委 holds the case, the old one no longer does.
    by_new = client.get("/api/cases/", {"community": f"{STREET}007"})
    assert [c["number"] for c in by_new.json()["results"]] == [case.number]
    by_old = client.get("/api/cases/", {"community": f"{STREET}001"})
    assert by_old.json()["results"] == []


def _snapshot():
    return sorted(Grid.objects.values_list("pk", "code", "path", "parent_id", "number"))


def test_split_refuses_all_none_foreign_and_taken_numbers_and_writes_nothing(tree, users):
    first, second = tree["communities"]
    own = tree["micro_grids"][:2]
    before = _snapshot()
    cases = [
        ([], {}, "micro_grids", "请至少选择一个微网格"),
        (own, {}, "micro_grids", "不能划出居村的全部微网格"),
        ([tree["micro_grids"][2]], {}, "micro_grids", "只能划出本居村的微网格"),
        ([tree["building_groups"][0]], {}, "micro_grids", "只能划出本居村的微网格"),
        ([own[1]], {"number": 2}, "number", f"编码 {STREET}002 已被其他网格使用"),
        ([own[1]], {"name": " "}, "name", "请填写新居委的名称"),
    ]
    for micro_grids, extra, field, message in cases:
        kwargs = {"name": "新建居委", **extra}
        with pytest.raises(ValidationError) as err:
            services.split_community(first, micro_grids, **kwargs)
        assert err.value.message_dict[field] == [message]
    with pytest.raises(PermissionDenied):
        services.split_community(first, [own[1]], name="新建居委", user=users["operator"])
    with pytest.raises(ValidationError):
        services.split_community(tree["micro_grids"][0], [own[1]], name="新建居委")
    assert _snapshot() == before
    assert not GridCodeHistory.objects.exists()
    assert Grid.objects.filter(level=GridLevel.COMMUNITY).count() == 2


def test_code_history_rows_are_immutable(tree):
    services.split_community(tree["communities"][0], [tree["micro_grids"][1]], name="新建居委")
    row = GridCodeHistory.objects.first()
    with pytest.raises(ValueError):
        row.save()
    with pytest.raises(ValueError):
        row.delete()
    with pytest.raises(ValueError):
        GridCodeHistory.objects.update(reason="x")
    with pytest.raises(ValueError):
        GridCodeHistory.objects.all().delete()


def test_split_moves_the_accounts_of_the_staff_who_work_the_moved_grids(tree, users, client_for):
    """Grid workers follow their posts by themselves; 居委 staff accounts of the old 居委 follow
    when all their work there (posts, 巡块责任区) lies in the moved micro-grids, others stay."""
    import datetime

    from civicgrid.accounts.choices import Role
    from civicgrid.fieldwork import services as fieldwork_services
    from civicgrid.fieldwork.models import PatrolArea
    from civicgrid.grids.scoping import visible_micro_grids
    from civicgrid.testing.factories import UserFactory, assign_post

    first = tree["communities"][0]
    kept, moved = tree["micro_grids"][0], tree["micro_grids"][1]

    def cadre(name):
        return UserFactory(username=name, role=Role.COMMUNITY_STAFF, community=first)

    walker = cadre("walker")  # walks the moved micro-grid (巡块责任区)
    fieldwork_services.save_patrol_area(
        None, PatrolArea(worker=walker, micro_grid=moved, start_date=datetime.date(2026, 1, 1))
    )
    posted = cadre("posted")  # holds a post on the moved micro-grid
    assign_post(posted, moved)
    both = cadre("both")  # works both sides: stays
    assign_post(both, moved)
    assign_post(both, kept)
    ended = cadre("ended")  # their area on the moved grid ended: stays
    fieldwork_services.save_patrol_area(
        None,
        PatrolArea(
            worker=ended,
            micro_grid=moved,
            start_date=datetime.date(2025, 1, 1),
            end_date=datetime.date(2025, 12, 31),
        ),
    )
    idle = users["staff"]  # no post nor area: stays with the 居委

    new = services.split_community(first, [moved], name="新建居委", user=users["admin"])

    assert sorted(u.username for u in new.reassigned_accounts) == ["posted", "walker"]
    community_of = dict(
        type(walker)
        .objects.filter(username__in=["walker", "posted", "both", "ended", "staff"])
        .values_list("username", "community_id")
    )
    assert community_of == {
        "walker": new.pk,
        "posted": new.pk,
        "both": first.pk,
        "ended": first.pk,
        "staff": first.pk,
    }
    walker.refresh_from_db()
    assert list(visible_micro_grids(walker).values_list("pk", flat=True)) == [moved.pk]
    idle.refresh_from_db()
    assert list(visible_micro_grids(idle).values_list("pk", flat=True)) == [kept.pk]
    # The grid leader posted on the moved grid sees it under its new code, no account change.
    assert list(visible_micro_grids(users["gridleader"]).values_list("code", flat=True)) == [
        f"{STREET}003001"
    ]


def test_the_admin_split_page_names_the_accounts_that_moved(tree, users, client_for):
    from civicgrid.testing.factories import assign_post

    first = tree["communities"][0]
    moved = tree["micro_grids"][1]
    assign_post(users["staff"], moved)
    client = client_for(users["admin"])
    response = client.post(
        f"/admin/grids/grid/split/{first.code}/",
        {"micro_grids": [moved.pk], "name": "新建居委", "number": "", "reason": ""},
        follow=True,
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "随迁的居委工作人员账号" in text and "staff" in text
    users["staff"].refresh_from_db()
    assert users["staff"].community.name == "新建居委"
