"""The block person's "walk my block" and the inspector's 门责 form on a 360 px phone, in chromium.

Saves docs/screenshots/phone-shops-walk.png and phone-shops-inspect.png (360×740)."""

import datetime

import pytest
from django.utils import timezone

from civicgrid.accounts.choices import Role
from civicgrid.cases.models import Case
from civicgrid.shops import services
from civicgrid.shops.models import Inspection, InspectionItem, RefreshRound, Shop
from civicgrid.shops.tests.conftest import credit_code
from civicgrid.testing.browser import login, screenshot
from civicgrid.testing.factories import UserFactory, assign_post, make_tree
from civicgrid.testing.world import IN_MICRO

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

SHOPS = [("阿强面馆", "catering"), ("好又多超市", "retail"), ("美美发廊", "hair")]


def _front():
    tree = make_tree()
    worker = UserFactory(username="wangxy", role=Role.GRID_WORKER, first_name="王秀英")
    assign_post(worker, tree["micro_grids"][0])
    block = services.do_save_block(
        None,
        code="SP01",
        name="秀沿路东段",
        community=tree["communities"][0],
        responsible=worker,
    )
    # Registered in an earlier half-month: this half-month every shop waits to be seen.
    earlier = timezone.now() - datetime.timedelta(days=20)
    lon, lat = IN_MICRO[0]
    shops = [
        services.do_register_shop(
            None,
            block=block,
            sign_name=name,
            address=f"秀沿路{n}号",
            trade=trade,
            lon=lon,
            lat=lat,
            credit_code=credit_code(n),
            operator_name="王建国",
            operator_phone="13912340000",
            now=earlier,
        )
        for n, (name, trade) in enumerate(SHOPS, start=1)
    ]
    return worker, block, shops


def test_the_block_person_walks_the_block(phone_page, live_server):
    worker, block, shops = _front()
    page = phone_page
    login(page, live_server, worker.username)
    page.goto(live_server.url + "/shops/walk/")
    assert "秀沿路东段" in page.content() and "已核实 0/3" in page.content()
    page.click("a.card")
    assert page.locator("#current-shop h2").inner_text() == "阿强面馆"
    assert "139****0000" in page.content() and "13912340000" not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "phone-shops-walk")

    page.click("#current-shop button[value=confirm]")
    assert page.locator("#current-shop h2").inner_text() == "好又多超市"
    assert "本半月已核实 1/3" in page.locator("#walk-progress").inner_text()

    # The second shop is closed for the time being: 歇业.
    page.click("#current-shop details:first-of-type summary")
    page.select_option("#walk-state", "suspended")
    page.fill("#walk-note", "店主回老家")
    page.click("#current-shop button[value=state]")
    assert Shop.objects.get(pk=shops[1].pk).state == "suspended"
    assert page.locator("#current-shop h2").inner_text() == "美美发廊"

    page.click("#current-shop button[value=confirm]")
    assert page.locator("#walk-done").is_visible()
    rnd = RefreshRound.objects.get(
        block=block, period_start=services.half_month(timezone.localdate()).start
    )
    assert rnd.completed_by_id == worker.pk
    page.goto(live_server.url + "/shops/walk/")
    assert "已更新" in page.locator("a.card").inner_text()


def test_the_inspector_fails_an_item_and_a_case_opens(phone_page, live_server):
    worker, _block, shops = _front()
    page = phone_page
    login(page, live_server, worker.username)
    page.goto(f"{live_server.url}/shops/{shops[0].pk}/inspect/")
    items = list(InspectionItem.objects.filter(is_active=True).order_by("order"))
    door = next(i for i in items if i.name == "无跨门营业")
    # Submitting with nothing ticked: the message says what is missing, nothing is saved.
    page.click("#inspect-form button[type=submit]")
    assert "还有检查项未填写" in page.locator("#inspect-errors").inner_text()
    assert not Inspection.objects.exists()
    for item in items:
        verdict = "fail" if item == door else "pass"
        page.check(f"input[name=item_{item.pk}][value={verdict}]")
    page.fill(f"#note-{door.pk}", "桌椅摆到人行道上")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "phone-shops-inspect", full_page=True)
    page.click("#inspect-form button[type=submit]")
    assert "1 项不合格，已转为案件" in page.locator(".message").first.inner_text()
    inspection = Inspection.objects.get()
    case = Case.objects.get(pk=inspection.results.get(passed=False).case_id)
    assert case.category.name == "跨门营业" and "阿强面馆" in case.description
    assert case.number in page.content()
