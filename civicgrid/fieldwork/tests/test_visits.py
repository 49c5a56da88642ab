"""Household visits (走访): whom (masked personal data), when, what was asked, follow-ups; the
weekly summary per worker of "四百走访"."""

import datetime
import re

import pytest
from django.utils import timezone

from civicgrid.fieldwork import services
from civicgrid.fieldwork.models import FollowUp, Visit
from civicgrid.registry.models import Resident

pytestmark = pytest.mark.django_db


def local(*args):
    return timezone.make_aware(datetime.datetime(*args))


def test_the_search_shows_names_but_masks_phones_and_id_numbers(users, households, client_for):
    text = client_for(users["worker"]).get("/m/visits/new/?q=1501弄").content.decode()
    residents = Resident.objects.filter(household__in=households[0])
    assert residents.count() == 4
    for r in residents:
        assert r.name in text
        assert r.phone not in text and r.id_number not in text
        assert f"{r.phone[:3]}****{r.phone[-4:]}" in text
        assert f"{r.id_number[:2]}**************{r.id_number[-2:]}" in text


def test_record_a_visit_with_follow_ups(users, households, client_for):
    household = households[0][0]
    c = client_for(users["worker"])
    page = c.get(f"/m/visits/new/?household={household.pk}").content.decode()
    assert household.address.normalized in page
    when = timezone.localtime() - datetime.timedelta(hours=1)
    response = c.post(
        "/m/visits/new/",
        {
            "household": household.pk,
            "visited_at": when.strftime("%Y-%m-%dT%H:%M"),
            "topics": "了解独居老人身体状况，询问加装电梯意愿",
            "follow_ups": "联系物业修复楼道灯\n\n帮助申请助餐服务\n",
        },
    )
    assert response["Location"] == "/m/visits/"
    visit = Visit.objects.get()
    assert visit.worker == users["worker"] and visit.household == household
    assert visit.micro_grid == household.address.micro_grid
    assert list(visit.follow_ups.values_list("text", flat=True)) == [
        "联系物业修复楼道灯",
        "帮助申请助餐服务",
    ]
    listing = c.get("/m/visits/").content.decode()
    assert "联系物业修复楼道灯" in listing and "未完成的跟进事项：2 条" in listing

    follow_up = visit.follow_ups.first()
    response = c.post(f"/m/follow-ups/{follow_up.pk}/done/", {"done": "1", "next": "/m/visits/"})
    assert response["Location"] == "/m/visits/"
    follow_up.refresh_from_db()
    assert follow_up.is_done and follow_up.done_at
    c.post(f"/m/follow-ups/{follow_up.pk}/done/", {"done": "0", "next": "https://evil.example/"})
    follow_up.refresh_from_db()
    assert not follow_up.is_done and follow_up.done_at is None


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"topics": " "}, "topics", "请填写询问事项"),
        ({"visited_at": "明天"}, "visited_at", "输入一个有效的日期/时间"),
        ({"visited_at": "2099-01-01T10:00"}, "visited_at", "走访时间不能晚于现在"),
        ({"visited_at": "2020-01-01T10:00"}, "visited_at", "只能登记60天内的走访"),
        ({"follow_ups": "x" * 301}, "follow_ups", "每条跟进事项不能超过300个字"),
    ],
)
def test_bad_visits_write_nothing_and_keep_the_text(
    users, households, client_for, changes, field, message
):
    household = households[0][0]
    data = {
        "household": household.pk,
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "topics": "询问垃圾分类投放点设置意见",
        "follow_ups": "",
        **changes,
    }
    response = client_for(users["worker"]).post("/m/visits/new/", data)
    assert response.status_code == 400
    text = response.content.decode()
    block = re.search(rf'id="field-{field}".*?</div>', text, re.S).group(0)
    assert message in block
    if field != "topics":
        assert "询问垃圾分类投放点设置意见" in text
    assert not Visit.objects.exists() and not FollowUp.objects.exists()


def test_another_grids_household_is_403(users, households, client_for):
    response = client_for(users["worker"]).post(
        "/m/visits/new/",
        {
            "household": households[2][0].pk,
            "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "topics": "走访",
        },
    )
    assert response.status_code == 403
    assert not Visit.objects.exists()


def test_another_grids_follow_up_cannot_be_closed(users, households, client_for):
    visit = services.record_visit(
        users["worker2"], households[2][0], topics="走访", follow_ups=["修门禁"]
    )
    follow_up = visit.follow_ups.get()
    assert (
        client_for(users["worker"]).post(f"/m/follow-ups/{follow_up.pk}/done/").status_code == 403
    )
    follow_up.refresh_from_db()
    assert not follow_up.is_done


def _visit(user, household, at, follow_ups=(), done=0):
    visit = services.record_visit(user, household, topics="四百走访", follow_ups=list(follow_ups))
    Visit.objects.filter(pk=visit.pk).update(visited_at=at)
    for f in list(visit.follow_ups.all())[:done]:
        services.set_follow_up_done(f, user)
    return visit


def test_the_weekly_summary_counts_per_worker_and_iso_week(users, households, client_for):
    u = users
    h0, h1 = households[0]
    # ISO week 2026-W48 is Mon 23 Nov – Sun 29 Nov; W49 starts Mon 30 Nov.
    today = datetime.date(2026, 12, 1)
    _visit(u["worker"], h0, local(2026, 11, 23, 9, 0), ["修灯", "助餐"], done=1)
    _visit(u["worker"], h0, local(2026, 11, 29, 23, 30), ["送药"])  # Sunday night: W48
    _visit(u["worker"], h1, local(2026, 11, 25, 15, 0))
    _visit(u["worker"], h1, local(2026, 11, 30, 0, 10), ["回访"], done=1)  # Monday: W49
    _visit(u["colleague"], h1, local(2026, 11, 24, 10, 0), ["报修"])
    _visit(u["worker"], h0, local(2026, 9, 1, 10, 0))  # before the period

    rows = services.weekly_summary(u["worker"], weeks=8, today=today)
    assert [(r["week"], r["worker"]) for r in rows] == [(49, "王秀英"), (48, "王秀英")]
    w49, w48 = rows
    assert (w48["visits"], w48["households"], w48["follow_ups_open"], w48["follow_ups_done"]) == (
        3,
        2,
        2,
        1,
    )
    assert (w49["visits"], w49["households"], w49["follow_ups_open"], w49["follow_ups_done"]) == (
        1,
        1,
        0,
        1,
    )
    assert w48["monday"] == datetime.date(2026, 11, 23)

    # The grid leader and community staff see every worker of their grids.
    for overseer in ("gridhead", "staff"):
        rows = services.weekly_summary(u[overseer], weeks=8, today=today)
        assert [(r["week"], r["worker"], r["visits"]) for r in rows] == [
            (49, "王秀英", 1),
            (48, "王秀英", 3),
            (48, "陈丽", 1),
        ]
    # A worker of another community sees none of it.
    assert services.weekly_summary(u["worker2"], weeks=8, today=today) == []
    assert services.weekly_summary(u["former"], weeks=8, today=today) == []


def test_the_summary_page(users, households, client_for):
    services.record_visit(users["worker"], households[0][0], topics="走访", follow_ups=["修灯"])
    text = client_for(users["gridhead"]).get("/m/visits/summary/?weeks=x").content.decode()
    assert "王秀英" in text and "走访 1 次" in text and "未完成 1" in text


def test_the_service_refuses_unknown_households(users):
    from django.core.exceptions import ValidationError

    for bad in ("abc", 999999, None):
        with pytest.raises(ValidationError):
            services.record_visit(users["worker"], bad, topics="走访")
    assert not Visit.objects.exists()
