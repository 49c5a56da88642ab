"""A small set of rental houses for the fire-safety tests: three let households in community 0
(micro-grids 0 and 1), one in community 1 (micro-grid 2), one owner-occupied household; the fire
office (消防救援站) handles 出租屋消防隐患, 房管办 handles 群租; a handler of each."""

import datetime

import pytest

from civicgrid.registry.choices import DwellingUse, Tenure


@pytest.fixture
def fire(db, tree, users, departments):
    from civicgrid.accounts.choices import Role
    from civicgrid.cases.models import Category
    from civicgrid.firesafety import services
    from civicgrid.registry.services import do_register_rental
    from civicgrid.testing.browser import ensure_migration_data
    from civicgrid.testing.factories import DepartmentFactory, UserFactory
    from civicgrid.testing.people import add_residents

    # A transactional test elsewhere may have flushed the checklist and the category.
    ensure_migration_data()
    office = DepartmentFactory(name="消防救援站", code="XF")
    category = services.fire_category()
    category.default_department = office
    category.save()
    Category.objects.filter(family="community", name="群租").update(
        default_department=departments["fg"]
    )
    firefighter = UserFactory(
        username="firefighter",
        role=Role.DEPT_HANDLER,
        department=office,
        last_name="消",
        first_name="防",
    )
    groups = tree["building_groups"]
    let = []
    for index, (group, people) in enumerate([(0, 3), (2, 2), (1, 1), (4, 2)]):
        household, residents = add_residents(
            groups[group],
            people,
            start=index * 10,
            tenure=Tenure.SELF_BUILT,
            use=DwellingUse.RENTED,
            road="新苗村十二组",
        )
        let.append((household, residents))
    own, _people = add_residents(groups[0], 2, start=90, tenure=Tenure.SELF_BUILT)
    # The first house's landlord lives elsewhere; two of its residents are tenants.
    household, residents = let[0]
    # Its rooms are let one by one: the registry's address names the room (室).
    household.address.room = "201"
    household.address.save()
    do_register_rental(
        household,
        start_date=datetime.date(2026, 1, 1),
        landlord_name="沈建国",
        landlord_phone="13912345670",
        tenants=residents[:2],
    )
    houses = services.do_code_houses(None, households=[h for h, _r in let])
    houses = sorted(houses, key=lambda h: h.household_id)
    return {
        "houses": houses,
        "own": own,
        "office": office,
        "firefighter": firefighter,
        "category": category,
        "residents": residents,
    }


@pytest.fixture
def items(db):
    from civicgrid.firesafety.models import CheckItem
    from civicgrid.testing.browser import ensure_migration_data

    ensure_migration_data()
    return {item.code: item for item in CheckItem.objects.all()}
