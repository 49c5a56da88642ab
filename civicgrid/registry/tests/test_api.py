"""Registry API writes: validation in Chinese, nothing half-saved, leaders read-only, no N+1."""

import pytest

from civicgrid.accounts.choices import Role
from civicgrid.registry.models import Address, Household, Resident
from civicgrid.testing.people import add_residents, make_id


@pytest.fixture
def household(tree):
    address = Address.objects.create(
        road="祁连山南路",
        lane="2891",
        number="12",
        room="301",
        building_group=tree["building_groups"][0],
    )
    return Household.objects.create(address=address)


def test_create_address_from_text_and_refuse_duplicate(tree, by_role, api):
    client = api(by_role[Role.GRID_WORKER])
    code = tree["building_groups"][0].code
    response = client.post(
        "/api/registry/addresses/",
        {"text": "祁连山南路２８９１弄十二號301", "building_group": code},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["normalized"] == "祁连山南路2891弄12号301室"
    assert response.json()["micro_grid"] == tree["micro_grids"][0].code
    again = client.post(
        "/api/registry/addresses/", {"text": "祁连山南路2891弄12号301室", "building_group": code}
    )
    assert again.status_code == 400 and "已存在" in str(again.json())
    bad = client.post("/api/registry/addresses/", {"text": "祁连山南路", "building_group": code})
    assert bad.status_code == 400 and "缺少门牌号" in str(bad.json())
    # A building group outside the worker's micro-grid cannot be chosen.
    other = tree["building_groups"][4].code
    outside = client.post("/api/registry/addresses/", {"text": "某路1号", "building_group": other})
    assert outside.status_code == 400
    assert Address.objects.count() == 1


def test_create_resident_validates_in_chinese(household, by_role, api):
    client = api(by_role[Role.GRID_WORKER])
    number = make_id("19900131", "003")
    bad = client.post(
        "/api/registry/residents/",
        {
            "household": household.pk,
            "name": "张三",
            "id_number": number[:-1] + ("0" if number[-1] != "0" else "1"),
            "phone": "12345",
        },
    )
    assert bad.status_code == 400
    errors = bad.json()
    assert "校验码" in errors["id_number"][0] and "手机号" in errors["phone"][0]
    mismatch = client.post(
        "/api/registry/residents/",
        {"household": household.pk, "name": "张三", "id_number": number, "gender": "F"},
    )
    assert mismatch.status_code == 400 and "性别与身份证号码不一致" in mismatch.json()["gender"][0]
    assert not Resident.objects.exists()
    ok = client.post(
        "/api/registry/residents/",
        {
            "household": household.pk,
            "name": "张三",
            "id_number": number,
            "phone": "139 1234 5678",
            "care_tags": ["elderly_alone"],
        },
        format="json",
    )
    assert ok.status_code == 201, ok.json()
    body = ok.json()
    assert body["gender"] == "M" and body["birth_year"] == 1990  # read from the ID
    assert body["id_number"] == number[:2] + "*" * 14 + number[-2:]
    assert body["phone"] == "139****5678" and body["care_tag_labels"] == ["独居老人"]
    resident = Resident.objects.get()
    assert resident.id_number == number and resident.phone == "13912345678"
    dup = client.post(
        "/api/registry/residents/", {"household": household.pk, "name": "李四", "id_number": number}
    )
    assert dup.status_code == 400
    assert "张三" in dup.json()["id_number"][0]  # in the user's own grids: who holds the number
    patch = client.patch(f"/api/registry/residents/{resident.pk}/", {"lives_here": False})
    assert patch.status_code == 200
    resident.refresh_from_db()
    assert resident.lives_here is False and resident.id_number == number


def test_passport_needs_no_checksum_but_a_gender(household, by_role, api):
    client = api(by_role[Role.OPERATOR])
    data = {
        "household": household.pk,
        "name": "Anna",
        "id_type": "passport",
        "id_number": "E1234567",
    }
    response = client.post("/api/registry/residents/", data)
    assert response.status_code == 400 and "性别" in response.json()["gender"][0]
    data["gender"] = "F"
    assert client.post("/api/registry/residents/", data).status_code == 201


def test_leader_is_read_only(household, by_role, api):
    client = api(by_role[Role.LEADER])
    assert client.get("/api/registry/households/").status_code == 200
    for method, url in [
        ("post", "/api/registry/residents/"),
        ("post", "/api/registry/addresses/"),
        ("patch", f"/api/registry/households/{household.pk}/"),
        ("delete", f"/api/registry/households/{household.pk}/"),
        ("post", "/api/registry/import/"),
    ]:
        response = getattr(client, method)(url, {})
        assert response.status_code == 403
        assert "只能查看" in response.json()["detail"]
    assert Household.objects.count() == 1


def test_household_in_scope_only(tree, by_role, api):
    outside_household, _people = add_residents(tree["building_groups"][4])
    client = api(by_role[Role.GRID_WORKER])
    response = client.post(
        "/api/registry/residents/",
        {"household": outside_household.pk, "name": "王五", "gender": "M"},
    )
    assert response.status_code == 400 and "household" in response.json()


def test_delete_protected_household_gives_400(tree, by_role, api):
    household, _people = add_residents(tree["building_groups"][0])
    response = api(by_role[Role.ADMIN]).delete(f"/api/registry/households/{household.pk}/")
    assert response.status_code == 400 and "不能删除" in str(response.json())


def test_filters(populated, by_role, api):
    client = api(by_role[Role.OPERATOR])
    resident = Resident.objects.first()
    resident.care_tags = ["disabled", "low_income"]
    resident.save()
    assert client.get("/api/registry/residents/", {"care_tag": "low_income"}).json()["count"] == 1
    assert client.get("/api/registry/residents/", {"care_tag": "veteran"}).json()["count"] == 0
    community = populated["communities"][0].code
    assert client.get("/api/registry/residents/", {"grid": community}).json()["count"] == 8
    bg = populated["building_groups"][0].code
    assert client.get("/api/registry/residents/", {"grid": bg}).json()["count"] == 2
    assert client.get("/api/registry/residents/", {"is_registered": "false"}).json()["count"] == 8
    assert client.get("/api/registry/households/", {"grid": community}).json()["count"] == 4


def test_resident_list_has_no_n_plus_one(tree, by_role, api, django_assert_max_num_queries):
    for bg in tree["building_groups"]:
        add_residents(bg, n=5)
    for role in [Role.OPERATOR, Role.GRID_WORKER, Role.COMMUNITY_STAFF]:
        client = api(by_role[role])
        with django_assert_max_num_queries(4):
            response = client.get("/api/registry/residents/", {"limit": 100})
        assert response.json()["count"] > 0
    client = api(by_role[Role.OPERATOR])
    with django_assert_max_num_queries(4):
        assert client.get("/api/registry/households/").status_code == 200
    with django_assert_max_num_queries(4):
        assert client.get("/api/registry/addresses/").status_code == 200


def test_admin_changelists_have_no_n_plus_one(tree, by_role, client, django_assert_max_num_queries):
    for bg in tree["building_groups"]:
        add_residents(bg, n=5)
    client.force_login(by_role[Role.COMMUNITY_STAFF])
    with django_assert_max_num_queries(15) as captured:
        assert client.get("/admin/registry/resident/").status_code == 200
    small = len(captured.captured_queries)
    for bg in tree["building_groups"]:
        add_residents(bg, n=5, start=10)
    with django_assert_max_num_queries(small):
        assert client.get("/admin/registry/resident/").status_code == 200
    for model in ["household", "address"]:
        with django_assert_max_num_queries(15):
            assert client.get(f"/admin/registry/{model}/").status_code == 200


def test_household_create_and_update(tree, by_role, api):
    address = Address.objects.create(
        road="普育东路", number="3", building_group=tree["building_groups"][2]
    )
    client = api(by_role[Role.GRID_LEADER])  # micro-grid 2 holds building groups 2 and 3
    response = client.post(
        "/api/registry/households/",
        {"address": address.pk, "household_number": "A1", "tenure": "public_rent", "use": "rented"},
    )
    assert response.status_code == 201, response.json()
    assert response.json()["tenure_display"] == "公房"
    assert response.json()["use_display"] == "出租"
    bad = client.patch(f"/api/registry/households/{response.json()['id']}/", {"use": "castle"})
    assert bad.status_code == 400
    assert Household.objects.get(pk=response.json()["id"]).use == "rented"
    # The two fields filter the list.
    assert client.get("/api/registry/households/?use=rented").json()["count"] == 1
    assert client.get("/api/registry/households/?use=vacant").json()["count"] == 0
    listed = client.get("/api/registry/households/").json()["results"][0]
    assert listed["resident_count"] == 0 and listed["address_text"] == "普育东路3号"


def test_out_of_scope_documents_and_addresses_are_not_an_oracle(populated, by_role, api):
    """A resident's ID number or an address registered outside the worker's grids: refused
    without naming whose number or which building group, and the document check is logged."""
    from civicgrid.registry.models import PersonalDataAccess

    worker = by_role[Role.GRID_WORKER]
    client = api(worker)
    elsewhere = Resident.objects.exclude(household__address__micro_grid=populated["micro_grids"][0])
    target = elsewhere.first()
    own_household = Household.objects.filter(
        address__micro_grid=populated["micro_grids"][0]
    ).first()
    before = Resident.objects.count()
    response = client.post(
        "/api/registry/residents/",
        {"household": own_household.pk, "name": "王五", "id_number": target.id_number},
        format="json",
    )
    assert response.status_code == 400
    message = response.json()["id_number"][0]
    assert "其他居村登记" in message and "留痕" in message
    assert target.name not in message and target.household.address.normalized not in message
    assert "唯一" not in message and "已存在" not in message
    assert Resident.objects.count() == before
    log = PersonalDataAccess.objects.get(user=worker)
    assert log.resident == target and log.channel == "duplicate_check"

    address = target.household.address
    outside = client.post(
        "/api/registry/addresses/",
        {"text": address.normalized, "building_group": populated["building_groups"][0].code},
    )
    assert outside.status_code == 400
    text = str(outside.json())
    assert address.building_group.code not in text and "其他网格登记" in text
