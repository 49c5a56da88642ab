"""The party app's rules, through its services: coverage and one organisation per micro-grid,
the 网格长-is-the-head rule (flag or refuse), "三会一课" completion against the standard
frequencies, and bad input refused with nothing saved."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.grids import services as grid_services
from civicgrid.grids.choices import PostRole
from civicgrid.party import services
from civicgrid.party.models import (
    CoBuilding,
    LifeMeeting,
    Member,
    Organisation,
    PartyEvent,
    ServicePoint,
    StarRating,
)
from civicgrid.testing.factories import StaffMemberFactory

pytestmark = pytest.mark.django_db


def _group(micro, parent, **extra):
    return {
        "name": f"{micro.name}第二党小组",
        "short_name": "第二党小组",
        "level": "group",
        "sector": "residential",
        "parent": parent,
        "grid": micro,
        "started_on": datetime.date(2024, 1, 1),
        **extra,
    }


def test_coverage_flags_the_micro_grid_without_an_organisation(party, tree):
    cover = services.coverage()
    micro = tree["micro_grids"]
    assert (cover["micro_grids"], cover["covered"], cover["percent"]) == (4, 3, 75.0)
    assert cover["uncovered"] == [micro[3]]
    second = cover["by_community"][1]
    assert (second["micro_grids"], second["covered"], second["uncovered"]) == (2, 1, [micro[3]])
    # Scoped to the second 居委's micro-grids, the figures are theirs alone.
    scoped = services.coverage(tree["communities"][1].children.all())
    assert (scoped["micro_grids"], scoped["covered"]) == (2, 1)


def test_coverage_counts_with_a_fixed_number_of_queries(party, tree, django_assert_num_queries):
    with django_assert_num_queries(3):
        services.coverage()


def test_a_second_organisation_in_a_micro_grid_is_refused(party, tree):
    before = (Organisation.objects.count(), PartyEvent.objects.count())
    with pytest.raises(ValidationError) as error:
        services.do_save_organisation(_group(tree["micro_grids"][0], party["branches"][0]))
    assert "每个微网格只设一个党组织" in error.value.message_dict["grid"][0]
    assert (Organisation.objects.count(), PartyEvent.objects.count()) == before


def test_after_the_first_is_closed_a_new_one_may_cover_the_micro_grid(party, tree):
    micro = tree["micro_grids"][0]
    services.do_close_organisation(party["groups"][0], datetime.date(2025, 12, 31), reason="调整")
    # Overlapping the old one's life is still refused; from the day after it is allowed.
    with pytest.raises(ValidationError):
        services.do_save_organisation(
            _group(micro, party["branches"][0], started_on=datetime.date(2025, 6, 1))
        )
    new = services.do_save_organisation(
        _group(micro, party["branches"][0], started_on=datetime.date(2026, 1, 1))
    )
    cover = services.coverage()
    assert cover["covered"] == 3 and cover["doubled"] == []
    assert new.grid == micro


def test_closing_uncovers_the_micro_grid(party, tree):
    services.do_close_organisation(party["groups"][1], datetime.date(2026, 6, 30), reason="合并")
    assert services.coverage()["uncovered"] == [tree["micro_grids"][1], tree["micro_grids"][3]]
    # As it stood before the closing, it was covered.
    past = services.coverage(on=datetime.date(2026, 6, 1))
    assert past["uncovered"] == [tree["micro_grids"][3]]


def test_a_micro_grid_takes_a_branch_or_group_and_a_parent_of_a_higher_level(party, tree):
    with pytest.raises(ValidationError) as error:
        services.do_save_organisation(
            _group(tree["micro_grids"][3], party["branches"][1], level="committee")
        )
    assert error.value.message_dict["level"] == ["微网格设党支部或党小组"]
    with pytest.raises(ValidationError) as error:
        services.do_save_organisation(_group(tree["micro_grids"][3], party["groups"][0]))
    assert "党小组不能设在党小组之下" in error.value.message_dict["parent"][0]


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("name", "", "请填写全称"),
        ("name", "党\x00小组", "控制字符"),
        ("level", "cell", "请选择有效的层级"),
        ("started_on", "2026-13-01", "格式不正确"),
        ("ended_on", "2023-01-01", "撤销日期不能早于成立日期"),
        ("grid", "999999", "覆盖网格不存在"),
    ],
)
def test_bad_organisation_input_is_refused_and_nothing_saved(party, tree, field, value, message):
    before = (Organisation.objects.count(), PartyEvent.objects.count())
    with pytest.raises(ValidationError) as error:
        services.do_save_organisation(
            _group(tree["micro_grids"][3], party["branches"][1], **{field: value})
        )
    assert message in error.value.message_dict[field][0]
    assert (Organisation.objects.count(), PartyEvent.objects.count()) == before


def test_the_head_rule_flags_a_grid_leader_who_is_not_the_head(party, tree, users, settings):
    settings.CIVICGRID_PARTY_HEAD_RULE = "flag"
    micro = tree["micro_grids"]
    assert services.coverage()["head_mismatch"] == []
    # Micro-grid 1's group gets a head who is not its 网格长 (张建国): allowed, and flagged.
    other = services.do_register_member(
        party["groups"][1], {"name": "李红", "staff": StaffMemberFactory(name="李红")}
    )
    services.do_set_secretary(party["groups"][1], other)
    assert services.coverage()["head_mismatch"] == [micro[1]]


def test_the_head_rule_refuses_when_configured(party, tree, users, settings):
    settings.CIVICGRID_PARTY_HEAD_RULE = "refuse"
    micro = tree["micro_grids"]
    other = services.do_register_member(
        party["groups"][1], {"name": "李红", "staff": StaffMemberFactory(name="李红")}
    )
    with pytest.raises(ValidationError) as error:
        services.do_set_secretary(party["groups"][1], other)
    assert "现任网格长是" in error.value.message_dict["secretary"][0]
    assert Organisation.objects.get(pk=party["groups"][1].pk).secretary is None
    # The grid side: a 网格长 post on micro-grid 0 for anyone but its group's head is refused
    # (through grids' post-check hook), and the head's own post is accepted.
    grid_services.end_post(
        users["gridhead"].staff_member.posts.get(micro_grid=micro[0]), datetime.date(2026, 1, 1)
    )
    stranger = StaffMemberFactory(name="王五")
    with pytest.raises(ValidationError) as error:
        grid_services.appoint(stranger, micro[0], PostRole.LEADER, datetime.date(2026, 2, 1))
    assert "网格长由微网格党组织负责人兼任" in error.value.message_dict["staff"][0]
    assert not stranger.posts.exists()
    post = grid_services.appoint(
        users["gridhead"].staff_member, micro[0], PostRole.LEADER, datetime.date(2026, 2, 1)
    )
    assert post.pk


def _meet(org, kind, day, **extra):
    return services.do_record_life(
        org,
        {"kind": kind, "held_on": day, "topic": "学习", "expected": 10, "attended": 8, **extra},
    )


def test_completion_of_three_meetings_and_a_class(party):
    branch = party["branches"][0]
    group = party["groups"][0]
    d = datetime.date
    # The 总支: member meetings in Q1 and Q3 (two in Q3 count once), a party class in each of
    # Q1–Q4, committee meetings in January to October (not November).
    _meet(branch, "member_meeting", d(2026, 2, 10))
    _meet(branch, "member_meeting", d(2026, 8, 10))
    _meet(branch, "member_meeting", d(2026, 9, 10))
    for month in (2, 5, 8, 11):
        _meet(branch, "party_class", d(2026, month, 3))
    for month in range(1, 11):
        _meet(branch, "committee_meeting", d(2026, month, 5))
    _meet(branch, "theme_day", d(2026, 7, 1))
    # The group: monthly group meetings, all eleven months so far.
    for month in range(1, 12):
        _meet(group, "group_meeting", d(2026, month, 15))
    rows = {r["organisation"].pk: r for r in services.life_completion(2026, upto=d(2026, 11, 23))}
    row = rows[branch.pk]
    assert row["kinds"] == {
        "member_meeting": (2, 4),
        "committee_meeting": (10, 11),
        "party_class": (4, 4),
    }
    assert (row["met"], row["due"], row["percent"]) == (16, 19, 84.2)
    assert rows[group.pk]["kinds"] == {"group_meeting": (11, 11)}
    assert rows[group.pk]["percent"] == 100.0
    # A group that has met nothing owes eleven months; the town 党委 owes nothing here.
    assert rows[party["groups"][2].pk]["kinds"] == {"group_meeting": (0, 11)}
    assert party["town"].pk not in rows
    # A past year is judged on all its periods; an organisation started mid-year from its start.
    late = services.do_save_organisation(
        {
            "name": "第二居委第二网格党小组",
            "short_name": "新党小组",
            "level": "group",
            "sector": "residential",
            "parent": party["branches"][1],
            "grid": party["groups"][2]
            .grid.parent.children.exclude(pk=party["groups"][2].grid_id)
            .get(),
            "started_on": d(2026, 9, 20),
        }
    )
    late_row = services.life_completion(2026, Organisation.objects.filter(pk=late.pk))[0]
    assert late_row["kinds"] == {"group_meeting": (0, 3)}


def test_completion_reads_in_two_queries(party, django_assert_num_queries):
    _meet(party["groups"][0], "group_meeting", datetime.date(2026, 3, 1))
    with django_assert_num_queries(2):
        services.life_completion(2026)


@pytest.mark.parametrize(
    "extra,field,message",
    [
        ({"attended": 12}, "attended", "实到人数不能多于应到人数"),
        ({"held_on": datetime.date(2026, 12, 1)}, "held_on", "不能登记尚未召开"),
        ({"held_on": datetime.date(2019, 6, 1)}, "held_on", "早于党组织成立日期"),
        ({"kind": "member_meeting"}, "kind", "党小组不召开支部党员大会"),
        ({"expected": "十"}, "expected", "必须是整数"),
        ({"venue": "remote"}, "main_session", "视频分会场须选择主会场"),
        ({"topic": ""}, "topic", "请填写主题"),
    ],
)
def test_bad_life_records_are_refused_and_nothing_saved(party, extra, field, message):
    data = {
        "kind": "group_meeting",
        "held_on": datetime.date(2026, 11, 1),
        "topic": "学习",
        "expected": 10,
        "attended": 8,
        **extra,
    }
    with pytest.raises(ValidationError) as error:
        services.do_record_life(party["groups"][0], data)
    assert message in error.value.message_dict[field][0]
    assert not LifeMeeting.objects.exists()


def test_a_remote_venue_joins_its_main_session(party):
    main = _meet(party["branches"][0], "party_class", datetime.date(2026, 7, 1))
    remote = _meet(
        party["branches"][1],
        "party_class",
        datetime.date(2026, 7, 1),
        venue="remote",
        main_session=main.pk,
    )
    assert remote.main_session == main and list(main.remote_sessions.all()) == [remote]


def test_staff_edit_only_their_own_community(party, users, tree):
    data = _group(tree["micro_grids"][3], party["branches"][1])
    with pytest.raises(PermissionDenied):
        services.do_save_organisation(data, users["staff"])
    with pytest.raises(PermissionDenied):
        services.do_save_organisation(data, users["worker"])
    org = services.do_save_organisation(data, users["staff2"])
    assert PartyEvent.objects.filter(organisation=org, user=users["staff2"]).exists()


def test_members_in_bulk_and_one_bad_row_refuses_all(party, tree):
    rows = [
        {
            "name": f"党员{i}",
            "phone": f"1390000{i:04d}",
            "dual_report_community": tree["communities"][0].pk,
            "dual_report_on": "2025-03-01",
        }
        for i in range(300)
    ]
    before = Member.objects.count()
    bad = rows + [{"name": "坏行", "dual_report_on": "2025-03-01"}]
    with pytest.raises(ValidationError) as error:
        services.do_register_members_many(party["groups"][0], bad)
    assert "第 301 行" in error.value.message_dict["dual_report_on"][0]
    assert Member.objects.count() == before
    members = services.do_register_members_many(party["groups"][0], rows)
    assert len(members) == 300
    assert Member.objects.filter(dual_report_community=tree["communities"][0]).count() == 300
    assert PartyEvent.objects.filter(kind="members", detail__count=300).count() == 1


def test_a_full_phone_is_logged_and_masked_elsewhere(party, users):
    member = party["head"]
    assert services.masked_phone(member) == "139****2222"
    assert services.reveal_member_phone(users["staff"], member) == "13911112222"
    assert member.phone_views.filter(user=users["staff"]).count() == 1
    with pytest.raises(PermissionDenied):
        services.reveal_member_phone(users["staff2"], member)
    with pytest.raises(PermissionDenied):
        services.reveal_member_phone(users["leader"], member)


def test_star_ratings_feed_the_honour_roll(party):
    services.do_rate(
        party["branches"][1],
        {"year": 2025, "stars": 5, "awarded_by": "区委组织部", "awarded_on": "2026-02-01"},
    )
    services.do_rate(
        party["branches"][0],
        {"year": 2025, "stars": 4, "awarded_by": "区委组织部", "awarded_on": "2026-02-01"},
    )
    roll = services.star_roll(2025)
    assert [r["name"] for r in roll] == [party["branches"][1].name]
    assert [r["stars"] for r in services.star_roll(2025, min_stars=4)] == [5, 4]
    with pytest.raises(ValidationError) as error:
        services.do_rate(
            party["branches"][1],
            {"year": 2025, "stars": 3, "awarded_by": "区委组织部", "awarded_on": "2026-02-01"},
        )
    assert "已有星级评定" in error.value.message_dict["year"][0]
    with pytest.raises(ValidationError) as error:
        services.do_rate(
            party["branches"][1],
            {"year": 2024, "stars": 6, "awarded_by": "区委组织部", "awarded_on": "2025-02-01"},
        )
    assert "1 到 5" in error.value.message_dict["stars"][0]
    assert StarRating.objects.count() == 2


def test_service_points_and_co_building(party, tree):
    point = services.do_save_service_point(
        {
            "name": "新苗村红色加油站",
            "tier": "point",
            "kind": "red_station",
            "organisation": party["branches"][0],
            "grid": tree["communities"][0],
            "address": "秀沿路1501弄1号",
            "hours": "9:00–21:00",
            "services": "饮水、充电、休息",
            "lat": 31.105,
            "lng": 121.505,
        }
    )
    assert point.services == ["饮水", "充电", "休息"]
    assert services.public_points()[0]["name"] == "新苗村红色加油站"
    with pytest.raises(ValidationError) as error:
        services.do_save_service_point(
            {
                "name": "北京站",
                "tier": "point",
                "address": "x",
                "hours": "x",
                "lat": 39.9,
                "lng": 116.4,
            }
        )
    assert "不在上海范围内" in error.value.message_dict["lat"][0]
    assert ServicePoint.objects.count() == 1
    agreement = services.do_sign_co_building(
        party["town"],
        {
            "title": "企业党建联建",
            "partners": ["甲公司", "乙公司"],
            "signed_on": "2026-05-10",
            "working_group": "第一专项推进组",
        },
    )
    assert agreement.partners == ["甲公司", "乙公司"]
    with pytest.raises(ValidationError):
        services.do_sign_co_building(party["town"], {"title": "空", "signed_on": "2026-05-10"})
    assert CoBuilding.objects.count() == 1


def test_history_rows_are_immutable(party):
    event = PartyEvent.objects.first()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        PartyEvent.objects.all().delete()
    with pytest.raises(ValueError):
        PartyEvent.objects.update(kind="x")
