import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from civicgrid.grids import services
from civicgrid.grids.choices import Duty, PostRole
from civicgrid.grids.models import Grid, GridPost, StaffMember
from civicgrid.testing.factories import StaffMemberFactory, make_tree, rect

pytestmark = pytest.mark.django_db

D = datetime.date


def test_appoint_the_1_plus_2_plus_n_of_a_micro_grid_and_summarise():
    tree = make_tree()
    micro, other = tree["micro_grids"][0], tree["micro_grids"][1]
    leader, full, part, pioneer = StaffMemberFactory.create_batch(4)
    services.appoint(leader, micro, PostRole.LEADER, D(2024, 1, 1))
    services.appoint(full, micro, PostRole.FULL_TIME, D(2024, 1, 1))
    services.appoint(part, micro, PostRole.PART_TIME, D(2024, 1, 1))
    services.appoint(pioneer, micro, PostRole.PIONEER, D(2024, 1, 1))
    services.appoint(part, micro, PostRole.PIONEER, D(2024, 1, 1))
    # One person may serve several micro-grids.
    services.appoint(full, other, PostRole.FULL_TIME, D(2024, 1, 1))
    ended = services.appoint(StaffMemberFactory(), micro, PostRole.PIONEER, D(2023, 1, 1))
    services.end_post(ended, D(2023, 12, 31))

    summary = services.staffing_summary(micro, on=D(2024, 6, 1))
    row = summary["micro_grids"][0]
    assert (row["leader"], row["full_time"], row["part_time"], row["pioneer"]) == (1, 1, 1, 2)
    assert row["label"] == "1+2+2" and row["complete"]

    community = services.staffing_summary(tree["communities"][0], on=D(2024, 6, 1))
    assert community["micro_grid_count"] == 2 and community["complete_count"] == 1
    assert community["totals"]["full_time"] == 2
    assert community["totals"]["label"] == "1+3+2"
    assert community["totals"]["people"] == 4  # leader, full, part, pioneer (full counted once)
    # Before anyone started, nothing is active.
    assert services.staffing_summary(micro, on=D(2022, 1, 1))["micro_grids"][0]["label"] == "0+0+0"


def test_at_most_one_active_leader_per_micro_grid():
    micro = make_tree()["micro_grids"][0]
    first, second = StaffMemberFactory.create_batch(2)
    post = services.appoint(first, micro, PostRole.LEADER, D(2024, 1, 1))
    with pytest.raises(ValidationError) as err:
        services.appoint(second, micro, PostRole.LEADER, D(2024, 6, 1))
    assert "只能有一名网格长" in str(err.value.message_dict["role"])
    # A leader whose term starts after the first one ended is fine.
    services.end_post(post, D(2024, 5, 31))
    services.appoint(second, micro, PostRole.LEADER, D(2024, 6, 1))
    # …but not one whose fixed term overlaps the first one's.
    with pytest.raises(ValidationError):
        services.appoint(StaffMemberFactory(), micro, PostRole.LEADER, D(2024, 3, 1), D(2024, 7, 1))
    assert GridPost.objects.filter(role=PostRole.LEADER).count() == 2


def test_posts_only_on_micro_grids_and_end_after_start():
    tree = make_tree()
    staff = StaffMemberFactory()
    with pytest.raises(ValidationError) as err:
        services.appoint(staff, tree["communities"][0], PostRole.FULL_TIME, D(2024, 1, 1))
    assert "只能设在微网格" in str(err.value)
    with pytest.raises(ValidationError) as err:
        services.appoint(
            staff, tree["micro_grids"][0], PostRole.FULL_TIME, D(2024, 1, 1), D(2023, 1, 1)
        )
    assert "不能早于" in str(err.value)
    post = services.appoint(staff, tree["micro_grids"][0], PostRole.FULL_TIME, D(2024, 1, 1))
    with pytest.raises(ValidationError):
        services.end_post(post, D(2023, 12, 31))
    with pytest.raises(ValidationError) as err:
        services.appoint(staff, tree["micro_grids"][0], PostRole.FULL_TIME, D(2024, 3, 1))
    assert "已担任此岗位" in str(err.value)
    services.end_post(post, D(2024, 2, 1))
    with pytest.raises(ValidationError) as err:
        services.end_post(post, D(2024, 3, 1))
    assert "已于" in str(err.value)
    post.refresh_from_db()
    assert post.end_date == D(2024, 2, 1)
    # The database refuses an inverted term even if someone bypasses the services.
    with pytest.raises(IntegrityError):
        GridPost.objects.filter(pk=post.pk).update(end_date=D(2000, 1, 1))


def test_update_post_revalidates():
    micro = make_tree()["micro_grids"][0]
    a, b = StaffMemberFactory.create_batch(2)
    services.appoint(a, micro, PostRole.LEADER, D(2024, 1, 1))
    post = services.appoint(b, micro, PostRole.FULL_TIME, D(2024, 1, 1))
    with pytest.raises(ValidationError):
        services.update_post(post, role=PostRole.LEADER)
    post.refresh_from_db()
    assert post.role == PostRole.FULL_TIME
    services.update_post(post, role=PostRole.PIONEER)
    assert GridPost.objects.get(pk=post.pk).role == PostRole.PIONEER


def test_duties_are_validated_and_normalised():
    staff = StaffMember(name="王芳", duties=[Duty.LAW, Duty.INFORMATION, Duty.LAW])
    services.save_staff_member(staff)
    assert StaffMember.objects.get(pk=staff.pk).duties == [Duty.INFORMATION, Duty.LAW]
    bad = StaffMember(name="李强", duties=["cook"])
    with pytest.raises(ValidationError) as err:
        services.save_staff_member(bad)
    assert "六员职责只能取" in str(err.value)
    assert not StaffMember.objects.filter(name="李强").exists()


def _micro(community, number, geometry, name):
    return Grid.objects.create(
        name=name, level="micro_grid", number=number, parent=community, geometry=geometry
    )


def test_renumber_micro_grids_west_east_north_south_with_building_groups():
    tree = make_tree(communities=1, micro_per_community=2, groups_per_micro=2)
    community = tree["communities"][0]
    x0, y0, s = 121.5, 31.1, 0.01
    # Replace the two stacked micro-grids with a 2×2 block numbered in a scrambled order.
    north, south = tree["micro_grids"]
    Grid.objects.filter(parent=north, number=2).delete()
    Grid.objects.filter(parent=south).delete()
    north_group = Grid.objects.get(parent=north)
    north.geometry = rect(x0 + s / 2, y0 + s / 2, x0 + s, y0 + s)  # NE
    north.save()
    south.geometry = rect(x0, y0 + s / 2, x0 + s / 2, y0 + s)  # NW
    south.save()
    _micro(community, 3, rect(x0 + s / 2, y0, x0 + s, y0 + s / 2), "SE")
    _micro(community, 4, rect(x0, y0, x0 + s / 2, y0 + s / 2), "SW")
    Grid.objects.filter(pk=north.pk).update(name="NE")
    Grid.objects.filter(pk=south.pk).update(name="NW")
    # Swap needed: NE holds number 1 which NW must get, and vice versa.
    ordered = services.renumber_micro_grids(community)
    assert [g.name for g in ordered] == ["NW", "NE", "SW", "SE"]
    got = dict(Grid.objects.filter(parent=community).values_list("name", "code"))
    assert got == {
        "NW": "310115125001001",
        "NE": "310115125001002",
        "SW": "310115125001003",
        "SE": "310115125001004",
    }
    north_group.refresh_from_db()
    assert north_group.code == "310115125001002001"
    assert (
        north_group.path
        == "/310115125/31011512501/310115125001/310115125001002/310115125001002001/"
    )
    # Numbering again changes nothing.
    services.renumber_micro_grids(community)
    assert dict(Grid.objects.filter(parent=community).values_list("name", "code")) == got


def test_renumber_keeps_posts_and_needs_a_community():
    tree = make_tree(communities=1, micro_per_community=3, groups_per_micro=1)
    community = tree["communities"][0]
    # make_tree stacks north→south already; reverse the numbers to force a full swap.
    micros = tree["micro_grids"]
    post = services.appoint(StaffMemberFactory(), micros[0], PostRole.LEADER, D(2024, 1, 1))
    Grid.objects.filter(pk=micros[0].pk).update(number=90, code="310115125001090")
    services.renumber_micro_grids(community)
    post.refresh_from_db()
    assert post.micro_grid.code == "310115125001001"
    with pytest.raises(ValidationError):
        services.renumber_micro_grids(micros[1])


def test_save_grid_propagates_code_changes_to_the_subtree():
    tree = make_tree()
    community = tree["communities"][1]
    community.number = 7
    services.save_grid(community)
    community.refresh_from_db()
    assert community.code == "310115125007"
    descendants = Grid.objects.filter(path__startswith=community.path).exclude(pk=community.pk)
    assert descendants.count() == 6
    assert all(g.code.startswith("310115125007") for g in descendants)
    assert all(g.path.startswith(community.path) for g in descendants)
    assert Grid.objects.count() == 1 + 1 + 2 + 4 + 8
    # Taking a number already used in the same street is refused.
    community.number = 1
    with pytest.raises(ValidationError):
        services.save_grid(community)


def test_save_grid_rejects_invalid_polygon():
    micro = make_tree()["micro_grids"][0]
    micro.geometry = {
        "type": "Polygon",
        "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]],
    }
    with pytest.raises(ValidationError) as err:
        services.save_grid(micro)
    assert "自相交" in str(err.value)


def test_the_1_plus_2_plus_n_figure_is_labelled(tree, users, client_for):
    """Where "1+2+N" shows (the staffing page, the grid list, the phone's home), it says what the
    figure stands for and the counts in words."""
    from civicgrid.grids.choices import PostRole
    from civicgrid.testing.factories import assign_post

    micro = tree["micro_grids"][0]
    assign_post(users["colleague"], tree["micro_grids"][2], role=PostRole.PIONEER)
    words = "网格长 1 名，专职网格员 1 名，兼职网格员 1 名，先锋骨干 0 名"
    admin = client_for(users["admin"])
    page = admin.get(f"/admin/grids/grid/staffing/{tree['communities'][0].code}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "1 名网格长 + 2 类网格员（专职、兼职）+ N 名先锋骨干" in text
    assert f'<abbr title="{words}">1+2+0</abbr>' in text
    listing = admin.get("/admin/grids/grid/", {"level__exact": "micro_grid"}).content.decode()
    assert f'<abbr title="{words}">1+2+0</abbr>' in listing

    phone = client_for(users["worker"]).get("/m/").content.decode()
    assert f"1+2+0:{words}" in phone
    assert micro.name in phone
