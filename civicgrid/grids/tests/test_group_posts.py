"""楼组长 and 村民小组长: posts on a building group (楼组) or a village's 队组."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from civicgrid.grids import services
from civicgrid.grids.choices import CommunityKind, PostRole
from civicgrid.grids.models import Grid, GridPost
from civicgrid.testing.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db

D = datetime.date


def _village(tree, index=1):
    village = tree["communities"][index]
    village.community_kind = CommunityKind.VILLAGE
    services.save_grid(village)
    return village


def test_a_building_group_head_sits_on_the_group_and_leaves_the_1_2_n_alone(tree):
    group = tree["building_groups"][0]
    micro = tree["micro_grids"][0]
    head = StaffMemberFactory(name="楼组长甲")
    post = services.appoint(
        head, None, PostRole.BUILDING_GROUP_HEAD, D(2024, 1, 1), building_group=group
    )
    assert (post.micro_grid, post.building_group) == (micro, group)
    assert str(post) == f"{group.name} 楼组长 楼组长甲"

    summary = services.staffing_summary(micro, on=D(2024, 6, 1))
    assert summary["micro_grids"][0]["label"] == "0+0+0"
    assert summary["totals"]["people"] == 0

    # One head per building group at a time.
    with pytest.raises(ValidationError) as err:
        services.appoint(
            StaffMemberFactory(),
            None,
            PostRole.BUILDING_GROUP_HEAD,
            D(2024, 3, 1),
            building_group=group,
        )
    assert err.value.message_dict["role"] == [f"“{group.name}”在该期间已有楼组长 楼组长甲"]
    assert GridPost.objects.count() == 1


def test_a_village_has_villager_group_heads_not_building_group_heads(tree):
    _village(tree)
    team = Grid.objects.get(pk=tree["building_groups"][4].pk)  # in the village
    assert team.level_label == "队组"
    with pytest.raises(ValidationError) as err:
        services.appoint(
            StaffMemberFactory(),
            None,
            PostRole.BUILDING_GROUP_HEAD,
            D(2024, 1, 1),
            building_group=team,
        )
    assert err.value.message_dict["role"] == ["村里的队组设村民小组长，不设楼组长"]
    post = services.appoint(
        StaffMemberFactory(), None, PostRole.VILLAGER_GROUP_HEAD, D(2024, 1, 1), building_group=team
    )
    assert post.get_role_display() == "村民小组长"
    with pytest.raises(ValidationError) as err:
        services.appoint(
            StaffMemberFactory(),
            None,
            PostRole.VILLAGER_GROUP_HEAD,
            D(2024, 1, 1),
            building_group=tree["building_groups"][0],
        )
    assert err.value.message_dict["role"] == ["居委的楼组设楼组长，不设村民小组长"]


def test_roles_stay_on_their_level(tree):
    micro, group = tree["micro_grids"][0], tree["building_groups"][0]
    with pytest.raises(ValidationError) as err:
        services.appoint(StaffMemberFactory(), micro, PostRole.BUILDING_GROUP_HEAD, D(2024, 1, 1))
    assert err.value.message_dict["building_group"] == ["楼组长、村民小组长只能设在楼组（队组）"]
    with pytest.raises(ValidationError) as err:
        services.appoint(
            StaffMemberFactory(), micro, PostRole.LEADER, D(2024, 1, 1), building_group=group
        )
    assert err.value.message_dict["building_group"] == [
        "网格长、网格员和先锋骨干设在微网格，不设在楼组"
    ]
    with pytest.raises(ValidationError) as err:
        services.appoint(
            StaffMemberFactory(),
            tree["micro_grids"][1],
            PostRole.BUILDING_GROUP_HEAD,
            D(2024, 1, 1),
            building_group=group,
        )
    assert err.value.message_dict["micro_grid"] == ["楼组不属于该微网格"]
    assert not GridPost.objects.exists()


def test_the_api_appoints_a_building_group_head_by_code(tree, users, api):
    group = tree["building_groups"][2]
    staff = StaffMemberFactory()
    client = api(users["admin"])
    response = client.post(
        "/api/grids/posts/",
        {
            "building_group": group.code,
            "staff": staff.pk,
            "role": "bg_head",
            "start_date": "2024-01-01",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["micro_grid"] == tree["micro_grids"][1].code
    assert body["building_group"] == group.code and body["role_display"] == "楼组长"

    refused = client.post(
        "/api/grids/posts/",
        {
            "micro_grid": tree["micro_grids"][0].code,
            "staff": staff.pk,
            "role": "bg_head",
            "start_date": "2024-01-01",
        },
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["building_group"] == ["楼组长、村民小组长只能设在楼组（队组）"]
    assert GridPost.objects.filter(staff=staff).count() == 1

    listing = client.get("/api/grids/posts/", {"building_group": group.code})
    assert listing.status_code == 200
    assert [p["staff"] for p in listing.json()["results"]] == [staff.pk]


def test_the_admin_appoints_a_building_group_head(tree, users, client_for):
    group = tree["building_groups"][0]
    staff = StaffMemberFactory()
    client = client_for(users["admin"])
    response = client.post(
        "/admin/grids/gridpost/add/",
        {
            "building_group": group.pk,
            "staff": staff.pk,
            "role": "bg_head",
            "start_date": "2024-01-01",
        },
    )
    assert response.status_code == 302
    post = GridPost.objects.get(staff=staff)
    assert (post.micro_grid_id, post.building_group_id) == (group.parent_id, group.pk)
