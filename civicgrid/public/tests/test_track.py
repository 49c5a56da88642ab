"""Following a case by number + phone or by its link; the public timeline; rating it."""

import pytest
from django.utils import timezone

from civicgrid.cases import services as case_services
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.public.services import find_case, normalize_phone
from civicgrid.testing.cases import walk_to
from civicgrid.testing.world import IN_MICRO

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(users, clutter):
    return case_services.do_report(
        user=None,
        source="resident",
        category=clutter,
        description="3号楼2楼楼道堆放纸箱，邻居赵阿姨 13500009999 也反映过",
        lon=IN_MICRO[0][0],
        lat=IN_MICRO[0][1],
        reporter_name="陈敏",
        reporter_phone="139 1234 5678",
    ).case


def close_case(case, users, *, result="已清理楼道堆放的纸箱和旧家具，通道恢复畅通"):
    """File, dispatch to 城管, accept, handle, verify: the whole loop up to 已结案, with notes
    naming staff and phones that the public page must never show."""
    return walk_to(
        case,
        "closed",
        users,
        department=users["handler"].department,
        result=result,
        notes={
            "file": "内部备注：联系人张磊 13611112222",
            "dispatch": "请李强尽快处理",
            "accept": "李强已接单",
            "verify_pass": "王秀英现场核查通过",
        },
    )


def page_of(client, case):
    return client.get(f"/resident/t/{case.public_token}/")


def test_number_and_phone_lead_to_the_case_page(client, case):
    response = client.post(
        "/resident/track/", {"number": case.number, "phone": "+86 139-1234-5678"}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/resident/t/{case.public_token}/"


@pytest.mark.parametrize("which", ["wrong phone", "unknown number"])
def test_a_wrong_pair_is_not_found_either_way(client, case, which):
    number, phone = case.number, "13912345678"
    if which == "wrong phone":
        phone = "13900000000"
    else:
        number = str(int(case.number) + 1)
    response = client.post("/resident/track/", {"number": number, "phone": phone})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "未找到该案件：请核对案件编号和上报时留下的联系电话"
    ]
    assert "phone" not in response.context["form"].errors


def test_a_case_without_a_phone_cannot_be_found_by_phone(users, clutter):
    case = case_services.do_report(
        user=users["operator"], source="resident", category=clutter, description="楼道堆物"
    ).case
    assert find_case(case.number, "") is None
    assert normalize_phone("0086 139-1234-5678") == "13912345678"
    assert normalize_phone("１３９１２３４５６７８") == "13912345678"


def test_the_number_may_be_typed_with_spaces(client, case):
    spaced = f"{case.number[:8]} {case.number[8:]}"
    assert find_case(spaced, "13912345678") == case


def test_track_lookups_are_rate_limited(client, case, settings):
    settings.CIVICGRID_PUBLIC_TRACK_LIMIT = (3, 600)
    for _ in range(3):
        client.post("/resident/track/", {"number": case.number, "phone": "13900000000"})
    response = client.post("/resident/track/", {"number": case.number, "phone": "13912345678"})
    assert response.status_code == 200
    assert "查询过于频繁" in response.content.decode()


def test_the_public_timeline_shows_steps_never_staff_or_notes(client, users, case):
    close_case(case, users)
    case_services.reveal_reporter_phone(case, users["operator"])
    response = page_of(client, case)
    assert response.status_code == 200
    text = response.content.decode()
    assert case.number in text and "楼道堆物" in text and "已结案" in text
    assert "已清理楼道堆放的纸箱和旧家具" in text  # the handling result is public
    assert "139****5678" in text and "13912345678" not in text
    for secret in [
        "张磊",  # the operator
        "李强",  # the handler
        "王秀英",  # named in the verifier's note
        users["operator"].username,
        users["handler"].username,
        "13611112222",
        "13733334444",
        "内部备注",
        "请李强尽快处理",
        "核查通过</",  # the verifier's note is not shown: the step is, in its public words
        users["handler"].department.name,
        "赵阿姨",
        "13500009999",  # the description (other people's data) stays out
        "查看上报人完整电话",
    ]:
        assert secret not in text, secret
    steps = [s["action"] for s in response.context["timeline"]]
    assert steps == ["report", "file", "dispatch", "accept", "handle", "verify_pass"]
    assert "rate_form" in response.context and response.context["rate_form"] is not None


def test_the_handling_result_is_shown_with_personal_data_masked(client, users, case):
    username = users["handler"].username
    close_case(
        case,
        users,
        result=(
            "李强已清理3号楼2楼楼道堆物，住户陈敏（302室）已告知；"
            f"如有问题请联系{username} 13733334444或王师傅021-64001234"
        ),
    )
    response = page_of(client, case)
    assert response.status_code == 200
    shown = response.context["handling_result"]
    assert shown == (
        "**已清理3号楼2楼楼道堆物，住户**（***室）已告知；"
        f"如有问题请联系{'*' * len(username)} 137****4444或*师傅021-****1234"
    )
    text = response.content.decode()
    assert shown in text
    for secret in ("李强", "陈敏", "302", username, "13733334444", "王师傅", "64001234"):
        assert secret not in text, secret


def test_unknown_token_is_a_friendly_404(client, db):
    response = client.get("/resident/t/nope/")
    assert response.status_code == 404
    assert "未找到该案件" in response.content.decode()


def test_rating_before_close_is_refused(client, users, case):
    page = page_of(client, case)
    assert page.context["rate_form"] is None
    response = client.post(f"/resident/t/{case.public_token}/rate/", {"rating": "satisfied"})
    assert response.status_code == 302
    text = client.get(response["Location"]).content.decode()
    assert "不能评价" in text
    case.refresh_from_db()
    assert case.rating == "" and not case.events.filter(action="rate").exists()


def test_rating_a_closed_case_once(client, users, case):
    close_case(case, users)
    url = f"/resident/t/{case.public_token}/rate/"
    response = client.post(url, {"rating": "satisfied", "comment": "处理及时，谢谢"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.rating == "satisfied" and case.rating_comment == "处理及时，谢谢"
    event = case.events.get(action="rate")
    assert event.actor is None
    text = client.get(response["Location"]).content.decode()
    assert "感谢您的评价" in text and "您的评价：满意" in text
    # A second rating is refused with the service's message, nothing written.
    response = client.post(url, {"rating": "unsatisfied"})
    text = client.get(response["Location"]).content.decode()
    assert f"案件{case.number}已评价，不能重复评价" in text
    case.refresh_from_db()
    assert case.rating == "satisfied" and case.events.filter(action="rate").count() == 1


def test_unsatisfied_reopens_once(client, users, case):
    close_case(case, users)
    url = f"/resident/t/{case.public_token}/rate/"
    response = client.post(url, {"rating": "unsatisfied", "comment": "纸箱又堆回来了"})
    case.refresh_from_db()
    assert case.status == "accepted" and case.reopened_once
    text = client.get(response["Location"]).content.decode()
    assert "已重新交由处置单位处理" in text
    assert "您不满意，已重新处置" in text


def test_a_rating_without_a_choice_is_a_message_next_to_it(client, users, case):
    close_case(case, users)
    response = client.post(f"/resident/t/{case.public_token}/rate/", {"comment": "还行"})
    assert response.status_code == 200
    assert response.context["rate_form"].errors["rating"] == ["请选择满意、基本满意或不满意"]
    assert 'id="id_comment"' in response.content.decode() and "还行" in response.content.decode()
    assert not CaseEvent.objects.filter(action="rate").exists()


def test_a_signed_in_reporter_rates_as_themselves(client, users, clutter):
    resident = users["resident"]
    case = case_services.do_report(user=resident, category=clutter, description="楼道堆物").case
    close_case(case, users)
    client.force_login(resident)
    client.post(f"/resident/t/{case.public_token}/rate/", {"rating": "basically"})
    assert case.events.get(action="rate").actor == resident


def test_gets_change_nothing(client, users, case):
    before = (Case.objects.get().updated_at, CaseEvent.objects.count())
    page_of(client, case)
    client.get("/resident/track/")
    client.get(f"/resident/report/done/{case.public_token}/")
    assert client.get(f"/resident/t/{case.public_token}/rate/").status_code == 405
    assert (Case.objects.get().updated_at, CaseEvent.objects.count()) == before


def test_my_reports_newest_first(client, users, clutter):
    resident = users["resident"]
    older = case_services.do_report(
        user=resident,
        category=clutter,
        description="楼道堆物",
        now=timezone.now() - timezone.timedelta(days=2),
    ).case
    newer = case_services.do_report(user=resident, category=clutter, description="飞线充电").case
    other = case_services.do_report(
        user=users["resident2"], category=clutter, description="别人的反映"
    ).case
    client.force_login(resident)
    response = client.get("/resident/")
    text = response.content.decode()
    assert text.index(newer.number) < text.index(older.number)
    assert other.number not in text and "别人的反映" not in text
    assert f"/resident/t/{newer.public_token}/" in text


def test_visitors_get_the_explanation(client, db):
    text = client.get("/resident/").content.decode()
    assert "/resident/report/" in text and "/resident/track/" in text


def test_query_counts(client, users, case, django_assert_max_num_queries):
    close_case(case, users)
    with django_assert_max_num_queries(19):
        assert page_of(client, case).status_code == 200
    with django_assert_max_num_queries(19):
        client.post("/resident/track/", {"number": case.number, "phone": "13912345678"})
    with django_assert_max_num_queries(19):
        client.post(f"/resident/t/{case.public_token}/rate/", {"rating": "satisfied"})
    resident = users["resident"]
    for i in range(25):
        case_services.do_report(user=resident, category=case.category, description=f"问题{i}")
    client.force_login(resident)
    with django_assert_max_num_queries(19):
        assert client.get("/resident/").status_code == 200
    with django_assert_max_num_queries(19):
        assert client.get("/resident/?page=2").status_code == 200


def test_the_track_page_in_english(client, users, case):
    close_case(case, users)
    text = client.get(f"/resident/t/{case.public_token}/", HTTP_ACCEPT_LANGUAGE="en").content
    text = text.decode()
    assert "Progress" in text and "Verified" in text and "Submit rating" in text


def test_an_unknown_receipt_is_a_404(client, db):
    assert client.get("/resident/report/done/nope/").status_code == 404


def test_the_map_draws_streets_when_communities_are_too_many(tree, monkeypatch):
    from civicgrid.public import services

    names = [f["properties"]["name"] for f in services.map_outlines()["features"]]
    assert sorted(names) == ["第1居委", "第2居委"]
    monkeypatch.setattr(services, "MAX_OUTLINES", 1)
    from django.core.cache import cache

    cache.clear()
    names = [f["properties"]["name"] for f in services.map_outlines()["features"]]
    assert names == ["测试街道"]
