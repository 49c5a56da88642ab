"""The estates pages (小区一览, 小区详情) and the dashboard's estates tile: each user sees the
estates of their own 居村 (the same 404 for one outside as for none), with class, 物业 (phone
masked), 业委会 term, households and heritage; the tile counts classes, 红色业委会 and the terms
ending within 90 days, in a fixed number of queries."""

import datetime

import pytest
from django.urls import reverse

from civicgrid.estates import figures as estate_figures
from civicgrid.estates import services
from civicgrid.estates.choices import EstateClass
from civicgrid.estates.models import Estate, PropertyCompany
from civicgrid.registry.choices import Tenure
from civicgrid.testing.people import add_household

TODAY = datetime.date(2026, 11, 23)  # the clock fixture's day


@pytest.fixture
def estates(tree, clock):
    company = services.do_save_property_company(
        PropertyCompany(name="康桥物业", contact_name="赵经理", contact_phone="13912345678")
    )
    puyuli = services.do_save_estate(
        Estate(
            name="普育里",
            community=tree["communities"][0],
            estate_class=EstateClass.OLD,
            year_built=1867,
            is_heritage=True,
            heritage_note="不可移动文物",
            property_company=company,
        ),
        micro_grids=tree["micro_grids"][:1],
    )
    # A red committee whose term ends in 30 days.
    services.do_elect_committee(
        puyuli,
        term_start=datetime.date(2021, 12, 23),
        term_end=TODAY + datetime.timedelta(days=30),
        members=[{"name": "王主任", "role": "chair", "is_party_member": True}],
        party_liaison="李联络员",
        is_red=True,
    )
    garden = services.do_save_estate(
        Estate(
            name="康桥花园", community=tree["communities"][0], estate_class=EstateClass.COMMERCIAL
        )
    )
    services.do_elect_committee(
        garden, term_start=datetime.date(2025, 1, 1), term_end=datetime.date(2030, 1, 1)
    )
    other = services.do_save_estate(
        Estate(name="秀沿新村", community=tree["communities"][1], estate_class=EstateClass.PEASANT)
    )
    group = tree["building_groups"][0]
    for n in (1, 2, 3):
        household = add_household(group, n)
        household.address.estate = puyuli
        household.address.save()
        if n == 3:
            household.tenure = Tenure.PUBLIC_RENT
            household.save()
    return {"puyuli": puyuli, "garden": garden, "other": other}


def test_the_list_shows_the_users_estates_with_their_figures(estates, users, client_for):
    page = client_for(users["staff"]).get(reverse("dashboard:estates"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "普育里" in text and "康桥花园" in text
    assert "秀沿新村" not in text  # another 居村
    assert "老旧小区（公房、售后公房）" in text and "康桥物业" in text
    assert "红色业委会" in text and "30 天后换届" in text and "文物保护" in text
    row = page.context["page_obj"].object_list
    assert {e.name: e.households for e in row} == {"普育里": 3, "康桥花园": 0}

    everyone = client_for(users["leader"]).get(reverse("dashboard:estates"), {"class": "peasant"})
    assert [e.name for e in everyone.context["page_obj"]] == ["秀沿新村"]
    # A filter value that is not a choice is ignored, not an error.
    odd = client_for(users["leader"]).get(reverse("dashboard:estates"), {"community": "x'1"})
    assert odd.status_code == 200 and len(odd.context["page_obj"]) == 3


def test_the_estate_page_and_its_scope(estates, users, client_for):
    puyuli = estates["puyuli"]
    page = client_for(users["staff"]).get(reverse("dashboard:estate", args=[puyuli.pk]))
    assert page.status_code == 200
    text = page.content.decode()
    assert "1867" in text and "不可移动文物" in text and "李联络员" in text and "王主任" in text
    assert "139****5678" in text and "13912345678" not in text  # the 物业's phone, masked
    assert dict(page.context["tenures"])["公房"] == 1
    outside = client_for(users["staff2"]).get(reverse("dashboard:estate", args=[puyuli.pk]))
    missing = client_for(users["staff2"]).get(reverse("dashboard:estate", args=[99999]))
    assert outside.status_code == missing.status_code == 404
    assert client_for(users["worker"]).get(reverse("dashboard:estates")).status_code == 403


def test_the_dashboard_tile_counts_classes_red_committees_and_terms_ending(
    estates, users, client_for, django_assert_num_queries
):
    with django_assert_num_queries(2):
        tile = estate_figures.tile(None, TODAY)
    classes = {c["key"]: c["n"] for c in tile["classes"]}
    assert tile["total"] == 3 and tile["heritage"] == 1 and tile["red_committees"] == 1
    assert classes["old"] == classes["commercial"] == classes["peasant"] == 1
    assert [(e["estate"], e["days"]) for e in tile["ending"]] == [("普育里", 30)]
    page = client_for(users["staff2"]).get(reverse("dashboard:index"))
    assert page.context["estates"]["total"] == 1  # their 居村 only
    assert 'id="estates-tile"' in page.content.decode()
