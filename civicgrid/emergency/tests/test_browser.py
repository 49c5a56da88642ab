"""The emergency board in chromium: the desk raises level III from the register page and lands
on the live board (level, duty, tasks); a grid worker's flooded-point report shows up on the
board, and the console's queue carries the banner while the response is active.

Saves docs/screenshots/emergency-board.png."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from civicgrid.accounts.choices import Role
from civicgrid.duty.choices import DutyRole
from civicgrid.duty.services import do_add_shift
from civicgrid.emergency import services
from civicgrid.testing.browser import login, screenshot
from civicgrid.testing.factories import UserFactory, assign_post, make_tree

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _street():
    tree = make_tree()
    operator = UserFactory(username="zhanglei", role=Role.OPERATOR, first_name="张磊")
    chief = UserFactory(username="zhaogang", role=Role.SHIFT_CHIEF, first_name="赵刚")
    worker = UserFactory(username="wangxy", role=Role.GRID_WORKER, first_name="王秀英")
    assign_post(worker, tree["micro_grids"][0])
    now = timezone.now()
    do_add_shift(
        None,
        user=chief,
        role=DutyRole.SHIFT_CHIEF,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=8),
    )
    plan = services.do_save_plan(None, kind="flood", title="街道防汛应急预案")
    services.do_set_level_plan(
        None, plan, level="3", patrol_risk="1", patrol_every_minutes=60, sandbags_per_point=20
    )
    point = services.do_save_point(
        None, name="秀沿小区", kind="estate", micro_grid=tree["micro_grids"][0], risk="1"
    )
    services.do_add_work(None, point, kind="pump", name="秀沿小区强排泵站", state="ready")
    return operator, worker, point


def test_the_desk_raises_a_level_and_watches_the_board(page, live_server):
    operator, worker, point = _street()
    login(page, live_server, operator.username)
    page.goto(f"{live_server.url}/emergency/")
    form = page.locator("#raise-form")
    form.locator("select[name=kind]").select_option("flood")
    form.locator("select[name=level]").select_option("3")
    form.locator("input[name=reason]").fill("暴雨黄色预警")
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/emergency/board/")
    assert "Ⅲ级（黄色）" in page.locator("#em-board-level").inner_text()
    assert "赵刚" in page.locator("#em-duty").inner_text()
    # One patrol and one pre-positioning task for the worker posted on the point's grid.
    assert page.locator("#em-tasks").inner_text() == "0/2"
    assert page.locator("#em-flooded").inner_text() == "0"

    services.do_report_flooding(worker, point, depth_cm=35, note="单元门口")
    page.reload()
    page.locator("#em-latest tbody tr").first.wait_for()
    assert page.locator("#em-flooded").inner_text() == "1"
    assert "秀沿小区" in page.locator("#em-latest").inner_text()
    screenshot(page, "emergency-board")

    # The console's queue carries the banner (loaded by htmx) while the response is active.
    page.goto(f"{live_server.url}/console/")
    banner = page.locator("#emergency-banner")
    banner.wait_for()
    assert "应急响应中" in banner.inner_text()


def test_the_desk_registers_a_point_on_the_map(page, live_server):
    """The register's 新增易积水点: a tap on the map fills the point's place, the form saves it;
    taking more sandbags than the store holds is refused on the store's page, nothing moves."""
    from civicgrid.emergency.models import FloodPoint, StockBalance

    operator, _worker, point = _street()
    store = services.do_save_store(None, name="街道防汛仓库")
    services.do_move_stock(None, store, supply="sandbag", change=50, reason="入库")
    login(page, live_server, operator.username)
    page.goto(f"{live_server.url}/emergency/")
    page.locator("#new-point").click()
    page.wait_for_url("**/emergency/points/new/")
    form = page.locator("#point-form")
    form.locator("input[name=name]").fill("周浦路段")
    form.locator("select[name=kind]").select_option("road")
    form.locator("select[name=micro_grid]").select_option(str(point.micro_grid_id))
    page.locator("#point-map").click()
    assert page.locator("#id_lon").input_value() != ""
    form.locator("button[type=submit]").click()
    page.wait_for_url("**/emergency/points/*/")
    made = FloodPoint.objects.get(name="周浦路段")
    assert made.lon is not None and made.lat is not None
    assert "周浦路段" in page.locator("h1").inner_text()

    page.goto(f"{live_server.url}/emergency/stores/{store.pk}/")
    move = page.locator("#move-form")
    move.locator("select[name=supply]").select_option("sandbag")
    move.locator("input[name=change]").fill("-80")
    move.locator("input[name=reason]").fill("预置")
    move.locator("button[type=submit]").click()
    expect(page.locator("#move-form")).to_contain_text("只有50，不能出库80")
    assert StockBalance.objects.get(store=store, supply="sandbag").quantity == 50
