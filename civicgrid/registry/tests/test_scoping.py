"""Every role sees exactly its grids' registry rows — in the admin and in the API."""

import pytest

from civicgrid.accounts.choices import Role
from civicgrid.registry.models import Resident

# Residents visible per role with the `populated` tree: 2 per building group, 8 groups.
EXPECTED = {
    Role.ADMIN: 16,
    Role.OPERATOR: 16,
    Role.LEADER: 16,
    Role.COMMUNITY_STAFF: 8,  # community 2
    Role.GRID_WORKER: 4,  # micro-grid 1
    Role.GRID_LEADER: 4,  # micro-grid 2
}
DENIED = [Role.DEPT_HANDLER, Role.RESIDENT]
# The back office is for administrators, 城运中心 and 居委 staff; the other registry roles see
# their rows through the web front and the API only.
ADMIN_ROLES = [Role.ADMIN, Role.OPERATOR, Role.COMMUNITY_STAFF]
NO_ADMIN = [Role.LEADER, Role.GRID_WORKER, Role.GRID_LEADER, *DENIED]


def expected_micro_grids(role, tree):
    m = tree["micro_grids"]
    return {
        Role.COMMUNITY_STAFF: {m[2].pk, m[3].pk},
        Role.GRID_WORKER: {m[0].pk},
        Role.GRID_LEADER: {m[1].pk},
    }.get(role, {g.pk for g in m})


@pytest.mark.parametrize("role", list(EXPECTED))
def test_api_lists_are_scoped(role, populated, by_role, api):
    client = api(by_role[role])
    body = client.get("/api/registry/residents/", {"limit": 100}).json()
    assert body["count"] == EXPECTED[role]
    ids = [r["id"] for r in body["results"]]
    grids = set(
        Resident.objects.filter(pk__in=ids).values_list("household__address__micro_grid", flat=True)
    )
    assert grids == expected_micro_grids(role, populated)
    # Addresses and households: one each per building group (2 per micro-grid).
    assert client.get("/api/registry/addresses/").json()["count"] == EXPECTED[role] // 2
    assert client.get("/api/registry/households/").json()["count"] == EXPECTED[role] // 2


@pytest.mark.parametrize("role", list(EXPECTED))
def test_api_detail_outside_scope_is_404(role, populated, by_role, api):
    outside = Resident.objects.exclude(
        household__address__micro_grid__in=expected_micro_grids(role, populated)
    ).first()
    inside = Resident.objects.filter(
        household__address__micro_grid__in=expected_micro_grids(role, populated)
    ).first()
    client = api(by_role[role])
    assert client.get(f"/api/registry/residents/{inside.pk}/").status_code == 200
    if outside is not None:
        assert client.get(f"/api/registry/residents/{outside.pk}/").status_code == 404


@pytest.mark.parametrize("role", DENIED)
def test_api_refuses_handlers_and_residents(role, populated, by_role, api):
    client = api(by_role[role])
    for url in ["residents", "households", "addresses", "figures"]:
        response = client.get(f"/api/registry/{url}/")
        assert response.status_code == 403
        assert "无权" in response.json()["detail"]


def test_api_requires_login(populated, client):
    assert client.get("/api/registry/residents/").status_code == 403


@pytest.mark.parametrize("role", ADMIN_ROLES)
def test_admin_changelists_are_scoped(role, populated, by_role, client):
    client.force_login(by_role[role])
    response = client.get("/admin/registry/resident/")
    assert response.status_code == 200
    cl = response.context["cl"]
    assert cl.result_count == EXPECTED[role]
    grids = {r.household.address.micro_grid_id for r in cl.result_list}
    assert grids == expected_micro_grids(role, populated)
    assert client.get("/admin/registry/address/").context["cl"].result_count == (
        EXPECTED[role] // 2
    )
    assert client.get("/admin/registry/household/").context["cl"].result_count == (
        EXPECTED[role] // 2
    )


@pytest.mark.parametrize("role", [Role.COMMUNITY_STAFF])
def test_admin_change_view_outside_scope_is_refused(role, populated, by_role, client):
    outside = Resident.objects.exclude(
        household__address__micro_grid__in=expected_micro_grids(role, populated)
    ).first()
    client.force_login(by_role[role])
    response = client.get(f"/admin/registry/resident/{outside.pk}/change/")
    # Django's admin redirects to the index with "doesn't exist" for rows not in get_queryset.
    assert response.status_code == 302


@pytest.mark.parametrize("role", NO_ADMIN)
def test_admin_refuses_roles_without_back_office(role, populated, by_role, client):
    client.force_login(by_role[role])
    for model in ["resident", "household", "address", "personaldataaccess"]:
        assert client.get(f"/admin/registry/{model}/").status_code == 403
    assert client.get("/admin/registry/resident/figures/").status_code == 403


def test_admin_list_filters_by_community_and_care_tag(populated, by_role, client):
    target = Resident.objects.filter(
        household__address__micro_grid=populated["micro_grids"][3]
    ).first()
    target.care_tags = ["elderly_alone"]
    target.save()
    client.force_login(by_role[Role.OPERATOR])
    code = populated["communities"][1].code
    cl = client.get("/admin/registry/resident/", {"community": code}).context["cl"]
    assert cl.result_count == 8
    cl = client.get("/admin/registry/resident/", {"care_tag": "elderly_alone"}).context["cl"]
    assert [r.pk for r in cl.result_list] == [target.pk]
    micro = populated["micro_grids"][3].code
    cl = client.get(
        "/admin/registry/resident/", {"micro_grid": micro, "is_registered__exact": "1"}
    ).context["cl"]
    assert cl.result_count == 2
