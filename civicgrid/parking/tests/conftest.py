"""A small shared-parking estate for the parking tests: 康乐苑 in community 0 (物业 with a
contact phone, a 红色业委会 in office, rules v1 from 2026-11-01: 60-minute slots, 10 hours a
week, 15 minutes' grace, three strikes in 90 days suspend for 30 days). Household `holder`
(resident 陈敏's) holds space A-001 and shares it on working days 08:00–18:00; household
`booker` (resident2 周燕's) books it with its car 沪A12345. A second estate, 秀康新村 in
community 1, has its own household."""

import datetime

import pytest

from civicgrid.testing.world import local


@pytest.fixture
def parking(users, tree, households, clock):
    from civicgrid.estates.models import Estate, OwnersCommittee, PropertyCompany
    from civicgrid.parking import services

    communities = tree["communities"]
    company = PropertyCompany.objects.create(name="康桥物业", contact_phone="13700001111")
    estate = Estate.objects.create(
        name="康乐苑", community=communities[0], property_company=company
    )
    estate.micro_grids.set(tree["micro_grids"][:2])
    other = Estate.objects.create(name="秀康新村", community=communities[1])
    holder, booker = households[0]
    third = households[1][0]
    far = households[2][0]
    for household in (holder, booker, third):
        household.address.estate = estate
        household.address.save(update_fields=["estate"])
    far.address.estate = other
    far.address.save(update_fields=["estate"])
    committee = OwnersCommittee.objects.create(
        estate=estate,
        term_start=datetime.date(2025, 1, 1),
        term_end=datetime.date(2029, 12, 31),
        is_red=True,
    )
    rules = services.do_adopt_rules(
        None,
        estate=estate,
        committee=committee,
        effective_from=datetime.date(2026, 11, 1),
        slot_minutes=60,
        weekly_cap_hours=10,
        grace_minutes=15,
        strikes_to_suspend=3,
        strike_window_days=90,
        suspend_days=30,
        overstay_notice="超时占用将通知物业，三次暂停预约。",
        now=local(2026, 10, 20, 9),
    )
    space = services.do_save_space(None, code="A-001", kind="owned", estate=estate, holder=holder)
    services.do_enrol_member(None, account=users["resident"], household=holder)
    services.do_enrol_member(None, account=users["resident2"], household=booker)
    vehicle = services.do_register_vehicle(
        None, household=booker, plate="沪A12345", since=datetime.date(2024, 5, 1)
    )
    offer = services.do_offer(
        users["resident"],
        space=space,
        first_day=datetime.date(2026, 11, 23),
        last_day=datetime.date(2026, 12, 31),
        days="working",
        start_time=datetime.time(8),
        end_time=datetime.time(18),
    )
    return {
        "estate": estate,
        "other": other,
        "company": company,
        "committee": committee,
        "rules": rules,
        "space": space,
        "holder": holder,
        "booker": booker,
        "third": third,
        "far": far,
        "vehicle": vehicle,
        "offer": offer,
    }
