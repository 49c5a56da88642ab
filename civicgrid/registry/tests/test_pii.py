"""Personal data: masked everywhere, full values only on explicit request, each logged."""

import pytest

from civicgrid.accounts.choices import Role
from civicgrid.registry.models import PersonalDataAccess, Resident
from civicgrid.registry.pii import mask_id_number, mask_phone

FULL = [Role.ADMIN, Role.OPERATOR, Role.COMMUNITY_STAFF, Role.GRID_WORKER, Role.GRID_LEADER]


def in_scope(role, tree):
    micro = {
        Role.COMMUNITY_STAFF: tree["micro_grids"][2],
        Role.GRID_WORKER: tree["micro_grids"][0],
        Role.GRID_LEADER: tree["micro_grids"][1],
    }.get(role, tree["micro_grids"][3])
    return Resident.objects.filter(household__address__micro_grid=micro).first()


def test_api_list_and_detail_are_masked(populated, by_role, api):
    client = api(by_role[Role.ADMIN])
    response = client.get("/api/registry/residents/", {"limit": 100})
    content = response.content.decode()
    for r in Resident.objects.all():
        assert r.id_number not in content
        assert r.phone not in content
    first = response.json()["results"][0]
    resident = Resident.objects.get(pk=first["id"])
    assert first["id_number"] == mask_id_number(resident.id_number)
    assert first["id_number"].count("*") == 14 and first["phone"].count("*") == 4
    detail = client.get(f"/api/registry/residents/{resident.pk}/").json()
    assert detail["phone"] == mask_phone(resident.phone)


@pytest.mark.parametrize("role", FULL)
def test_api_reveal_is_logged(role, populated, by_role, api):
    resident = in_scope(role, populated)
    response = api(by_role[role]).post(f"/api/registry/residents/{resident.pk}/reveal/")
    assert response.status_code == 200
    assert response.json()["id_number"] == resident.id_number
    assert response.json()["phone"] == resident.phone
    log = PersonalDataAccess.objects.filter(resident=resident, user=by_role[role])
    assert sorted(log.values_list("field", flat=True)) == ["id_number", "phone"]
    assert set(log.values_list("channel", flat=True)) == {"api"}


def test_api_reveal_one_field(populated, by_role, api):
    resident = in_scope(Role.OPERATOR, populated)
    body = (
        api(by_role[Role.OPERATOR])
        .post(f"/api/registry/residents/{resident.pk}/reveal/", {"which": ["phone"]}, format="json")
        .json()
    )
    assert body["phone"] == resident.phone and "id_number" not in body
    assert list(PersonalDataAccess.objects.values_list("field", flat=True)) == ["phone"]


@pytest.mark.parametrize("role", [Role.LEADER, Role.DEPT_HANDLER, Role.RESIDENT])
def test_api_reveal_denied_by_role(role, populated, by_role, api):
    resident = Resident.objects.first()
    response = api(by_role[role]).post(f"/api/registry/residents/{resident.pk}/reveal/")
    assert response.status_code == 403
    assert "无权" in response.json()["detail"]
    assert resident.id_number not in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_api_reveal_outside_scope_is_not_possible(populated, by_role, api):
    outside = in_scope(Role.COMMUNITY_STAFF, populated)  # community 2; worker has micro-grid 1
    response = api(by_role[Role.GRID_WORKER]).post(f"/api/registry/residents/{outside.pk}/reveal/")
    assert response.status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_admin_change_form_never_renders_raw_values(populated, by_role, client):
    resident = Resident.objects.first()
    client.force_login(by_role[Role.ADMIN])
    html = client.get(f"/admin/registry/resident/{resident.pk}/change/").content.decode()
    assert resident.id_number not in html and resident.phone not in html
    assert mask_id_number(resident.id_number) in html
    assert "查看完整信息" in html
    html = client.get(f"/admin/registry/household/{resident.household_id}/change/").content.decode()
    assert resident.id_number not in html and resident.phone not in html
    html = client.get("/admin/registry/resident/").content.decode()
    assert resident.id_number not in html and mask_id_number(resident.id_number) in html


def test_admin_change_form_blank_keeps_and_new_value_replaces(populated, by_role, client):
    from civicgrid.testing.people import make_id

    resident = Resident.objects.first()
    old_id = resident.id_number
    client.force_login(by_role[Role.ADMIN])
    data = {
        "household": resident.household_id,
        "name": "改名",
        "gender": resident.gender,
        "birth_date": resident.birth_date.isoformat(),
        "id_type": "resident_id",
        "id_number": "",
        "phone": "13800001111",
        "relation_to_head": "",
        "is_registered": "on",
        "lives_here": "on",
    }
    response = client.post(f"/admin/registry/resident/{resident.pk}/change/", data)
    assert response.status_code == 302
    resident.refresh_from_db()
    assert (resident.name, resident.id_number, resident.phone) == ("改名", old_id, "13800001111")
    data["id_number"] = old_id[:-1] + ("1" if old_id[-1] != "1" else "2")
    response = client.post(f"/admin/registry/resident/{resident.pk}/change/", data)
    assert response.status_code == 200
    assert "校验码错误" in response.content.decode()
    data["id_number"] = make_id(resident.birth_date.strftime("%Y%m%d"), "999")
    data["gender"] = "M"
    assert client.post(f"/admin/registry/resident/{resident.pk}/change/", data).status_code == 302
    resident.refresh_from_db()
    assert resident.id_number == data["id_number"]


def test_admin_reveal_action_logs(populated, by_role, client):
    resident = in_scope(Role.COMMUNITY_STAFF, populated)
    client.force_login(by_role[Role.COMMUNITY_STAFF])
    url = f"/admin/registry/resident/{resident.pk}/reveal/"
    confirm = client.get(url).content.decode()
    assert resident.id_number not in confirm and not PersonalDataAccess.objects.exists()
    shown = client.post(url).content.decode()
    assert resident.id_number in shown and resident.phone in shown
    assert (
        PersonalDataAccess.objects.filter(
            user=by_role[Role.COMMUNITY_STAFF], resident=resident, channel="admin"
        ).count()
        == 2
    )


@pytest.mark.parametrize(
    "role", [Role.LEADER, Role.GRID_WORKER, Role.GRID_LEADER, Role.DEPT_HANDLER, Role.RESIDENT]
)
def test_admin_reveal_denied(role, populated, by_role, client):
    resident = Resident.objects.first()
    client.force_login(by_role[role])
    url = f"/admin/registry/resident/{resident.pk}/reveal/"
    assert client.get(url).status_code == 403
    response = client.post(url)
    assert response.status_code == 403
    assert resident.id_number not in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_admin_reveal_outside_scope(populated, by_role, client):
    outside = in_scope(Role.GRID_WORKER, populated)  # another community than the staff's
    client.force_login(by_role[Role.COMMUNITY_STAFF])
    assert client.post(f"/admin/registry/resident/{outside.pk}/reveal/").status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_admin_search_by_id_number_is_exact_and_logged(populated, by_role, client):
    resident = Resident.objects.last()
    client.force_login(by_role[Role.OPERATOR])
    cl = client.get("/admin/registry/resident/", {"q": resident.id_number}).context["cl"]
    assert [r.pk for r in cl.result_list] == [resident.pk]
    entry = PersonalDataAccess.objects.get()
    assert (entry.user, entry.resident, entry.field, entry.channel) == (
        by_role[Role.OPERATOR],
        resident,
        "id_number",
        "admin_search",
    )
    # A partial number finds nothing (no substring search on ID numbers).
    cl = client.get("/admin/registry/resident/", {"q": resident.id_number[:10]}).context["cl"]
    assert cl.result_count == 0


def test_admin_search_by_id_number_not_for_leaders(populated, by_role, client):
    # Leaders have no back office: the search is refused before it runs, nothing is logged.
    resident = Resident.objects.last()
    client.force_login(by_role[Role.LEADER])
    response = client.get("/admin/registry/resident/", {"q": resident.id_number})
    assert response.status_code == 403
    assert resident.name not in response.content.decode()
    assert not PersonalDataAccess.objects.exists()


def test_access_log_admin_is_read_only_and_scoped(populated, by_role, client, api):
    mine = in_scope(Role.COMMUNITY_STAFF, populated)
    other = in_scope(Role.GRID_WORKER, populated)
    api(by_role[Role.COMMUNITY_STAFF]).post(f"/api/registry/residents/{mine.pk}/reveal/")
    api(by_role[Role.GRID_WORKER]).post(f"/api/registry/residents/{other.pk}/reveal/")
    client.force_login(by_role[Role.ADMIN])
    assert client.get("/admin/registry/personaldataaccess/").context["cl"].result_count == 4
    entry = PersonalDataAccess.objects.first()
    assert client.get("/admin/registry/personaldataaccess/add/").status_code == 403
    assert client.get(f"/admin/registry/personaldataaccess/{entry.pk}/delete/").status_code == 403
    html = client.get(f"/admin/registry/personaldataaccess/{entry.pk}/change/").content.decode()
    assert 'name="_save"' not in html
    client.force_login(by_role[Role.COMMUNITY_STAFF])
    cl = client.get("/admin/registry/personaldataaccess/").context["cl"]
    assert {e.resident_id for e in cl.result_list} == {mine.pk}
    for role in (Role.LEADER, Role.GRID_WORKER):
        client.force_login(by_role[role])
        assert client.get("/admin/registry/personaldataaccess/").status_code == 403


def test_export_is_masked(populated, by_role, client):
    client.force_login(by_role[Role.OPERATOR])
    ids = list(Resident.objects.values_list("pk", flat=True)[:3])
    response = client.post(
        "/admin/registry/resident/",
        {"action": "export_masked_csv", "_selected_action": ids},
    )
    text = response.content.decode("utf-8-sig")
    assert text.count("\n") == 4
    for r in Resident.objects.filter(pk__in=ids):
        assert r.id_number not in text and mask_id_number(r.id_number) in text
        assert mask_phone(r.phone) in text


def test_leaders_have_no_registry_pages(populated, by_role, client):
    """Leaders look at the street in the dashboard; the admin's registry pages are refused."""
    resident = Resident.objects.first()
    client.force_login(by_role[Role.LEADER])
    for url in [
        f"/admin/registry/resident/{resident.pk}/change/",
        f"/admin/registry/household/{resident.household_id}/change/",
    ]:
        response = client.get(url)
        assert response.status_code == 403
        html = response.content.decode()
        assert resident.id_number not in html and resident.phone not in html


@pytest.mark.parametrize("role", [Role.ADMIN, Role.COMMUNITY_STAFF])
def test_admin_add_and_change_pages_render(role, populated, by_role, client):
    resident = in_scope(role, populated)
    client.force_login(by_role[role])
    for url in [
        "/admin/registry/resident/add/",
        "/admin/registry/household/add/",
        "/admin/registry/address/add/",
        f"/admin/registry/address/{resident.household.address_id}/change/",
        f"/admin/registry/household/{resident.household_id}/change/",
        "/admin/registry/",
        "/admin/",
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        assert resident.id_number not in response.content.decode()
    # Only the building groups of the staff's own community are offered for a new address.
    form = client.get("/admin/registry/address/add/").context["adminform"].form
    offered = set(form.fields["building_group"].queryset.values_list("parent", flat=True))
    expected = (
        {populated["micro_grids"][2].pk, populated["micro_grids"][3].pk}
        if role == Role.COMMUNITY_STAFF
        else None
    )
    assert expected is None or offered == expected


def test_household_inline_saves_through_services(populated, by_role, client):
    from civicgrid.testing.people import make_id

    resident = in_scope(Role.COMMUNITY_STAFF, populated)
    household = resident.household
    others = list(household.residents.order_by("pk"))
    client.force_login(by_role[Role.COMMUNITY_STAFF])
    data = {
        "address": household.address_id,
        "household_number": "7",
        "tenure": "public_rent",
        "use": "owner_occupied",
        "note": "",
        "residents-TOTAL_FORMS": str(len(others) + 1),
        "residents-INITIAL_FORMS": str(len(others)),
        "residents-MIN_NUM_FORMS": "0",
        "residents-MAX_NUM_FORMS": "1000",
    }
    for i, r in enumerate(others):
        data.update(
            {
                f"residents-{i}-id": r.pk,
                f"residents-{i}-household": household.pk,
                f"residents-{i}-name": r.name,
                f"residents-{i}-gender": r.gender,
                f"residents-{i}-birth_date": r.birth_date.isoformat(),
                f"residents-{i}-id_type": r.id_type,
                f"residents-{i}-id_number": "",
                f"residents-{i}-phone": "",
                f"residents-{i}-relation_to_head": "",
                f"residents-{i}-is_registered": "on",
                f"residents-{i}-lives_here": "on",
            }
        )
    n = len(others)
    new = {
        "name": "新成员",
        "gender": "",
        "birth_date": "",
        "id_type": "resident_id",
        "id_number": make_id("20100101", "124"),
        "phone": "",
        "relation_to_head": "子女",
        "lives_here": "on",
    }
    data.update({f"residents-{n}-{k}": v for k, v in new.items()})
    data[f"residents-{n}-household"] = household.pk
    response = client.post(f"/admin/registry/household/{household.pk}/change/", data)
    assert response.status_code == 302, response.context["inline_admin_formsets"][0].formset.errors
    household.refresh_from_db()
    assert household.tenure == "public_rent"
    added = household.residents.get(name="新成员")
    assert added.gender == "F" and added.birth_date.isoformat() == "2010-01-01"
    # Untouched ID numbers were kept, not blanked.
    for r in others:
        r_db = Resident.objects.get(pk=r.pk)
        assert r_db.id_number == r.id_number and r_db.phone == r.phone


def test_admin_add_with_a_number_registered_elsewhere_is_not_an_oracle(populated, by_role, client):
    staff = by_role[Role.COMMUNITY_STAFF]
    mine = in_scope(Role.COMMUNITY_STAFF, populated)
    target = Resident.objects.exclude(
        household__address__micro_grid__in=[
            populated["micro_grids"][2],
            populated["micro_grids"][3],
        ]
    ).first()
    client.force_login(staff)
    before = Resident.objects.count()
    response = client.post(
        "/admin/registry/resident/add/",
        {
            "household": mine.household_id,
            "name": "王五",
            "gender": target.gender,
            "id_type": target.id_type,
            "id_number": target.id_number,
            "phone": "",
            "relation_to_head": "",
            "lives_here": "on",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    errors = response.context["adminform"].form.errors["id_number"]
    assert "其他居村登记" in errors[0] and target.name not in errors[0]
    assert Resident.objects.count() == before
    assert PersonalDataAccess.objects.filter(
        user=staff, resident=target, channel="duplicate_check"
    ).exists()
