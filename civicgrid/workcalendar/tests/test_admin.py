"""Admin: enter 2027's notice, correct a day, filters, role checks — all through services."""

import datetime

import pytest
from django.urls import reverse

from civicgrid.accounts.choices import Role
from civicgrid.testing.factories import UserFactory
from civicgrid.testing.world import local
from civicgrid.workcalendar import services
from civicgrid.workcalendar.choices import DayKind, DaySource
from civicgrid.workcalendar.models import CalendarDay, CalendarRevision, CalendarYear
from civicgrid.workcalendar.tests.notice import NOTICE_2027_HOLIDAYS, NOTICE_2027_WORKDAYS

pytestmark = pytest.mark.django_db

D = datetime.date
YEARS_URL = reverse("admin:workcalendar_calendaryear_changelist")
DAYS_URL = reverse("admin:workcalendar_calendarday_changelist")


def login(client, role):
    user = UserFactory(role=role, is_staff=True)
    client.force_login(user)
    return user


def revision():
    return CalendarRevision.objects.get(pk=1).revision


def test_year_list_with_counts_without_n_plus_one(client, django_assert_max_num_queries):
    login(client, Role.OPERATOR)
    with django_assert_max_num_queries(10):
        response = client.get(YEARS_URL)
    assert response.status_code == 200
    rows = {y.year: y for y in response.context["cl"].result_list}
    assert set(rows) == set(range(2019, 2027))
    # 2026: 3 New Year + 9 Spring Festival + 3 Tomb-sweeping + 5 Labour + 3 Dragon Boat
    # + 3 Mid-Autumn + 7 National Day; worked: 4 Jan, 14 and 28 Feb, 9 May, 20 Sep, 10 Oct.
    assert rows[2026].holiday_total == 33
    assert rows[2026].adjusted_total == 6
    assert "calendar_year__id__exact" in response.content.decode()


def test_operator_enters_the_2027_notice(client):
    user = login(client, Role.OPERATOR)
    before = services.add_working_days(local(2026, 12, 30, 10), 5)
    assert not before.calendar_published
    response = client.post(
        reverse("admin:workcalendar_calendaryear_add"),
        {
            "year": "2027",
            "notice": "国务院办公厅关于2027年部分节假日安排的通知(测试)",
            "published": "on",
            "holidays": NOTICE_2027_HOLIDAYS.replace(",", "\r\n"),
            "workdays": NOTICE_2027_WORKDAYS,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    year = CalendarYear.objects.get(year=2027)
    assert year.published and year.published_by == user and year.days.count() == 365
    after = services.add_working_days(local(2026, 12, 30, 10), 5)
    assert (after.at, after.calendar_published) == (local(2027, 1, 7, 18), True)


def test_bad_notice_in_the_admin_shows_errors_beside_the_fields_and_saves_nothing(client):
    login(client, Role.ADMIN)
    before = revision()
    response = client.post(
        reverse("admin:workcalendar_calendaryear_add"),
        {
            "year": "2027",
            "notice": "",
            "holidays": "元旦=2027-01-01:2027-01-03\r\n春节=2027-02-06:2027-02-14\r\n2026-12-31",
            "workdays": "2027-02-13\r\n2027-02-15",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert any("2026-12-31 不在2027年内" in e for e in errors["holidays"])
    assert any("2027-02-13 同时出现在放假日期和调休上班日期中" in e for e in errors["workdays"])
    assert any("调休上班日期第2项" in e and "只能是周六或周日" in e for e in errors["workdays"])
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert revision() == before


def test_changing_only_the_notice_text_keeps_hand_corrections(client):
    login(client, Role.ADMIN)
    day = CalendarDay.objects.get(date=D(2026, 10, 12))
    services.correct_day(day, kind=DayKind.HOLIDAY, holiday_name="防台", note="区通知")
    year = CalendarYear.objects.get(year=2026)
    url = reverse("admin:workcalendar_calendaryear_change", args=[year.pk])
    form = client.get(url).context["adminform"].form
    assert "国庆节=2026-10-01:2026-10-07" in form.initial["holidays"]
    assert "防台=2026-10-12" in form.initial["holidays"]
    response = client.post(
        url,
        {
            "notice": "国办发明电〔2025〕7号",
            "published": "on",
            "holidays": form.initial["holidays"].replace("\n", "\r\n"),
            "workdays": form.initial["workdays"],
        },
    )
    assert response.status_code == 302
    day.refresh_from_db()
    assert (day.kind, day.source, day.note) == (DayKind.HOLIDAY, DaySource.MANUAL, "区通知")
    assert CalendarYear.objects.get(year=2026).notice == "国办发明电〔2025〕7号"


def test_changing_the_days_of_a_year_republishes_it(client):
    login(client, Role.ADMIN)
    year = CalendarYear.objects.get(year=2026)
    url = reverse("admin:workcalendar_calendaryear_change", args=[year.pk])
    form = client.get(url).context["adminform"].form
    response = client.post(
        url,
        {
            "notice": year.notice,
            "published": "on",
            "holidays": form.initial["holidays"] + "\r\n台风=2026-10-12",
            "workdays": form.initial["workdays"],
        },
    )
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=D(2026, 10, 12)).kind == DayKind.HOLIDAY
    assert CalendarDay.objects.filter(date__year=2026).count() == 365
    assert not services.is_workday(D(2026, 10, 12))


def test_unticking_published_withdraws_the_year(client):
    login(client, Role.ADMIN)
    year = CalendarYear.objects.get(year=2026)
    url = reverse("admin:workcalendar_calendaryear_change", args=[year.pk])
    form = client.get(url).context["adminform"].form
    response = client.post(
        url,
        {
            "notice": year.notice,
            "holidays": form.initial["holidays"],
            "workdays": form.initial["workdays"],
        },
    )
    assert response.status_code == 302
    assert not CalendarYear.objects.get(year=2026).published
    assert not services.add_working_days(local(2026, 9, 30, 10), 3).calendar_published


def test_day_list_filters_by_year_and_kind(client, django_assert_max_num_queries):
    login(client, Role.OPERATOR)
    year = CalendarYear.objects.get(year=2026)
    with django_assert_max_num_queries(15):
        response = client.get(
            DAYS_URL, {"calendar_year__id__exact": year.pk, "kind__exact": DayKind.ADJUSTED_WORKDAY}
        )
    assert response.status_code == 200
    dates = [d.date for d in response.context["cl"].result_list]
    assert dates == [
        D(2026, 1, 4),
        D(2026, 2, 14),
        D(2026, 2, 28),
        D(2026, 5, 9),
        D(2026, 9, 20),
        D(2026, 10, 10),
    ]
    saturdays = client.get(DAYS_URL, {"calendar_year__id__exact": year.pk, "weekday": "6"})
    assert saturdays.context["cl"].result_count == 52


def test_day_corrected_in_the_list_bumps_the_revision(client):
    login(client, Role.OPERATOR)
    before = revision()
    day = CalendarDay.objects.get(date=D(2026, 10, 12))
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(day.pk),
        "form-0-kind": DayKind.HOLIDAY,
        "form-0-holiday_name": "台风停工",
        "form-0-note": "市防汛指挥部通知",
        "_save": "保存",
    }
    response = client.post(DAYS_URL + "?date__year=2026&date__month=10&date__day=12", data)
    assert response.status_code == 302
    day.refresh_from_db()
    assert (day.kind, day.source) == (DayKind.HOLIDAY, DaySource.MANUAL)
    assert revision() == before + 1
    assert not services.is_workday(D(2026, 10, 12))


def test_bad_day_correction_shows_the_error_and_saves_nothing(client):
    login(client, Role.OPERATOR)
    before = revision()
    day = CalendarDay.objects.get(date=D(2026, 10, 12))
    url = reverse("admin:workcalendar_calendarday_change", args=[day.pk])
    response = client.post(url, {"kind": DayKind.WEEKEND, "holiday_name": "", "note": ""})
    assert response.status_code == 200
    assert "只能是“工作日”或“法定节假日”" in str(response.context["adminform"].form.errors)
    day.refresh_from_db()
    assert day.kind == DayKind.WORKDAY
    assert revision() == before


@pytest.mark.parametrize("role", [Role.GRID_WORKER, Role.LEADER])
def test_phone_roles_and_leaders_have_no_calendar_admin(client, role):
    login(client, role)
    assert client.get(YEARS_URL).status_code == 403
    assert client.get(DAYS_URL).status_code == 403
    day = CalendarDay.objects.get(date=D(2026, 10, 12))
    url = reverse("admin:workcalendar_calendarday_change", args=[day.pk])
    response = client.post(url, {"kind": DayKind.HOLIDAY, "holiday_name": "", "note": ""})
    assert response.status_code == 403
    day.refresh_from_db()
    assert day.kind == DayKind.WORKDAY


def test_community_staff_may_look_but_not_change(client):
    login(client, Role.COMMUNITY_STAFF)
    assert client.get(YEARS_URL).status_code == 200
    assert client.get(DAYS_URL).status_code == 200
    assert client.get(reverse("admin:workcalendar_calendaryear_add")).status_code == 403
    day = CalendarDay.objects.get(date=D(2026, 10, 12))
    url = reverse("admin:workcalendar_calendarday_change", args=[day.pk])
    response = client.post(url, {"kind": DayKind.HOLIDAY, "holiday_name": "", "note": ""})
    assert response.status_code == 403
    day.refresh_from_db()
    assert day.kind == DayKind.WORKDAY
