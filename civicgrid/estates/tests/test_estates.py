import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from civicgrid.estates import services
from civicgrid.estates.choices import EstateClass, EstateKind
from civicgrid.estates.models import Estate, EstateAddressRange, OwnersCommittee, PropertyCompany
from civicgrid.registry.models import Address
from civicgrid.registry.services import find_or_create_address

pytestmark = pytest.mark.django_db


def rows(answer):
    assert answer.status_code == 200
    return answer.json()["results"]


@pytest.fixture
def puyuli(tree):
    """普育里 (seed 001): an old estate of 1867, a listed heritage site, in community 0."""
    company = services.do_save_property_company(
        PropertyCompany(name="康桥物业", contact_name="赵经理", contact_phone="139 1234 5678")
    )
    estate = services.do_save_estate(
        Estate(
            name="普育里",
            community=tree["communities"][0],
            estate_class=EstateClass.OLD,
            year_built=1867,
            is_heritage=True,
            heritage_note="不可移动文物",
            property_company=company,
        ),
        micro_grids=tree["micro_grids"][:2],
    )
    services.do_set_address_ranges(estate, [{"road": "普育东路", "lane_from": 1, "lane_to": 20}])
    return estate


def test_estate_keeps_its_figures_and_micro_grids(puyuli, tree):
    puyuli.refresh_from_db()
    assert puyuli.year_built == 1867
    assert puyuli.is_heritage and puyuli.heritage_note == "不可移动文物"
    assert set(puyuli.micro_grids.all()) == set(tree["micro_grids"][:2])
    assert puyuli.property_company.contact_phone == "13912345678"


def test_micro_grid_of_another_community_is_refused(puyuli, tree):
    with pytest.raises(ValidationError) as exc:
        services.do_save_estate(puyuli, micro_grids=[tree["micro_grids"][2]])
    assert "不属于该居村" in str(exc.value)
    assert set(puyuli.micro_grids.all()) == set(tree["micro_grids"][:2])


def test_same_name_twice_in_one_community_is_refused(puyuli, tree):
    with pytest.raises(ValidationError) as exc:
        services.do_save_estate(Estate(name="普育里", community=tree["communities"][0]))
    assert "已有名为“普育里”的小区" in str(exc.value)
    # Another 居村 may have its own 普育里.
    services.do_save_estate(Estate(name="普育里", community=tree["communities"][1]))
    assert Estate.objects.filter(name="普育里").count() == 2


def test_heritage_note_needs_the_flag(tree):
    with pytest.raises(ValidationError) as exc:
        services.do_save_estate(
            Estate(name="新村", community=tree["communities"][0], heritage_note="不可移动文物")
        )
    assert "heritage_note" in exc.value.message_dict
    assert not Estate.objects.exists()


def test_a_village_hamlet_plays_the_estate(tree):
    hamlet = services.do_save_estate(
        Estate(
            name="沈家宅",
            kind=EstateKind.HAMLET,
            estate_class=EstateClass.PEASANT,
            community=tree["communities"][1],
        )
    )
    assert hamlet.get_kind_display() == "自然村"


def test_new_address_in_a_range_belongs_to_the_estate(puyuli, tree):
    bg = tree["building_groups"][0]
    inside, _ = find_or_create_address("普育东路12弄3号101室", bg)
    outside, _ = find_or_create_address("普育东路21弄3号101室", bg)
    other_road, _ = find_or_create_address("普育西路12弄3号101室", bg)
    assert inside.estate == puyuli
    assert outside.estate is None and other_road.estate is None


def test_range_of_another_community_does_not_match(puyuli, tree):
    # Building group 4 lies in community 1: the same road and lane is not 普育里's.
    address, _ = find_or_create_address("普育东路12弄3号101室", tree["building_groups"][4])
    assert address.estate is None


def test_ranges_assign_existing_addresses(tree):
    bg = tree["building_groups"][0]
    old = [find_or_create_address(f"东明路{lane}弄1号", bg)[0] for lane in (5, 9, 15)]
    estate = services.do_save_estate(Estate(name="东明小区", community=tree["communities"][0]))
    services.do_set_address_ranges(
        estate, [{"road": "东明路", "lane_from": 1, "lane_to": 10}], assign=False
    )
    assert not Address.objects.filter(estate=estate).exists()
    call_command("assign_estates", stdout=open("/dev/null", "w"))
    assert set(Address.objects.filter(estate=estate)) == set(old[:2])


def test_overlapping_ranges_are_refused_and_nothing_changes(puyuli, tree):
    other = services.do_save_estate(Estate(name="育才苑", community=tree["communities"][0]))
    with pytest.raises(ValidationError) as exc:
        services.do_set_address_ranges(
            other, [{"road": "普育东路", "lane_from": 18, "lane_to": 30}]
        )
    assert "与小区“普育里”的地址范围重叠" in str(exc.value)
    assert not other.address_ranges.exists()


def test_reversed_range_is_refused(puyuli):
    with pytest.raises(ValidationError) as exc:
        services.do_set_address_ranges(puyuli, [{"road": "普育东路", "lane_from": 9, "lane_to": 3}])
    assert "截止弄号不能小于起始弄号" in str(exc.value)
    assert EstateAddressRange.objects.get(estate=puyuli).lane_to == 20


def test_committee_terms_do_not_overlap(puyuli):
    committee = services.do_elect_committee(
        puyuli,
        term_start=datetime.date(2024, 1, 1),
        term_end=datetime.date(2028, 12, 31),
        members=[
            {"name": "李建华", "role": "chair", "is_party_member": True},
            {"name": "王芳", "is_party_member": False},
        ],
        party_liaison="陈书记",
        is_red=True,
    )
    assert [m.name for m in committee.members.all()] == ["李建华", "王芳"]
    assert services.current_committee(puyuli, datetime.date(2026, 6, 1)) == committee
    with pytest.raises(ValidationError) as exc:
        services.do_elect_committee(
            puyuli, term_start=datetime.date(2028, 1, 1), term_end=datetime.date(2032, 12, 31)
        )
    assert "已有业委会任期" in str(exc.value)
    assert OwnersCommittee.objects.count() == 1


def test_staff_cannot_change_an_estate_of_another_community(puyuli, users):
    with pytest.raises(PermissionDenied):
        services.do_save_estate(puyuli, user=users["staff2"])
    with pytest.raises(PermissionDenied):
        services.do_save_estate(puyuli, user=users["leader"])


# --- API ----------------------------------------------------------------------------------------


def test_api_lists_estates_of_the_users_communities_only(puyuli, users, api, tree):
    services.do_save_estate(Estate(name="二村小区", community=tree["communities"][1]))

    def names(user):
        return [r["name"] for r in rows(api(user).get("/api/estates/estates/"))]

    assert names(users["operator"]) == ["普育里", "二村小区"]
    assert names(users["staff"]) == ["普育里"]
    assert names(users["worker2"]) == ["二村小区"]
    assert api(users["handler"]).get("/api/estates/estates/").status_code == 403
    assert api(users["staff2"]).get(f"/api/estates/estates/{puyuli.pk}/").status_code == 404


def test_api_shows_the_company_phone_masked(puyuli, users, api):
    body = api(users["operator"]).get(f"/api/estates/estates/{puyuli.pk}/").json()
    assert body["property_company_name"] == "康桥物业"
    assert body["property_company_phone"] == "139****5678"
    assert body["address_ranges"] == [{"road": "普育东路", "lane_from": 1, "lane_to": 20}]
    companies = rows(api(users["operator"]).get("/api/estates/property-companies/"))
    assert companies[0]["contact_phone"] == "139****5678"


def test_api_creates_an_estate_with_ranges(users, api, tree):
    answer = api(users["staff"]).post(
        "/api/estates/estates/",
        {
            "name": "明园",
            "community": tree["communities"][0].code,
            "micro_grids": [tree["micro_grids"][0].code],
            "estate_class": "commercial",
            "address_ranges": [{"road": "明园路", "lane_from": 1, "lane_to": 5}],
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    estate = Estate.objects.get(name="明园")
    assert estate.address_ranges.get().road == "明园路"


def test_api_refuses_a_bad_range_and_writes_nothing(users, api, tree):
    answer = api(users["staff"]).post(
        "/api/estates/estates/",
        {
            "name": "明园",
            "community": tree["communities"][0].code,
            "address_ranges": [{"road": "明园路", "lane_from": 9, "lane_to": 5}],
        },
        format="json",
    )
    assert answer.status_code == 400
    assert "截止弄号不能小于起始弄号" in str(answer.json())
    assert not Estate.objects.exists()


def test_api_refuses_a_community_outside_scope(users, api, tree):
    answer = api(users["staff2"]).post(
        "/api/estates/estates/",
        {"name": "明园", "community": tree["communities"][0].code},
        format="json",
    )
    assert answer.status_code == 400
    assert not Estate.objects.exists()


def test_leader_reads_but_may_not_write(users, api, tree):
    answer = api(users["leader"]).post(
        "/api/estates/estates/",
        {"name": "明园", "community": tree["communities"][0].code},
        format="json",
    )
    assert answer.status_code == 403
    assert answer.json()["detail"] == "您的角色只能查看，不能修改人口房屋数据"


def test_api_elects_a_committee(puyuli, users, api):
    url = f"/api/estates/estates/{puyuli.pk}/committees/"
    answer = api(users["staff"]).post(
        url,
        {
            "term_start": "2024-01-01",
            "term_end": "2028-12-31",
            "party_liaison": "陈书记",
            "is_red": True,
            "members": [{"name": "李建华", "role": "chair", "is_party_member": True}],
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    listed = api(users["staff"]).get(url).json()
    assert listed[0]["is_red"] is True
    assert listed[0]["members"] == [{"name": "李建华", "role": "chair", "is_party_member": True}]
    bad = api(users["staff"]).post(
        url, {"term_start": "2029-01-01", "term_end": "2028-01-01"}, format="json"
    )
    assert bad.status_code == 400
    assert "任期结束日期必须晚于开始日期" in str(bad.json())
    assert OwnersCommittee.objects.count() == 1


def test_api_filters_estates(puyuli, users, api, tree):
    services.do_save_estate(
        Estate(name="沈家宅", kind=EstateKind.HAMLET, community=tree["communities"][1])
    )
    client = api(users["operator"])
    assert [r["name"] for r in rows(client.get("/api/estates/estates/?kind=hamlet"))] == ["沈家宅"]
    assert [r["name"] for r in rows(client.get("/api/estates/estates/?is_heritage=true"))] == [
        "普育里"
    ]
    code = tree["communities"][1].code
    assert [r["name"] for r in rows(client.get(f"/api/estates/estates/?community={code}"))] == [
        "沈家宅"
    ]


# --- admin --------------------------------------------------------------------------------------


def test_admin_lists_estates_in_scope(puyuli, users, client_for, tree):
    services.do_save_estate(Estate(name="二村小区", community=tree["communities"][1]))
    page = client_for(users["staff2"]).get("/admin/estates/estate/")
    assert page.status_code == 200
    assert "二村小区" in page.content.decode() and "普育里" not in page.content.decode()
    assert client_for(users["staff2"]).get(
        f"/admin/estates/estate/{puyuli.pk}/change/"
    ).status_code in (302, 404)


def test_admin_never_shows_the_full_company_phone(puyuli, users, client_for):
    company = puyuli.property_company
    page = client_for(users["operator"]).get(f"/admin/estates/propertycompany/{company.pk}/change/")
    assert page.status_code == 200
    assert "13912345678" not in page.content.decode()
    assert "139****5678" in page.content.decode()
