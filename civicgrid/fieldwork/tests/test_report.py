"""Reporting from the phone: one case (source 巡查上报) with its photos, all or nothing."""

import re

import pytest

from civicgrid.attachments.models import Attachment
from civicgrid.cases import services as cases
from civicgrid.cases.models import Case, CaseEvent, CaseNumberCounter
from civicgrid.testing.images import not_an_image, png
from civicgrid.testing.world import IN_MICRO, category

pytestmark = pytest.mark.django_db


def form(**changes):
    data = {
        "category": category("community", "0103").pk,
        "description": "5号楼东侧窗口私拉电线给电瓶车充电",
        "address": "秀沿路1501弄5号",
        "lon": str(IN_MICRO[0][0]),
        "lat": str(IN_MICRO[0][1]),
    }
    data.update(changes)
    return data


def test_a_report_with_photos_shows_its_number(users, tree, client_for):
    c = client_for(users["worker"])
    response = c.post("/m/report/", form(photos=[png("a.png"), png("b.png")]), follow=True)
    case = Case.objects.get()
    assert response.redirect_chain[-1][0] == f"/m/cases/{case.number}/"
    assert f"已上报，案件编号 {case.number}" in response.content.decode()
    assert case.source == "grid_patrol" and case.reporter_user == users["worker"]
    assert case.micro_grid == tree["micro_grids"][0] and case.address == "秀沿路1501弄5号"
    event = CaseEvent.objects.get(case=case)
    assert event.action == "report"
    assert set(Attachment.objects.values_list("kind", "event_id")) == {("before", event.pk)}
    assert Attachment.objects.count() == 2


def test_a_tap_outside_every_grid_is_still_accepted(users, client_for):
    client_for(users["worker"]).post("/m/report/", form(lon="120.0", lat="30.0"))
    assert Case.objects.get().needs_manual_location


def test_a_bad_photo_saves_nothing_and_keeps_what_was_typed(users, client_for, settings):
    response = client_for(users["worker"]).post(
        "/m/report/", form(photos=[png("ok.png"), not_an_image("scan.jpg")])
    )
    assert response.status_code == 400
    text = response.content.decode()
    field = re.search(r'id="field-photos".*?</div>', text, re.S).group(0)
    assert "照片“scan.jpg”" in field and "不是有效的图片" in field
    assert "5号楼东侧窗口私拉电线给电瓶车充电" in text and "秀沿路1501弄5号" in text
    assert not Case.objects.exists() and not Attachment.objects.exists()
    assert not CaseNumberCounter.objects.exists()  # not even a case number used up
    root = settings.MEDIA_ROOT
    assert not root.exists() or not [p for p in root.rglob("*") if p.is_file()]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"category": ""}, "category", "请选择问题类别"),
        ({"category": "999999"}, "category", "选择一个有效的选项"),
        ({"description": "  "}, "description", "请填写问题描述"),
        ({"lon": "abc"}, "address", "经度必须是数字"),
        ({"lat": ""}, "address", "经度和纬度须同时填写"),
    ],
)
def test_bad_input_is_a_message_next_to_the_field(users, client_for, changes, field, message):
    response = client_for(users["worker"]).post("/m/report/", form(**changes))
    assert response.status_code == 400
    text = response.content.decode()
    block = re.search(rf'id="field-{field}".*?</div>', text, re.S).group(0)
    assert message in block
    assert not Case.objects.exists()


def test_a_top_level_class_is_refused_by_the_service(users, client_for):
    top = category("community", "01")
    # Top-level classes are not offered; a forged post is still refused, next to the field.
    response = client_for(users["worker"]).post("/m/report/", form(category=top.pk))
    assert response.status_code == 400
    assert not Case.objects.exists()


def test_recent_categories_come_first(users, client_for):
    worker = users["worker"]
    for code in ("0110", "0101"):
        cases.do_report(user=worker, category=category("community", code), description="x")
    text = client_for(worker).get("/m/report/").content.decode()
    recent = re.search(r'<optgroup label="最近使用">(.*?)</optgroup>', text, re.S).group(1)
    names = re.findall(r">([^<]+)</option>", recent)
    assert names == ["楼道堆物", "垃圾分类"]
    assert text.index("最近使用") < text.index("部件")


def test_the_page_has_the_map_picker_and_the_camera(users, client_for):
    text = client_for(users["worker"]).get("/m/report/").content.decode()
    assert 'data-pick-lon="id_lon"' in text and 'data-pick-lat="id_lat"' in text
    assert 'capture="environment"' in text and "multiple" in text and 'accept="image/*"' in text
    assert 'type="hidden" name="lon"' in text
