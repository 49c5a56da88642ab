"""The inspector's phone form and the public page of a door code, on a 360 px phone in chromium.

The inspector scans the code (its URL) and lands on the form; ticking a 重大 hazard turns the
live colour red; a missing acknowledgement is refused with nothing saved; the result shows the
red and its case. A visitor scanning the same code sees the colour, the village address and the
open items — no landlord, no room — and reports a hazard.

Saves docs/screenshots/phone-fire-inspect.png and phone-fire-scan.png (360×740)."""

import datetime

import pytest

from civicgrid.accounts.choices import Role
from civicgrid.cases.models import Case
from civicgrid.firesafety import services
from civicgrid.firesafety.models import CheckItem, Inspection, RentalHouse
from civicgrid.registry.choices import DwellingUse, Tenure
from civicgrid.registry.services import do_register_rental
from civicgrid.testing.browser import login, screenshot
from civicgrid.testing.factories import UserFactory, assign_post, make_tree
from civicgrid.testing.people import add_residents

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _house():
    tree = make_tree()
    worker = UserFactory(username="wangxy", role=Role.GRID_WORKER, first_name="王秀英")
    assign_post(worker, tree["micro_grids"][0])
    household, residents = add_residents(
        tree["building_groups"][0],
        3,
        tenure=Tenure.SELF_BUILT,
        use=DwellingUse.RENTED,
        road="新苗村十二组",
    )
    household.address.room = "201"
    household.address.save()
    do_register_rental(
        household,
        start_date=datetime.date(2026, 1, 1),
        landlord_name="沈建国",
        landlord_phone="13912345670",
        tenants=residents[:2],
    )
    house = services.do_code_house(None, household)
    return worker, house


def test_the_inspector_scans_the_code_and_grades_the_house(phone_page, live_server):
    worker, house = _house()
    page = phone_page
    login(page, live_server, worker.username)
    page.goto(f"{live_server.url}/fire/c/{house.token}/")
    assert page.url.endswith(f"/fire/m/inspect/{house.pk}/")
    live = page.locator("#live-colour")
    assert live.get_attribute("data-colour") == "green"
    minor = CheckItem.objects.get(code="no-extinguisher")
    major = CheckItem.objects.get(code="ebike-indoors")
    page.check(f"input[name=item_{minor.pk}]")
    assert live.get_attribute("data-colour") == "yellow" and "黄码" in live.inner_text()
    page.check(f"input[name=item_{major.pk}]")
    assert live.get_attribute("data-colour") == "red"
    page.fill(f"#note-{major.pk}", "楼道里三辆电动车飞线充电")
    page.fill("#f-floors", "3")
    page.fill("#f-area", "360")
    # No acknowledgement chosen: refused, nothing saved, the ticks kept.
    page.click("#fire-form button[type=submit]")
    assert "请选择房东是否签字确认" in page.locator("#inspect-errors").inner_text()
    assert not Inspection.objects.exists()
    assert page.is_checked(f"input[name=item_{major.pk}]")
    page.check("input[name=landlord_acknowledged][value=yes]")
    page.fill("#f-ack-by", "沈建国")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "phone-fire-inspect", full_page=True)
    page.click("#fire-form button[type=submit]")
    assert "红码" in page.locator("#result-colour").inner_text()
    house = RentalHouse.objects.get(pk=house.pk)
    assert house.colour == "red" and house.floors == 3
    case = Case.objects.get(pk=house.case_id)
    assert page.locator("#result-case").inner_text() == case.number
    assert "电动车室内停放充电" in case.description


def test_a_visitor_scans_the_code_and_reports_a_hazard(phone_page, live_server):
    _worker, house = _house()
    services.do_inspect(
        None,
        house,
        hazards=["no-smoke-alarm"],
        landlord_acknowledged=True,
        acknowledged_by="沈建国",
    )
    page = phone_page
    page.goto(f"{live_server.url}/fire/c/{house.token}/")
    assert "黄码" in page.locator("#scan-colour").inner_text()
    assert "新苗村十二组" in page.locator("#scan-address").inner_text()
    assert "未装烟感" in page.locator("#scan-items").inner_text()
    content = page.content()
    for secret in ("沈建国", "13912345670", "139****5670", "201室", "居民"):
        assert secret not in content
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "phone-fire-scan", full_page=True)
    page.fill("#id_description", "一楼楼道里有人给电动车充电")
    page.click("#scan-form button[type=submit]")
    page.wait_for_url("**/resident/**")
    case = Case.objects.get()
    assert case.micro_grid_id == house.micro_grid_id and "电动车充电" in case.description
    assert case.number in page.content()


def test_the_battle_map_draws_every_house_in_its_colour(page, live_server):
    _worker, house = _house()
    services.do_inspect(None, house, hazards=["blocked-exit"], landlord_acknowledged=False)
    staff = UserFactory(username="juwei", role=Role.COMMUNITY_STAFF, community=house.community)
    login(page, live_server, staff.username)
    page.goto(f"{live_server.url}/fire/")
    page.wait_for_selector("#fire-map[data-ready='1']")
    assert page.locator("#fire-map").get_attribute("data-colours") == "red:1"
    assert page.locator("#fire-map").get_attribute("data-outline-count") == "1"
    # The 居村's outline is drawn under the house: its tooltip names the 居村 and its colours.
    tooltips = page.evaluate(
        """() => { const out = [];
                   civicgrid.maps["fire-map"].eachLayer(layer => {
                     if (layer instanceof L.Polygon && layer.getTooltip())
                       out.push(layer.getTooltip().getContent()); });
                   return out; }"""
    )
    assert tooltips == [f"{house.community.name}：绿码 0 · 黄码 0 · 红码 1 · 未评定 0 户"]
    assert "100%" in page.locator("#fire-coverage").inner_text()
