"""The staff's party pages end to end (issue 16): organisations (the one-organisation-per-micro-
grid rule and the 网格长 head rule as form errors), members (phone masked, 双报到), posts, star
ratings, organisational life, service points (with the map picker) and co-building agreements —
each saved through its service, bad input answered in Chinese with nothing saved, and every
form linked from the party index."""

import pytest

from civicgrid.party.models import (
    Assignment,
    CoBuilding,
    LifeMeeting,
    Member,
    Organisation,
    PartyEvent,
    ServicePoint,
    StarRating,
)

pytestmark = pytest.mark.django_db


def _org_body(party, tree, **fields):
    return {
        "name": "第1居委第1网格第二党小组",
        "short_name": "第二党小组",
        "level": "group",
        "sector": "residential",
        "parent": party["branches"][0].pk,
        "grid": tree["micro_grids"][0].pk,
        "started_on": "2025-01-01",
        "ended_on": "",
        "note": "",
    } | fields


def test_the_index_links_every_form_for_editors_only(party, client_for, users):
    page = client_for(users["admin"]).get("/party/").content.decode()
    for url in (
        "/party/org/new/",
        "/party/members/new/",
        "/party/stars/new/",
        "/party/life/new/",
        "/party/points/new/",
        "/party/co-buildings/new/",
    ):
        assert f'href="{url}"' in page, url
    reader = client_for(users["leader"])
    assert 'href="/party/org/new/"' not in reader.get("/party/").content.decode()
    assert reader.get("/party/org/new/").status_code == 403
    assert reader.get("/party/points/").status_code == 200


def test_an_organisation_is_created_and_a_second_on_a_micro_grid_refused(
    party, client_for, users, tree
):
    client = client_for(users["admin"])
    assert client.get("/party/org/new/").status_code == 200
    before = Organisation.objects.count()
    refused = client.post("/party/org/new/", _org_body(party, tree))
    assert refused.status_code == 400
    assert "每个微网格只设一个党组织" in refused.content.decode()
    assert Organisation.objects.count() == before
    bad = client.post("/party/org/new/", _org_body(party, tree, started_on="昨天"))
    assert bad.status_code == 400 and Organisation.objects.count() == before
    answer = client.post(
        "/party/org/new/",
        _org_body(party, tree, grid=tree["micro_grids"][3].pk, parent=party["branches"][1].pk),
    )
    assert answer.status_code == 302
    org = Organisation.objects.get(grid=tree["micro_grids"][3])
    assert answer["Location"] == f"/party/org/{org.pk}/"
    assert PartyEvent.objects.filter(kind="create", object_id=org.pk).exists()
    # A 居委 keeps only its own 居村's organisations.
    client = client_for(users["staff"])
    page = client.get(f"/party/org/{org.pk}/edit/")
    assert page.status_code == 404


def test_the_head_rule_is_a_form_error_and_saves_nothing(party, client_for, users, tree, settings):
    settings.CIVICGRID_PARTY_HEAD_RULE = "refuse"
    from civicgrid.party import services

    group = party["groups"][0]
    other = services.do_register_member(group, {"name": "李华", "phone": "13700001111"})
    client = client_for(users["staff"])
    form = client.get(f"/party/org/{group.pk}/edit/")
    assert form.status_code == 200 and "李华" in form.content.decode()
    body = _org_body(party, tree, name="改过的全称", short_name=group.short_name)
    refused = client.post(f"/party/org/{group.pk}/edit/", body | {"secretary": other.pk})
    assert refused.status_code == 400
    assert "微网格党组织负责人兼任网格长" in refused.content.decode()
    group.refresh_from_db()
    assert group.secretary == party["head"] and group.name != "改过的全称"
    saved = client.post(f"/party/org/{group.pk}/edit/", body | {"secretary": party["head"].pk})
    assert saved.status_code == 302
    group.refresh_from_db()
    assert group.name == "改过的全称" and group.secretary == party["head"]


def test_a_member_is_registered_edited_and_shown_masked(party, client_for, users, tree):
    client = client_for(users["staff"])
    group = party["groups"][1]
    body = {
        "organisation": group.pk,
        "name": "王芳",
        "phone": "13800001234",
        "work_status": "in_work",
        "work_unit": "某公司",
        "dual_report_community": tree["communities"][0].pk,
        "dual_report_on": "",
    }
    refused = client.post("/party/members/new/", body)
    assert refused.status_code == 400
    assert "双报到须同时填写居村和日期" in refused.content.decode()
    assert not Member.objects.filter(name="王芳").exists()
    answer = client.post("/party/members/new/", body | {"dual_report_on": "2026-03-01"})
    assert answer.status_code == 302
    member = Member.objects.get(name="王芳")
    page = client.get(f"/party/members/{member.pk}/").content.decode()
    assert "138****1234" in page and "13800001234" not in page
    form = client.get(f"/party/members/{member.pk}/edit/").content.decode()
    assert "13800001234" not in form and "138****1234" in form
    edit = {k: v for k, v in body.items() if k != "organisation"} | {
        "phone": "",
        "work_status": "retired",
        "dual_report_on": "2026-03-01",
        "is_active": "on",
    }
    assert client.post(f"/party/members/{member.pk}/edit/", edit).status_code == 302
    member.refresh_from_db()
    assert member.work_status == "retired" and member.phone == "13800001234"
    # A post for the member: a liaison to a 业委会 names it.
    url = f"/party/members/{member.pk}/"
    bad = client.post(url, {"kind": "owners_liaison", "started_on": "2026-04-01"})
    assert bad.status_code == 400 and "请填写所联络的业委会" in bad.content.decode()
    assert not Assignment.objects.filter(member=member).exists()
    good = {"kind": "owners_liaison", "detail": "康桥半岛业委会", "started_on": "2026-04-01"}
    assert client.post(url, good).status_code == 302
    assert "康桥半岛业委会" in client.get(url).content.decode()
    # A reader may look, not post.
    reader = client_for(users["leader"])
    assert reader.get(url).status_code == 200
    assert reader.post(url, good).status_code == 403


def test_a_star_rating_and_organisational_life(party, client_for, users):
    client = client_for(users["staff"])
    group = party["groups"][0]
    rating = {
        "organisation": group.pk,
        "year": "2025",
        "stars": "5",
        "awarded_by": "区委组织部",
        "score": "96.5",
        "criteria": "",
        "awarded_on": "2026-01-15",
    }
    assert client.post("/party/stars/new/", rating).status_code == 302
    again = client.post("/party/stars/new/", rating)
    assert again.status_code == 400 and "年度已有星级评定" in again.content.decode()
    assert StarRating.objects.filter(organisation=group).count() == 1
    life = {
        "organisation": group.pk,
        "kind": "group_meeting",
        "held_on": "2026-11-02",
        "topic": "学习二十届四中全会精神",
        "expected": "6",
        "attended": "5",
        "venue": "remote",
        "main_session": "",
    }
    refused = client.post("/party/life/new/", life)
    assert refused.status_code == 400 and "视频分会场须选择主会场" in refused.content.decode()
    assert not LifeMeeting.objects.filter(organisation=group).exists()
    answer = client.post("/party/life/new/", life | {"venue": "main"})
    assert answer.status_code == 302 and answer["Location"] == f"/party/org/{group.pk}/"
    meeting = LifeMeeting.objects.get(organisation=group)
    assert (meeting.attended, meeting.expected, meeting.recorded_by) == (5, 6, users["staff"])


def test_a_service_point_with_the_map_picker(party, client_for, users, client):
    admin = client_for(users["admin"])
    form = admin.get("/party/points/new/").content.decode()
    assert 'id="party-point-map"' in form and "leaflet" in form and 'data-pick-lon="id_lng"' in form
    body = {
        "name": "汤巷馨村红色加油站",
        "tier": "point",
        "kind": "red_station",
        "organisation": party["groups"][0].pk,
        "grid": "",
        "address": "汤巷馨村 12 号",
        "hours": "周一至周五 9:00-17:00",
        "services": "党员学习、便民服务、志愿服务",
        "lng": "121.30",
        "lat": "40.1",
        "is_active": "on",
    }
    refused = admin.post("/party/points/new/", body)
    assert refused.status_code == 400 and "纬度不在上海范围内" in refused.content.decode()
    assert not ServicePoint.objects.exists()
    assert admin.post("/party/points/new/", body | {"lat": "31.25"}).status_code == 302
    point = ServicePoint.objects.get()
    assert point.services == ["党员学习", "便民服务", "志愿服务"]
    assert "汤巷馨村红色加油站" in client.get("/party/map/").content.decode()
    edit = body | {"lat": "31.25", "hours": "每天 8:00-20:00"}
    assert admin.post(f"/party/points/{point.pk}/edit/", edit).status_code == 302
    point.refresh_from_db()
    assert point.hours == "每天 8:00-20:00"
    assert "每天 8:00-20:00" in admin.get("/party/points/").content.decode()


def test_a_co_building_agreement_is_signed_and_changed(party, client_for, users):
    client = client_for(users["admin"])
    body = {
        "organisation": party["town"].pk,
        "title": "“1+6+7+x”企业党建联建协议",
        "partners": "",
        "signed_on": "2026-07-01",
        "working_group": "营商环境专项推进组",
        "projects": "青年人才公寓、楼宇党群服务站",
    }
    refused = client.post("/party/co-buildings/new/", body)
    assert refused.status_code == 400 and "请填写共建单位" in refused.content.decode()
    assert not CoBuilding.objects.exists()
    body["partners"] = "某科技公司、某物流公司"
    assert client.post("/party/co-buildings/new/", body).status_code == 302
    agreement = CoBuilding.objects.get()
    assert agreement.partners == ["某科技公司", "某物流公司"]
    assert agreement.projects == ["青年人才公寓", "楼宇党群服务站"]
    edit = {k: v for k, v in body.items() if k != "organisation"} | {
        "title": "党建联建协议（续签）"
    }
    assert client.post(f"/party/co-buildings/{agreement.pk}/edit/", edit).status_code == 302
    agreement.refresh_from_db()
    assert agreement.title == "党建联建协议（续签）"
    assert PartyEvent.objects.filter(kind="co_building_update").exists()
    assert "党建联建协议（续签）" in client.get("/party/co-buildings/").content.decode()


def test_a_remote_venue_chooses_among_that_day_s_main_sessions(party, client_for, users):
    import datetime

    from civicgrid.party import services

    group = party["groups"][0]
    client = client_for(users["staff"])
    held = {}
    for day in ("2026-11-02", "2026-11-03"):
        held[day] = services.do_record_life(
            party["branches"][0],
            {
                "kind": "theme_day",
                "held_on": datetime.date.fromisoformat(day),
                "topic": f"主题党日 {day}",
                "expected": 30,
                "attended": 28,
                "venue": "main",
            },
            users["admin"],
        )
    # Choosing the date reloads the options (htmx): only that day's main sessions.
    form = client.get("/party/life/new/").content.decode()
    assert 'hx-get="/party/life/sessions/"' in form and 'hx-target="#id_main_session"' in form
    options = client.get("/party/life/sessions/", {"held_on": "2026-11-02"}).content.decode()
    assert f'value="{held["2026-11-02"].pk}"' in options
    assert f'value="{held["2026-11-03"].pk}"' not in options
    assert client.get("/party/life/sessions/", {"held_on": "x"}).status_code == 200
    life = {
        "organisation": group.pk,
        "kind": "group_meeting",
        "held_on": "2026-11-02",
        "topic": "收看主会场直播",
        "expected": "6",
        "attended": "6",
        "venue": "remote",
        "main_session": held["2026-11-03"].pk,
    }
    refused = client.post("/party/life/new/", life)
    assert refused.status_code == 400
    assert not LifeMeeting.objects.filter(organisation=group).exists()
    answer = client.post("/party/life/new/", life | {"main_session": held["2026-11-02"].pk})
    assert answer.status_code == 302
    assert LifeMeeting.objects.get(organisation=group).main_session == held["2026-11-02"]
    assert client_for(users["leader"]).get("/party/life/sessions/").status_code == 403


def test_an_edit_page_shows_the_stored_dates_in_its_date_pickers(party, client_for, users):
    # <input type="date"> takes YYYY-MM-DD only: Django wrote 2025/01/01 (zh-hans), the browser
    # showed an empty field, and saving the edit refused (or cleared) the date.
    organisation = party["branches"][0]
    page = client_for(users["admin"]).get(f"/party/org/{organisation.pk}/edit/").content.decode()
    started = organisation.started_on.isoformat()
    assert f'type="date" name="started_on" value="{started}"' in page


def test_the_street_s_organisations_are_shown_to_a_committee_but_not_offered_for_editing(
    party, client_for, users
):
    # 居委 staff see the 街道党工委 (the tree above theirs) and were offered its edit form,
    # which the save then refused with 403.
    town, own = party["town"], party["branches"][0]
    client = client_for(users["staff"])
    page = client.get(f"/party/org/{town.pk}/").content.decode()
    assert page.count("街道党工委") and f'href="/party/org/{town.pk}/edit/"' not in page
    assert client.get(f"/party/org/{town.pk}/edit/").status_code == 403
    page = client.get(f"/party/org/{own.pk}/").content.decode()
    assert f'href="/party/org/{own.pk}/edit/"' in page
    assert client.get(f"/party/org/{own.pk}/edit/").status_code == 200
    # The street's roles change either.
    admin = client_for(users["admin"])
    assert (
        f'href="/party/org/{town.pk}/edit/"' in admin.get(f"/party/org/{town.pk}/").content.decode()
    )
