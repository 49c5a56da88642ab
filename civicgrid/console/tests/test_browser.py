"""In a real browser: an operator files and dispatches a case, the department's handler accepts
and handles it (with a photo). Saves the console's screenshots for the README."""

import datetime
import io

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from civicgrid.accounts.choices import Role
from civicgrid.attachments.models import Attachment
from civicgrid.cases import services, warnings
from civicgrid.cases.choices import CaseStatus as S
from civicgrid.cases.choices import HotlineRequestType
from civicgrid.cases.models import Category
from civicgrid.grids.models import Grid
from civicgrid.testing.browser import login, screenshot, wait_until
from civicgrid.testing.factories import DepartmentFactory, UserFactory, make_tree

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

COMMUNITIES = ["康桥半岛居委", "汤巷馨村居委"]
# make_tree(): community c spans lon 121.5+0.01c … +0.01, micro-grids N→S (lat 31.11 → 31.10).
POINTS = [(121.5032, 31.1078), (121.5071, 31.1021), (121.5125, 31.1066), (121.5158, 31.1033)]


def cat(family, code):
    return Category.objects.get(family=family, code=code)


@pytest.fixture
def street(db):
    tree = make_tree()
    for c, community in enumerate(tree["communities"]):
        Grid.objects.filter(pk=community.pk).update(name=COMMUNITIES[c])
        for m in range(2):
            micro = tree["micro_grids"][c * 2 + m]
            Grid.objects.filter(pk=micro.pk).update(name=f"{COMMUNITIES[c]}第{m + 1}网格")
    cg = DepartmentFactory(name="康桥城管中队", code="cgzd")
    fg = DepartmentFactory(name="房管办", code="fgb")
    DepartmentFactory(name="市场监管所", code="scjg")
    DepartmentFactory(name="绿化市容所", code="lhsr")
    for family, code, department in [
        ("event", "0102", cg),
        ("event", "0504", cg),
        ("event", "0506", cg),
        ("event", "0507", cg),
        ("community", "0101", fg),
        ("community", "0103", fg),
        ("community", "0109", cg),
    ]:
        Category.objects.filter(family=family, code=code).update(default_department=department)
    operator = UserFactory(username="operator", role=Role.OPERATOR, first_name="王敏")
    handler = UserFactory(
        username="dept-cgzd", role=Role.DEPT_HANDLER, department=cg, first_name="李强"
    )
    resident = UserFactory(
        username="resident", role=Role.RESIDENT, phone="13916250873", first_name="张丽华"
    )
    return {"tree": tree, "operator": operator, "handler": handler, "resident": resident, "cg": cg}


def _case(user, family, code, description, point, address, **kw):
    return services.do_report(
        user=user,
        category=cat(family, code),
        description=description,
        lon=point[0],
        lat=point[1],
        address=address,
        **kw,
    ).case


def realistic_cases(street, running_clock):
    """A few cases in several states, as a Wednesday morning at the 城运中心 looks; the warning
    scan then colours them from their real deadlines."""
    op, handler, resident = street["operator"], street["handler"], street["resident"]
    running_clock.set(2026, 11, 27, 9, 40)
    late = _case(
        op,
        "event",
        "0507",
        "汤巷馨村5号楼下堆放大量装修材料和旧家具,占用消防通道",
        POINTS[3],
        "汤巷馨村5号楼",
        source="grid_patrol",
    )
    services.do_file(late, op)
    services.do_dispatch(late, op)
    running_clock.set(2026, 12, 1, 9, 10)
    rework = _case(
        resident, "event", "0102", "绿化带里有建筑垃圾,装修后没有清运", POINTS[0], "秀沿路1501弄8号"
    )
    services.do_file(rework, op)
    services.do_dispatch(rework, op)
    services.do_accept(rework, handler)
    running_clock.set(2026, 12, 1, 15, 30)
    working = _case(
        resident,
        "event",
        "0506",
        "地铁站出口共享单车乱停放,堵住盲道",
        POINTS[2],
        "康桥东路地铁站2号口",
    )
    services.do_file(working, op)
    services.do_dispatch(working, op)
    services.do_accept(working, handler, note="已安排队员前往")
    services.do_handle(rework, handler, result="已清运")
    running_clock.set(2026, 12, 1, 17, 0)
    services.do_verify_fail(rework, op, reason="现场仍有碎砖未清理干净")
    for minute, description in [(10, "商铺门口占道摆放桌椅"), (25, "夜间烧烤油烟扰民")]:
        running_clock.set(2026, 12, 2, 9, minute)
        extra = _case(
            op, "event", "0504", description, POINTS[1], "康桥路沿街", source="grid_patrol"
        )
        services.do_file(extra, op)
        services.do_dispatch(extra, op)
    running_clock.set(2026, 12, 2, 9, 52)
    waiting = [
        _case(
            resident,
            "event",
            "0102",
            "秀沿路1501弄小区北门外垃圾桶满溢,垃圾堆到人行道上,气味很大",
            POINTS[0],
            "秀沿路1501弄北门",
            reporter_phone="13916250873",
        ),
    ]
    running_clock.set(2026, 12, 2, 10, 3)
    waiting.append(
        _case(
            op,
            "community",
            "0103",
            "12号楼一楼楼道有居民从窗户拉电线给电瓶车充电,存在火灾隐患",
            POINTS[1],
            "康桥半岛12号楼",
            source="grid_patrol",
        )
    )
    running_clock.set(2026, 12, 2, 10, 8)
    waiting.append(
        _case(
            op,
            "event",
            "0504",
            "康桥路沿街水果店把货架摆到人行道上经营,行人只能走非机动车道",
            POINTS[2],
            "康桥路1088号",
            source="supervision",
        )
    )
    running_clock.set(2026, 12, 2, 10, 15)
    ticket, _created = services.intake_hotline(
        user=op,
        ticket="SH2026120200387",
        category=cat("community", "0109"),
        description="市民来电:汤巷馨村3号楼底商KTV夜间噪音扰民,多次反映未解决,要求督办",
        lon=POINTS[3][0],
        lat=POINTS[3][1],
        address="汤巷馨村3号楼",
        hotline_request_type=HotlineRequestType.SUPERVISE,
        reporter_name="陈先生",
        reporter_phone="13801762245",
    )
    running_clock.set(2026, 12, 2, 10, 20)
    warnings.scan()
    return {"waiting": waiting, "ticket": ticket, "working": working, "late": late}


def jpeg(tmp_path):
    path = tmp_path / "现场清理后.jpg"
    image = Image.new("RGB", (640, 480), (90, 140, 90))
    for x in range(0, 640, 40):
        for y in range(300, 480):
            image.putpixel((x, y), (200, 200, 200))
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG")
    path.write_bytes(buffer.getvalue())
    return path


def test_operator_files_and_dispatches_handler_accepts_and_handles(
    page, live_server, street, running_clock, tmp_path
):
    cases = realistic_cases(street, running_clock)
    target = cases["waiting"][0]

    # The operator: the 待受理 queue, then the case, 立案 and 派遣.
    login(page, live_server, "operator")
    assert page.url.endswith("/console/")
    assert page.locator('.tabs a[data-tab="reported"] .count').inner_text() == "4"
    page.locator('.tabs a[data-tab="all"]').click()
    # The tab swaps the list in after the click returns: wait for the new one.
    expect(page.locator('.tabs a[data-tab="all"][aria-current="page"]')).to_have_count(1)
    expect(page.locator("tr.warn-red")).not_to_have_count(0)
    expect(page.locator("tr.warn-yellow")).not_to_have_count(0)
    screenshot(page, "console-queue")
    page.locator('.tabs a[data-tab="overdue"]').click()
    expect(page.locator('.tabs a[data-tab="overdue"][aria-current="page"]')).to_have_count(1)
    expect(page.locator(f'tr.warn-red[data-number="{cases["late"].number}"]')).to_have_count(1)

    page.goto(f"{live_server.url}/console/case/{target.number}/")
    page.locator("#act-file summary").click()
    page.locator("#act-file textarea[name=note]").fill("情况属实,予以立案")
    page.locator("#act-file button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("已立案")
    page.locator("#act-dispatch summary").click()
    page.locator("#act-dispatch select[name=department]").select_option(label="康桥城管中队")
    page.locator("#act-dispatch textarea[name=note]").fill("请城管中队尽快清运")
    page.locator("#act-dispatch button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("已派遣")
    expect(page.locator(".timeline li")).to_have_count(3)
    warnings.scan()  # the minute's scan recolours the case by its new (handling) running_clock
    page.reload()
    page.wait_for_selector("#case-map[data-ready='1']")
    screenshot(page, "console-case")
    target.refresh_from_db()
    assert target.status == S.DISPATCHED and target.assigned_department == street["cg"]

    # The department handler: the inbox, 接单, then the result with a photo.
    page.locator(".topbar button", has_text="退出").click()
    login(page, live_server, "dept-cgzd")
    assert page.url.endswith("/console/inbox/")
    row = page.locator(f'tr[data-number="{target.number}"]')
    expect(row).to_have_count(1)
    assert page.locator("#count-overdue strong").inner_text() == "1"
    assert page.locator("#count-rework strong").inner_text() == "1"
    screenshot(page, "handler-inbox")
    row.locator("button", has_text="接单").click()
    expect(page.locator(".messages")).to_contain_text("已接单")

    page.goto(f"{live_server.url}/console/case/{target.number}/#act-handle")
    page.locator("#act-handle textarea[name=result]").fill(
        "已清运满溢垃圾并冲洗地面,垃圾桶已增加清运频次"
    )
    page.locator("#act-handle input[name=photos]").set_input_files(str(jpeg(tmp_path)))
    page.locator("#act-handle button[type=submit]").click()
    expect(page.locator(".messages")).to_contain_text("处置结果已反馈")
    # The shared photo viewer; a count taken at once could read the page before it is whole.
    expect(page.locator(".photo-gallery img")).to_have_count(1)
    target.refresh_from_db()
    assert target.status == S.HANDLED
    assert Attachment.objects.filter(case=target, kind="after").count() == 1
    assert target.handled_at <= timezone.now() + datetime.timedelta(seconds=1)


def test_filters_swap_the_table_without_a_reload(page, live_server, street, running_clock):
    realistic_cases(street, running_clock)
    login(page, live_server, "operator", next_url="/console/?tab=all")
    expect(page.locator("table.cases tbody tr")).to_have_count(9)
    page.evaluate("window.notReloaded = true")
    page.fill("#id_q", "消防")
    wait_until(page, "document.querySelectorAll('table.cases tbody tr').length === 1")
    assert page.evaluate("window.notReloaded") is True
    assert "q=" in page.url
    assert page.locator('.tabs a[data-tab="all"] .count').inner_text() == "1"
    page.select_option("#id_source", "supervision")
    wait_until(page, "document.querySelector('table.cases tbody td.muted') !== null")
    assert page.evaluate("window.notReloaded") is True
