"""001-style figures (普育里: 213 户, 663 户籍, 450 实住; 77 公房, 136 售后公房)."""

import pytest

from civicgrid.accounts.choices import Role
from civicgrid.grids.models import Grid
from civicgrid.registry.choices import DwellingUse, Tenure
from civicgrid.registry.models import Address, Household, Resident
from civicgrid.registry.services import figures_table, grid_figures, refresh_household_counts


def build_puyuli(building_groups):
    """213 households over the given building groups: 77 公房 + 136 售后公房; 700 people of whom
    663 registered and 450 actually living there."""
    households = []
    for i in range(213):
        bg = building_groups[i % len(building_groups)]
        address = Address.objects.create(
            road="普育东路", lane="10", number=str(i + 1), building_group=bg
        )
        households.append(
            Household(
                address=address,
                tenure=Tenure.PUBLIC_RENT if i < 77 else Tenure.SOLD_PUBLIC,
                use=DwellingUse.RENTED if i < 10 else DwellingUse.OWNER_OCCUPIED,
            )
        )
    Household.objects.bulk_create(households)
    households = list(Household.objects.order_by("pk"))
    Resident.objects.bulk_create(
        Resident(
            household=households[i % 213],
            name=f"普育里居民{i}",
            gender="F",
            is_registered=i < 663,
            lives_here=i < 413 or i >= 663,  # 413 registered + 37 unregistered tenants = 450
        )
        for i in range(700)
    )


@pytest.fixture
def puyuli(tree):
    # Community 1, micro-grid 1 (its two building groups) is 普育里.
    build_puyuli(tree["building_groups"][:2])
    return tree


def test_figures_at_every_level(puyuli, django_assert_num_queries):
    expected = {"households": 213, "registered": 663, "living": 450, "residents": 700}
    for grid in [
        puyuli["street"],
        puyuli["area"],
        puyuli["communities"][0],
        puyuli["micro_grids"][0],
    ]:
        with django_assert_num_queries(2):
            figures = grid_figures(grid)
        assert {k: figures[k] for k in expected} == expected
        assert figures["by_tenure"][Tenure.PUBLIC_RENT] == 77
        assert figures["by_tenure"][Tenure.SOLD_PUBLIC] == 136
        assert figures["by_tenure"][Tenure.COMMERCIAL] == 0
        assert figures["by_use"][DwellingUse.RENTED] == 10
        assert figures["by_use"][DwellingUse.OWNER_OCCUPIED] == 203
    first_group = grid_figures(puyuli["building_groups"][0])
    second_group = grid_figures(puyuli["building_groups"][1])
    assert first_group["households"] + second_group["households"] == 213
    assert first_group["households"] == 107
    assert grid_figures(puyuli["communities"][1])["households"] == 0


def test_figures_are_scoped(puyuli, by_role):
    # The community-2 staff sees none of 普育里 even when asking for the whole street.
    assert grid_figures(puyuli["street"], by_role[Role.COMMUNITY_STAFF])["households"] == 0
    assert grid_figures(puyuli["street"], by_role[Role.GRID_WORKER])["households"] == 213


def test_figures_table_constant_queries(puyuli, by_role, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        rows = figures_table(by_role[Role.OPERATOR])
    by_code = {row["grid"].code if row["grid"] else "total": row for row in rows}
    community = by_code[puyuli["communities"][0].code]
    assert (community["households"], community["registered"], community["living"]) == (
        213,
        663,
        450,
    )
    assert by_code[puyuli["micro_grids"][0].code]["by_tenure"]["public_rent"] == 77
    assert by_code[puyuli["micro_grids"][1].code]["households"] == 0
    assert by_code["total"]["households"] == 213
    # Rows for a grid worker: only their micro-grid and its community.
    rows = figures_table(by_role[Role.GRID_WORKER])
    assert [r["grid"].code for r in rows if r["grid"]] == [
        puyuli["communities"][0].code,
        puyuli["micro_grids"][0].code,
    ]


def test_refresh_household_counts(puyuli, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):  # two UPDATEs (+ savepoint statements)
        refresh_household_counts()
    counts = dict(Grid.objects.values_list("code", "household_count"))
    bgs = puyuli["building_groups"]
    assert counts[puyuli["micro_grids"][0].code] == 213
    assert counts[bgs[0].code] == 107 and counts[bgs[1].code] == 106
    assert counts[puyuli["micro_grids"][1].code] == 0
    assert counts[puyuli["street"].code] == 0  # only micro-grids and building groups


def test_figures_api(puyuli, by_role, api):
    client = api(by_role[Role.LEADER])
    body = client.get("/api/registry/figures/", {"grid": puyuli["communities"][0].code}).json()
    assert (body["households"], body["registered"], body["living"]) == (213, 663, 450)
    assert body["by_tenure"]["sold_public"] == 136
    assert body["by_use"]["rented"] == 10
    table = client.get("/api/registry/figures/").json()
    assert table[-1]["name"] == "合计" and table[-1]["households"] == 213
    # A grid outside the user's scope is not found.
    staff = api(by_role[Role.COMMUNITY_STAFF])
    assert (
        staff.get("/api/registry/figures/", {"grid": puyuli["micro_grids"][0].code}).status_code
        == 404
    )
    assert client.get("/api/registry/figures/", {"grid": "nope"}).status_code == 404


def test_figures_admin_page(puyuli, by_role, client):
    client.force_login(by_role[Role.OPERATOR])
    response = client.get("/admin/registry/resident/figures/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "人口房屋统计" in html and "普育" not in html  # grid names, not addresses
    assert "<td>213</td><td>663</td><td>450</td><td>700</td>" in html
    assert "售后公房" in html
