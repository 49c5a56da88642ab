"""The inspector's 督查 round on a 360 px phone, in chromium: the checkpoints assigned, a missed
item refused, the checklist scored item by item, a failure turned into a case.

Saves docs/screenshots/phone-campaigns-inspect.png (360×740)."""

import datetime

import pytest

from civicgrid.accounts.choices import Role
from civicgrid.campaigns import services
from civicgrid.campaigns.models import Inspection
from civicgrid.cases.models import Case
from civicgrid.testing.browser import login, screenshot
from civicgrid.testing.factories import UserFactory, assign_post, make_tree
from civicgrid.testing.world import IN_MICRO

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_the_inspector_scores_a_round_on_the_phone(phone_page, live_server):
    tree = make_tree()
    worker = UserFactory(username="wangxy", role=Role.GRID_WORKER, first_name="王秀英")
    assign_post(worker, tree["micro_grids"][0])
    today = datetime.date.today()
    campaign = services.do_save_campaign(
        None,
        name="全国文明城区创评",
        level="national",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=60),
    )
    items = [
        services.do_save_item(None, campaign, kind="estate", name=name, order=n)
        for n, name in enumerate(["环境卫生整洁", "楼道无堆物", "公益广告张贴"], start=1)
    ]
    checkpoints = [
        services.do_save_checkpoint(
            None,
            campaign,
            kind="estate",
            name=name,
            address=f"康桥路{n}号",
            lon=IN_MICRO[0][0],
            lat=IN_MICRO[0][1],
            community=tree["communities"][0],
            owner_kind="property",
            owner_name="绿城物业",
        )
        for n, name in enumerate(["康桥半岛", "秀沿小区"], start=1)
    ]
    services.do_plan_round(
        None, campaign, starts_on=today, assignments=[(c, worker) for c in checkpoints]
    )
    page = phone_page
    login(page, live_server, worker.username)
    page.goto(live_server.url + "/campaigns/m/")
    assert "待督查 2 个点位" in page.content()
    with page.expect_navigation():
        page.click("#todo a.task >> nth=0")
    assert page.locator("h1").inner_text() == "康桥半岛"
    # Submitting with nothing ticked: the message names the items, nothing is saved.
    with page.expect_navigation():
        page.click("#inspect-submit")
    assert "尚未评分" in page.locator("#inspect-errors").inner_text()
    assert not Inspection.objects.exists()
    for item in items:
        page.check(f"input[name=item_{item.pk}][value={'fail' if item == items[1] else 'pass'}]")
    page.fill(f"#note-{items[1].pk}", "楼道堆放纸箱")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    screenshot(page, "phone-campaigns-inspect", full_page=True)
    with page.expect_navigation():
        page.click("#inspect-submit")
    assert "1 项不合格" in page.locator(".message").first.inner_text()
    assert "待督查 1 个点位" in page.content()
    inspection = Inspection.objects.get()
    assert (inspection.passed_count, inspection.item_count) == (2, 3)
    case = Case.objects.get()
    assert case.source == "supervision" and "康桥半岛" in case.description


def test_the_desk_places_a_checkpoint_on_the_map(page, live_server):
    """The checkpoint form: a click on the map fills 经度/纬度; saved, the point is in the
    campaign's list with its owner."""
    from civicgrid.campaigns.models import Checkpoint

    tree = make_tree()
    operator = UserFactory(username="zhanglei", role=Role.OPERATOR, is_staff=True)
    today = datetime.date.today()
    campaign = services.do_save_campaign(
        None,
        name="全国文明城区创评",
        level="national",
        starts_on=today - datetime.timedelta(days=30),
        ends_on=today + datetime.timedelta(days=60),
    )
    login(page, live_server, operator.username)
    page.goto(f"{live_server.url}/campaigns/{campaign.pk}/checkpoints/new/")
    page.select_option("#id_kind", "market")
    page.fill("#id_name", "康桥菜场")
    page.select_option("#id_community", str(tree["communities"][0].pk))
    page.select_option("#id_owner_kind", "unit")
    page.fill("#id_owner_name", "菜场管理处")
    page.wait_for_selector("#pick-map.leaflet-container")
    page.click("#pick-map", position={"x": 150, "y": 100})
    assert page.input_value("#id_lon") and page.input_value("#id_lat")
    page.click("#campaigns-form button[type=submit]")
    page.wait_for_url(f"**/campaigns/{campaign.pk}/#checkpoints")
    assert "康桥菜场" in page.content()
    checkpoint = Checkpoint.objects.get(name="康桥菜场")
    assert checkpoint.lon is not None and checkpoint.owner_kind == "unit"
