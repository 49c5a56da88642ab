"""Consent to be named (同意在光荣榜/社区报上公开姓名): no by default, recorded with its date on the
registration form, the volunteers page and the API; the honour roll of top volunteers names only
those who consented and tells the reviewer how many were left out (a number, no names)."""

import datetime

import pytest

from civicgrid.notices import generate
from civicgrid.notices.models import HonourEntry, NoticeEvent
from civicgrid.timebank import services
from civicgrid.timebank.models import Volunteer
from civicgrid.timebank.tests.conftest import serve

pytestmark = pytest.mark.django_db


def test_the_roll_names_only_volunteers_who_consented(bank, users, tree, clock):
    assert not bank["volunteer"].name_consent and bank["volunteer"].name_consent_on is None
    services.do_set_name_consent(users["staff"], bank["outsider"], True)
    bank["outsider"].refresh_from_db()
    assert bank["outsider"].name_consent_on == datetime.date(2026, 11, 23)
    services.do_verify(serve(bank, minutes=300), users["staff"])  # 陈敏: the most hours
    services.do_verify(serve(bank, minutes=60, volunteer=bank["outsider"]), users["staff"])
    roll = generate.volunteer_honour_roll(
        None, datetime.date(2026, 1, 1), datetime.date(2026, 12, 31), department_name="爱心银行"
    )
    assert list(HonourEntry.objects.filter(notice=roll).values_list("name", flat=True)) == ["李华"]
    note = NoticeEvent.objects.get(notice=roll, action="draft").note
    assert "有1位未同意公开姓名" in note and bank["volunteer"].name not in note
    assert bank["volunteer"].name not in roll.body


def test_consent_withdrawn_clears_the_date_and_others_may_not_set_it(bank, users):
    services.do_set_name_consent(users["staff"], bank["volunteer"], True)
    services.do_set_name_consent(users["staff"], bank["volunteer"], False)
    bank["volunteer"].refresh_from_db()
    assert (bank["volunteer"].name_consent, bank["volunteer"].name_consent_on) == (False, None)
    from django.core.exceptions import PermissionDenied

    for who in ("staff2", "worker", "resident"):  # another 居村's 居委, a grid worker, a resident
        with pytest.raises(PermissionDenied):
            services.do_set_name_consent(users[who], bank["volunteer"], True)
    assert not Volunteer.objects.filter(name_consent=True).exists()


def test_registration_page_and_list_record_consent(bank, users, client_for):
    client = client_for(users["staff"])
    answer = client.post(
        "/timebank/volunteers/",
        {
            "action": "register",
            "who": "outside",
            "name": "赵敏",
            "key": "13700003333",
            "community": bank["communities"][0].pk,
            "joined_on": "2026-11-20",
            "name_consent": "on",
        },
    )
    assert answer.status_code == 302
    added = Volunteer.objects.get(name="赵敏")
    assert added.name_consent and added.name_consent_on == datetime.date(2026, 11, 23)
    page = client.get("/timebank/volunteers/").content.decode()
    assert "已同意（2026-11-23）" in page and "记录同意" in page
    answer = client.post(
        "/timebank/volunteers/",
        {"action": "consent", "volunteer": bank["volunteer"].pk, "consent": "yes"},
    )
    assert answer.status_code == 302
    bank["volunteer"].refresh_from_db()
    assert bank["volunteer"].name_consent
    # Someone who may only look gets no buttons and may not post.
    leader = client_for(users["leader"])
    assert "记录同意" not in leader.get("/timebank/volunteers/").content.decode()
    assert (
        leader.post(
            "/timebank/volunteers/",
            {"action": "consent", "volunteer": bank["outsider"].pk, "consent": "yes"},
        ).status_code
        == 403
    )


def test_api_sets_and_shows_consent(bank, users, api):
    url = f"/api/timebank/volunteers/{bank['outsider'].pk}/consent/"
    answer = api(users["staff"]).post(
        url, {"name_consent": True, "name_consent_on": "2026-11-01"}, format="json"
    )
    assert answer.status_code == 200, answer.content
    assert answer.json()["name_consent"] is True
    assert answer.json()["name_consent_on"] == "2026-11-01"
    assert (
        api(users["staff"])
        .post(url, {"name_consent": True, "name_consent_on": "2027-01-01"}, format="json")
        .status_code
        == 400
    )
    assert api(users["leader"]).post(url, {"name_consent": False}, format="json").status_code == 403
    listed = api(users["staff"]).get("/api/timebank/volunteers/").json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert {r["name"]: r["name_consent"] for r in rows}["李华"] is True
