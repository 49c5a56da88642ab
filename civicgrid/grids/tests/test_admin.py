import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from civicgrid.accounts.choices import Role
from civicgrid.grids.choices import Duty, PostRole
from civicgrid.grids.models import Grid, GridPost, StaffMember
from civicgrid.testing.factories import StaffMemberFactory, UserFactory, assign_post, make_tree
from civicgrid.testing.geojson import sample_collection

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = UserFactory(role=Role.ADMIN, is_staff=True)
    client.force_login(user)
    return client


def login(client, role, **kwargs):
    user = UserFactory(role=role, is_staff=True, **kwargs)
    client.force_login(user)
    return user


def test_changelist_shows_the_tree_without_n_plus_one(admin_client, django_assert_max_num_queries):
    tree = make_tree(communities=3, micro_per_community=4, groups_per_micro=2)
    for micro in tree["micro_grids"]:
        GridPost.objects.create(
            staff=StaffMemberFactory(),
            micro_grid=micro,
            role=PostRole.LEADER,
            start_date="2024-01-01",
        )
    url = reverse("admin:grids_grid_changelist")
    with django_assert_max_num_queries(12):
        response = admin_client.get(url)
    assert response.status_code == 200
    content = response.content.decode()
    assert tree["micro_grids"][5].code in content
    assert "1+0+0" in content  # the micro-grids' "1+2+N"
    assert "导入 GeoJSON" in content
    filtered = admin_client.get(url, {"level__exact": "community"})
    assert filtered.context["cl"].result_count == 3
    searched = admin_client.get(url, {"q": "310115125002"})
    assert searched.context["cl"].result_count == 1 + 4 + 8


def test_changelist_is_scoped_for_community_staff(client):
    tree = make_tree()
    login(client, Role.COMMUNITY_STAFF, community=tree["communities"][0])
    response = client.get(reverse("admin:grids_grid_changelist"))
    assert response.status_code == 200
    codes = {g.code for g in response.context["cl"].result_list}
    assert tree["micro_grids"][0].code in codes and tree["micro_grids"][2].code not in codes
    # Community staff look at the tree; they do not change it.
    assert (
        client.get(reverse("admin:grids_grid_change", args=[tree["micro_grids"][0].pk])).context[
            "has_change_permission"
        ]
        is False
    )
    assert client.get(reverse("admin:grids_grid_import")).status_code == 403


def test_invalid_polygon_is_a_form_error_and_nothing_changes(admin_client):
    tree = make_tree()
    micro = tree["micro_grids"][0]
    url = reverse("admin:grids_grid_change", args=[micro.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and "grid-geometry" in page.content.decode()  # the small map
    form = {
        "name": "改名",
        "level": "micro_grid",
        "parent": micro.parent_id,
        "number": 1,
        "county_code": "",
        "household_count": 10,
        "party_organisation": "",
        "geometry": json.dumps(
            {
                "type": "Polygon",
                "coordinates": [
                    [[121.5, 31.1], [121.51, 31.11], [121.51, 31.1], [121.5, 31.11], [121.5, 31.1]]
                ],
            }
        ),
        "_save": "保存",
    }
    response = admin_client.post(url, form)
    assert response.status_code == 200
    assert "自相交" in str(response.context["adminform"].form.errors["geometry"])
    micro.refresh_from_db()
    assert micro.name != "改名"
    response = admin_client.post(url, {**form, "geometry": "{broken"})
    assert "GeoJSON 格式错误" in str(response.context["adminform"].form.errors["geometry"])
    # A number used by the sibling is refused on the field.
    response = admin_client.post(url, {**form, "geometry": json.dumps(micro.geometry), "number": 2})
    errors = str(response.context["adminform"].form.errors)
    assert "已经存在" in errors or "序号已被使用" in errors
    # A valid edit renumbers the micro-grid and its building groups.
    response = admin_client.post(url, {**form, "geometry": json.dumps(micro.geometry), "number": 7})
    assert response.status_code == 302
    micro.refresh_from_db()
    assert micro.code == "310115125001007" and micro.name == "改名"
    assert set(Grid.objects.filter(parent=micro).values_list("code", flat=True)) == {
        "310115125001007001",
        "310115125001007002",
    }


def test_wrong_level_order_is_a_form_error(admin_client):
    tree = make_tree()
    response = admin_client.post(
        reverse("admin:grids_grid_add"),
        {
            "name": "越级",
            "level": "micro_grid",
            "parent": tree["street"].pk,
            "number": 9,
            "household_count": 0,
        },
    )
    assert response.status_code == 200
    assert "上级必须是居村" in str(response.context["adminform"].form.errors)
    assert not Grid.objects.filter(name="越级").exists()


def test_export_action_downloads_the_selected_subtree(admin_client):
    tree = make_tree()
    response = admin_client.post(
        reverse("admin:grids_grid_changelist"),
        {
            "action": "export_geojson",
            "_selected_action": [tree["communities"][1].pk, tree["micro_grids"][2].pk],
        },
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('.geojson"')
    data = json.loads(response.content)
    assert len(data["features"]) == 1 + 2 + 4  # the micro-grid is inside the community: once


def test_import_page_lists_every_problem_and_saves_nothing(admin_client):
    url = reverse("admin:grids_grid_import")
    assert admin_client.get(url).status_code == 200
    data = sample_collection()
    data["features"][3]["geometry"] = None
    data["features"][6]["properties"]["parent_code"] = "310115125009009"
    upload = SimpleUploadedFile(
        "t.geojson", json.dumps(data).encode(), content_type="application/json"
    )
    response = admin_client.post(url, {"file": upload, "tolerance_m": 1, "tolerance_ratio": 0.005})
    assert response.status_code == 400
    content = response.content.decode()
    assert "存在错误，未保存任何数据" in content
    assert content.count('<tr class="error">') == 2
    assert "缺少几何" in content and "310115125009009" in content
    assert Grid.objects.count() == 0

    good = SimpleUploadedFile("t.geojson", json.dumps(sample_collection()).encode())
    response = admin_client.post(url, {"file": good, "tolerance_m": 1, "tolerance_ratio": 0.005})
    assert response.status_code == 200 and "已导入" in response.content.decode()
    assert Grid.objects.count() == 12


def test_staffing_summary_page(admin_client):
    tree = make_tree()
    assign_post(UserFactory(), tree["micro_grids"][0], role=PostRole.LEADER)
    response = admin_client.get(
        reverse("admin:grids_grid_staffing", args=[tree["communities"][0].code])
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert tree["micro_grids"][0].code in content and "1+0+0" in content


def test_staff_member_duties_checkboxes_and_inline_posts(admin_client):
    tree = make_tree()
    micro = tree["micro_grids"][0]
    url = reverse("admin:grids_staffmember_add")
    page = admin_client.get(url)
    assert 'type="checkbox" name="duties" value="mediation"' in page.content.decode()
    base = {
        "name": "陈静",
        "phone": "13900000001",
        "duties": [Duty.MEDIATION, Duty.INFORMATION],
        "posts-TOTAL_FORMS": "1",
        "posts-INITIAL_FORMS": "0",
        "posts-MIN_NUM_FORMS": "0",
        "posts-MAX_NUM_FORMS": "1000",
        "posts-0-micro_grid": micro.pk,
        "posts-0-role": PostRole.LEADER,
        "posts-0-start_date": "2024-01-01",
        "posts-0-end_date": "",
    }
    response = admin_client.post(url, base)
    assert response.status_code == 302, (
        response.context["adminform"].form.errors if response.context else ""
    )
    staff = StaffMember.objects.get(name="陈静")
    assert staff.duties == [Duty.INFORMATION, Duty.MEDIATION]
    assert staff.posts.get().role == PostRole.LEADER

    # A second leader for the same micro-grid is an inline error; the person is not created.
    response = admin_client.post(url, {**base, "name": "第二人"})
    assert response.status_code == 200
    assert "只能有一名网格长" in str(response.context["inline_admin_formsets"][0].formset.errors)
    assert not StaffMember.objects.filter(name="第二人").exists()
    # An end before the start is refused too.
    response = admin_client.post(
        url,
        {
            **base,
            "name": "第三人",
            "posts-0-role": PostRole.FULL_TIME,
            "posts-0-end_date": "2023-01-01",
        },
    )
    assert response.status_code == 200
    assert not StaffMember.objects.filter(name="第三人").exists()


def test_staff_and_post_changelists_without_n_plus_one(admin_client, django_assert_max_num_queries):
    tree = make_tree(communities=3, micro_per_community=3)
    for micro in tree["micro_grids"]:
        for role in (PostRole.LEADER, PostRole.FULL_TIME):
            GridPost.objects.create(
                staff=StaffMemberFactory(), micro_grid=micro, role=role, start_date="2024-01-01"
            )
    with django_assert_max_num_queries(10):
        assert admin_client.get(reverse("admin:grids_staffmember_changelist")).status_code == 200
    with django_assert_max_num_queries(12):
        response = admin_client.get(reverse("admin:grids_gridpost_changelist"))
    assert response.status_code == 200 and response.context["cl"].result_count == 18


def test_grid_post_admin_validates_through_services(admin_client):
    tree = make_tree()
    leader = StaffMemberFactory()
    GridPost.objects.create(
        staff=leader,
        micro_grid=tree["micro_grids"][0],
        role=PostRole.LEADER,
        start_date="2024-01-01",
    )
    response = admin_client.post(
        reverse("admin:grids_gridpost_add"),
        {
            "micro_grid": tree["communities"][0].pk,
            "staff": StaffMemberFactory().pk,
            "role": "full_time",
            "start_date": "2024-01-01",
        },
    )
    assert response.status_code == 200
    assert GridPost.objects.count() == 1
    response = admin_client.post(
        reverse("admin:grids_gridpost_add"),
        {
            "micro_grid": tree["micro_grids"][0].pk,
            "staff": StaffMemberFactory().pk,
            "role": "full_time",
            "start_date": "2024-01-01",
        },
    )
    assert response.status_code == 302
    assert GridPost.objects.count() == 2


def test_staff_phones_are_masked_in_the_back_office(client):
    tree = make_tree()
    staff = StaffMemberFactory(phone="13912345678")
    GridPost.objects.create(
        staff=staff,
        micro_grid=tree["micro_grids"][0],
        role=PostRole.LEADER,
        start_date="2024-01-01",
    )
    # 居委 staff look (view-only): the phone is masked on the page and in the list.
    login(client, Role.COMMUNITY_STAFF, community=tree["communities"][0])
    content = client.get(
        reverse("admin:grids_staffmember_change", args=[staff.pk])
    ).content.decode()
    assert "139****5678" in content and "13912345678" not in content
    listing = client.get(reverse("admin:grids_staffmember_changelist")).content.decode()
    assert "139****5678" in listing and "13912345678" not in listing
    # Leaders have no back office at all.
    login(client, Role.LEADER)
    assert client.get(reverse("admin:grids_staffmember_changelist")).status_code == 403


def test_staff_phone_is_never_put_into_the_form(admin_client):
    staff = StaffMemberFactory(name="陈静", phone="13912345678")
    url = reverse("admin:grids_staffmember_change", args=[staff.pk])
    content = admin_client.get(url).content.decode()
    assert "13912345678" not in content and "139****5678" in content
    form = {
        "name": "陈静",
        "phone": "",
        "is_party_member": "on",
        "posts-TOTAL_FORMS": "0",
        "posts-INITIAL_FORMS": "0",
        "posts-MIN_NUM_FORMS": "0",
        "posts-MAX_NUM_FORMS": "1000",
    }
    assert admin_client.post(url, form).status_code == 302
    staff.refresh_from_db()
    assert staff.phone == "13912345678" and staff.is_party_member  # blank kept the number
    assert admin_client.post(url, {**form, "phone": "13800001111"}).status_code == 302
    staff.refresh_from_db()
    assert staff.phone == "13800001111"


def test_a_grid_still_referenced_is_not_deleted_and_the_page_says_why(admin_client):
    """The service refuses (a post still names the 楼组; Django itself would delete the post
    with it): the admin answers with its message on the grid's page, not a server error, and a
    bulk delete keeps every row it was given."""
    tree = make_tree()
    held, free = tree["building_groups"][0], tree["building_groups"][1]
    GridPost.objects.create(
        staff=StaffMemberFactory(),
        micro_grid=held.parent,
        building_group=held,
        role=PostRole.FULL_TIME,
        start_date="2024-01-01",
    )
    url = reverse("admin:grids_grid_delete", args=[held.pk])
    response = admin_client.post(url, {"post": "yes"}, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[0][0] == reverse("admin:grids_grid_change", args=[held.pk])
    assert "仍被" in response.content.decode()
    assert Grid.objects.filter(pk=held.pk).exists()

    changelist = reverse("admin:grids_grid_changelist")
    response = admin_client.post(
        changelist,
        {"action": "delete_selected", "_selected_action": [free.pk, held.pk], "post": "yes"},
        follow=True,
    )
    assert response.status_code == 200
    assert "仍被" in response.content.decode()
    assert Grid.objects.filter(pk__in=[held.pk, free.pk]).count() == 2
