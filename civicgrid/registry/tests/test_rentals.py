"""租赁登记: only for a let dwelling, landlord a resident or a name + phone (masked), tenants
residents in the user's grids; a refused registration writes nothing."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.registry.choices import DwellingUse
from civicgrid.registry.models import RentalRegistration
from civicgrid.registry.services import do_register_rental
from civicgrid.testing.people import add_residents

pytestmark = pytest.mark.django_db

START = datetime.date(2026, 3, 1)


@pytest.fixture
def let_house(tree):
    """A rural self-built house let to two tenants (seed 002: 1692户农村自建房出租屋)."""
    household, (owner,) = add_residents(tree["building_groups"][0], 1, road="沈家宅路")
    _their_home, tenants = add_residents(tree["building_groups"][0], 2, start=10, road="沈家宅路")
    household.tenure, household.use = "self_built", DwellingUse.RENTED
    household.save()
    return household, owner, tenants


def test_register_a_rental(let_house):
    household, owner, tenants = let_house
    rental = do_register_rental(household, start_date=START, landlord=owner, tenants=tenants)
    assert rental.landlord_name == owner.name
    assert set(rental.tenants.all()) == set(tenants)


def test_landlord_by_name_and_phone(let_house):
    household, _owner, tenants = let_house
    rental = do_register_rental(
        household,
        start_date=START,
        landlord_name="沈阿毛",
        landlord_phone="139-1234-5678",
        tenants=tenants,
    )
    assert rental.landlord_phone == "13912345678"


def test_owner_occupied_dwelling_is_refused(let_house):
    household, owner, tenants = let_house
    household.use = DwellingUse.OWNER_OCCUPIED
    household.save()
    with pytest.raises(ValidationError) as exc:
        do_register_rental(household, start_date=START, landlord=owner, tenants=tenants)
    assert "只有出租或群租的房屋才能做租赁登记" in str(exc.value)
    assert not RentalRegistration.objects.exists()


def test_landlord_is_required_and_end_after_start(let_house):
    household, owner, tenants = let_house
    with pytest.raises(ValidationError) as exc:
        do_register_rental(household, start_date=START, tenants=tenants)
    assert "请选择出租人" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        do_register_rental(
            household, start_date=START, end_date=datetime.date(2026, 2, 1), landlord=owner
        )
    assert "租赁结束日期不能早于开始日期" in str(exc.value)
    assert not RentalRegistration.objects.exists()


def test_tenant_outside_scope_is_refused(let_house, tree, users):
    household, owner, _tenants = let_house
    _home, (stranger,) = add_residents(tree["building_groups"][4], 1, start=30)  # community 1
    with pytest.raises(PermissionDenied):
        do_register_rental(
            household, start_date=START, landlord=owner, tenants=[stranger], user=users["staff"]
        )
    assert not RentalRegistration.objects.exists()


def test_api_registers_and_masks_the_phone(let_house, users, api):
    household, _owner, tenants = let_house
    client = api(users["staff"])
    answer = client.post(
        "/api/registry/rentals/",
        {
            "household": household.pk,
            "landlord_name": "沈阿毛",
            "landlord_phone": "13912345678",
            "tenants": [t.pk for t in tenants],
            "start_date": "2026-03-01",
        },
        format="json",
    )
    assert answer.status_code == 201, answer.json()
    assert answer.json()["landlord_phone"] == "139****5678"
    listed = client.get("/api/registry/rentals/").json()["results"]
    assert [r["landlord_name"] for r in listed] == ["沈阿毛"]
    assert api(users["staff2"]).get("/api/registry/rentals/").json()["results"] == []


def test_api_refuses_a_bad_phone_and_writes_nothing(let_house, users, api):
    household, _owner, _tenants = let_house
    answer = api(users["staff"]).post(
        "/api/registry/rentals/",
        {
            "household": household.pk,
            "landlord_name": "沈阿毛",
            "landlord_phone": "12345",
            "start_date": "2026-03-01",
        },
        format="json",
    )
    assert answer.status_code == 400
    assert "格式不正确" in str(answer.json())
    assert not RentalRegistration.objects.exists()
