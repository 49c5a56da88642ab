"""Kinds of 片区 and 居村, and the labels that follow them (楼组/队组, 居委/村委 staff)."""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError

from civicgrid.accounts.choices import Role
from civicgrid.grids import services
from civicgrid.grids.choices import AreaKind, CommunityKind, Duty, GridLevel
from civicgrid.grids.models import Grid
from civicgrid.testing.factories import UserFactory, make_tree

pytestmark = pytest.mark.django_db


def test_new_grids_take_the_default_kinds():
    tree = make_tree(communities=1, micro_per_community=1, groups_per_micro=1)
    area, community = tree["area"], tree["communities"][0]
    micro, group = tree["micro_grids"][0], tree["building_groups"][0]
    assert area.area_kind == AreaKind.TOWN_COMMUNITY
    assert area.level_label == "镇管社区"
    assert community.community_kind == CommunityKind.RESIDENTS
    assert community.level_label == "居委会"
    assert micro.level_label == "微网格"
    assert group.level_label == "楼组"
    assert group.staff_label == "居委工作人员"
    assert tree["street"].area_kind == "" and tree["street"].community_kind == ""
    assert tree["street"].level_label == "街镇" and tree["street"].staff_label == ""


def test_a_village_calls_its_building_groups_team_groups_and_its_staff_village_staff():
    tree = make_tree(communities=2, micro_per_community=1, groups_per_micro=2)
    village = tree["communities"][0]
    village.community_kind = CommunityKind.VILLAGE
    services.save_grid(village)

    groups = Grid.objects.filter(level=GridLevel.BUILDING_GROUP, path__startswith=village.path)
    assert {g.level_label for g in groups} == {"队组"}
    assert {g.staff_label for g in groups} == {"村委工作人员"}
    assert Grid.objects.get(pk=village.pk).level_label == "村委会"
    # The other 居村 is untouched.
    other = Grid.objects.filter(
        level=GridLevel.BUILDING_GROUP, path__startswith=tree["communities"][1].path
    )
    assert {g.level_label for g in other} == {"楼组"}
    # A building group added later to the village is a 队组 too.
    micro = Grid.objects.get(level=GridLevel.MICRO_GRID, parent=village)
    new = Grid.objects.create(name="三队", level=GridLevel.BUILDING_GROUP, number=9, parent=micro)
    assert new.level_label == "队组"


def test_a_police_area_keeps_its_kind_and_only_an_area_has_one():
    tree = make_tree(communities=1, micro_per_community=1, groups_per_micro=1)
    area = tree["area"]
    area.area_kind = AreaKind.POLICE
    services.save_grid(area)
    assert Grid.objects.get(pk=area.pk).level_label == "派出所片区"

    micro = tree["micro_grids"][0]
    micro.area_kind = AreaKind.POLICE
    with pytest.raises(ValidationError) as err:
        services.save_grid(micro)
    assert err.value.message_dict["area_kind"] == ["只有片区填写片区类型"]
    assert Grid.objects.get(pk=micro.pk).area_kind == ""


def test_the_api_shows_the_label_of_each_grid(api):
    tree = make_tree(communities=1, micro_per_community=1, groups_per_micro=1)
    village = tree["communities"][0]
    village.community_kind = CommunityKind.VILLAGE
    services.save_grid(village)
    admin = UserFactory(role=Role.ADMIN)

    response = api(admin).get(f"/api/grids/{tree['building_groups'][0].code}/")
    assert response.status_code == 200
    body = response.json()
    assert body["level"] == "building_group"
    assert body["level_label"] == "队组"
    assert body["community_kind"] == "village"
    assert body["staff_label"] == "村委工作人员"

    listing = api(admin).get("/api/grids/", {"level": "area"})
    assert listing.status_code == 200
    rows = listing.json()["results"]
    assert [(r["level_label"], r["area_kind"]) for r in rows] == [("镇管社区", "town_community")]


def test_the_admin_list_shows_the_label(client_for):
    tree = make_tree(communities=1, micro_per_community=1, groups_per_micro=1)
    village = tree["communities"][0]
    village.community_kind = CommunityKind.VILLAGE
    services.save_grid(village)
    client = client_for(UserFactory(role=Role.ADMIN, is_staff=True))
    response = client.get("/admin/grids/grid/", {"community_kind__exact": "village"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "村委会" in text and "队组" in text


def test_the_migration_fills_the_kinds_of_a_street_loaded_before_them():
    tree = make_tree(communities=1, micro_per_community=1, groups_per_micro=1)
    Grid.objects.update(area_kind="", community_kind="")
    migration = importlib.import_module("civicgrid.grids.migrations.0003_grid_kinds")
    migration.fill_kinds(django_apps, None)
    kinds = dict(Grid.objects.values_list("level", "area_kind"))
    assert kinds["area"] == "town_community" and kinds["street"] == ""
    community_kinds = set(
        Grid.objects.exclude(level__in=["street", "area"]).values_list("community_kind", flat=True)
    )
    assert community_kinds == {"residents"}
    assert Grid.objects.get(pk=tree["building_groups"][0].pk).level_label == "楼组"


def test_the_civility_duty_is_called_by_its_seed_name():
    assert Duty.CIVILITY.label == "文明新风倡导员"
