"""A resident in a phone browser: reports a problem with a pin and a photo, gets the number;
the street moves the case through the loop; the resident follows it and rates it."""

import io

import pytest
from PIL import Image, ImageDraw

from civicgrid.accounts.choices import Role
from civicgrid.attachments.models import Attachment
from civicgrid.cases import services as case_services
from civicgrid.cases.models import Case
from civicgrid.grids.models import Grid
from civicgrid.testing.browser import ensure_migration_data, login, screenshot, wait_until
from civicgrid.testing.factories import DepartmentFactory, UserFactory, make_tree
from civicgrid.testing.world import IN_MICRO

# serialized_rollback: a transactional test empties every table when it ends, the categories
# seeded by migration too; restoring them keeps later tests in this process (any app's) working.
pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def street():
    """make_tree() with the names of 康桥's communities, for a realistic screenshot."""
    tree = make_tree()
    for community, name in zip(tree["communities"], ["康桥半岛居委", "秀沿居委"], strict=True):
        Grid.objects.filter(pk=community.pk).update(name=name)
        for micro in Grid.objects.filter(parent=community):
            Grid.objects.filter(pk=micro.pk).update(name=f"{name}第{micro.number}网格")
    return tree


def stairwell_photo() -> bytes:
    """Something that looks a little like boxes piled in a stairwell."""
    im = Image.new("RGB", (800, 600), (214, 208, 196))
    draw = ImageDraw.Draw(im)
    draw.rectangle([0, 420, 800, 600], fill=(150, 140, 128))
    for x, y, w, h, c in [
        (120, 260, 220, 170, (176, 132, 84)),
        (330, 300, 180, 130, (190, 150, 100)),
        (200, 150, 160, 120, (165, 120, 75)),
        (540, 330, 150, 100, (120, 90, 60)),
    ]:
        draw.rectangle([x, y, x + w, y + h], fill=c, outline=(90, 60, 30), width=4)
    buffer = io.BytesIO()
    im.save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


def tap_map_at(page, lon, lat):
    page.locator("#report-map").scroll_into_view_if_needed()
    box = page.locator("#report-map").bounding_box()
    x, y = page.evaluate(
        """([lat, lon]) => {
            const p = civicgrid.maps['report-map'].latLngToContainerPoint([lat, lon]);
            return [p.x, p.y];
        }""",
        [lat, lon],
    )
    page.mouse.click(box["x"] + x, box["y"] + y)


def test_a_resident_reports_follows_and_rates(phone_page, live_server, running_clock):
    # The clock (for the test and the live server alike: one process) runs from two days ago,
    # so the timeline shows a case that took a day and a half, not six steps in one second.
    clock = running_clock
    clock.ago(days=2, hours=3)
    ensure_migration_data()
    tree = street()
    department = DepartmentFactory(name="康桥城管中队", code="CGZD")
    operator = UserFactory(
        username="chengyun", role=Role.OPERATOR, is_staff=True, first_name="磊", last_name="张"
    )
    handler = UserFactory(
        username="cgzd-li", role=Role.DEPT_HANDLER, department=department, first_name="强"
    )
    resident = UserFactory(
        username="chenmin",
        role=Role.RESIDENT,
        first_name="陈敏",
        phone="13917286403",
    )
    page = phone_page
    login(page, live_server, resident.username)
    assert page.url.endswith("/resident/")
    page.click("text=我要反映问题")
    page.wait_for_selector("#report-map[data-ready='1']")
    drawn = page.evaluate(
        """() => { const names = [];
            civicgrid.maps['report-map'].eachLayer(l => { if (l.feature) names.push(l.feature.properties.name); });
            return names.sort(); }"""
    )
    assert drawn == ["康桥半岛居委", "秀沿居委"]  # the communities' outlines

    page.click(".quick-picks .chip:has-text('楼道堆物')")
    assert page.locator("select[name=category] option:checked").inner_text() == "楼道堆物"
    page.fill(
        "textarea[name=description]", "12号楼3楼楼道堆放纸箱和旧沙发，堵住消防通道，已有半个月"
    )
    tap_map_at(page, *IN_MICRO[0])
    lon, lat = float(page.input_value("#id_lon")), float(page.input_value("#id_lat"))
    assert abs(lon - IN_MICRO[0][0]) < 0.0005 and abs(lat - IN_MICRO[0][1]) < 0.0005
    assert page.locator("#pin-state").inner_text() == "已标出位置"
    screenshot(page, "resident-report")  # the problem, its category and the pin on the map
    page.fill("input[name=address]", "康桥半岛二期12号楼")
    page.set_input_files(
        "input[name=photo]",
        files=[{"name": "楼道.jpg", "mimeType": "image/jpeg", "buffer": stairwell_photo()}],
    )
    assert page.input_value("input[name=reporter_phone]") == "13917286403"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360

    page.click("button:has-text('提交反映')")
    page.wait_for_selector("#case-number")
    number = page.locator("#case-number").inner_text().strip()
    case = Case.objects.get(number=number)
    assert case.source == "resident" and case.reporter_user == resident
    assert case.micro_grid_id == tree["micro_grids"][0].pk
    assert Attachment.objects.filter(case=case, kind="before").count() == 1
    track_link = page.locator("#track-link").inner_text()
    assert track_link.endswith(f"/resident/t/{case.public_token}/")

    # The street works the case: file, dispatch, accept, handle, verify.
    clock.ago(days=2, hours=2, minutes=40)
    case_services.do_file(case, operator, note="已电话联系物业")
    clock.ago(days=2, hours=2, minutes=35)
    case_services.do_dispatch(case, operator, department=department)
    clock.ago(days=2, hours=1)
    case_services.do_accept(case, handler)
    clock.ago(days=1, hours=2)
    case_services.do_handle(
        case, handler, result="已联系物业和楼组长清理12号楼3楼楼道杂物，消防通道恢复畅通"
    )
    clock.ago(hours=20)
    case_services.do_verify_pass(case, operator, note="张磊现场核查")
    clock.ago()

    # The resident follows it by number and phone, from a fresh visit (no link at hand).
    page.goto(live_server.url + "/resident/track/")
    page.fill("input[name=number]", number)
    page.fill("input[name=phone]", "139 1728 6403")
    page.click("main button[type=submit]")
    page.wait_for_selector("#timeline")
    text = page.locator("main").inner_text()
    assert "已结案" in text and "消防通道恢复畅通" in text and "139****6403" in text
    assert "张磊" not in text and "物业" not in text.split("处理结果")[0]
    assert "已电话联系物业" not in text and "cgzd-li" not in text
    screenshot(page, "resident-track")

    page.click("label.choice:has-text('满意') >> nth=0")
    page.fill("textarea[name=comment]", "处理很及时，谢谢网格员和城管")
    page.click("button:has-text('提交评价')")
    page.wait_for_selector(".message.success")
    assert "感谢您的评价" in page.locator(".messages").inner_text()
    assert "您的评价：满意" in page.locator("#rated").inner_text()
    case.refresh_from_db()
    assert case.rating == "satisfied" and case.rating_comment == "处理很及时，谢谢网格员和城管"

    page.goto(live_server.url + "/resident/")
    assert number in page.locator(".my-cases").inner_text()


def test_a_visitor_is_told_next_to_the_field_and_keeps_the_text(phone_page, live_server):
    ensure_migration_data()
    street()
    page = phone_page
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"longitude": 121.5035, "latitude": 31.1082})
    page.goto(live_server.url + "/resident/report/")
    page.wait_for_selector("#report-map[data-ready='1']")
    # "Use my location" puts the pin where the phone is.
    page.click("#use-location")
    wait_until(page, "document.getElementById('id_lon').value !== ''")
    assert (page.input_value("#id_lon"), page.input_value("#id_lat")) == ("121.503500", "31.108200")
    page.select_option("select[name=category]", label="飞线充电")
    page.fill("textarea[name=description]", "5号楼楼下有人从窗口拉电线给电瓶车充电")
    page.check("input[name=is_anonymous]")
    assert not page.locator("input[name=reporter_name]").is_visible()
    page.click("button:has-text('提交反映')")
    page.wait_for_selector("#field-reporter_phone .error")
    assert "匿名反映请留下联系电话" in page.locator("#field-reporter_phone").inner_text()
    assert page.input_value("textarea[name=description]") == "5号楼楼下有人从窗口拉电线给电瓶车充电"
    assert not Case.objects.exists()
