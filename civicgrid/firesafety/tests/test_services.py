"""The colour rule, the deadlines in working days, the history, the red's case and its call-in,
coding (一户一码) and bad input refused with nothing saved."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from civicgrid.cases.choices import CallInStatus
from civicgrid.cases.models import Case
from civicgrid.firesafety import services, workflow
from civicgrid.firesafety.choices import Colour
from civicgrid.firesafety.models import ColourChange, Finding, Inspection, RentalHouse
from civicgrid.testing.cases import walk_to
from civicgrid.testing.race import at_once, server_database
from civicgrid.testing.world import local

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("major", "minor", "colour"),
    [
        (0, 0, Colour.GREEN),
        (0, 1, Colour.YELLOW),
        (0, 2, Colour.YELLOW),
        (0, 3, Colour.RED),
        (1, 0, Colour.RED),
        (2, 5, Colour.RED),
    ],
)
def test_the_colour_rule(major, minor, colour):
    assert workflow.colour_for(major, minor) == colour


def test_the_checklist_is_seeded_with_five_major_and_six_minor_hazards(items):
    major = {i.name for i in items.values() if i.is_major}
    assert len(major) == 5 and "电动车室内停放充电" in major and "三合一未防火分隔" in major
    assert len(items) - len(major) == 6
    assert services.fire_category().name == "出租屋消防隐患"


def test_green_yellow_and_red_deadlines_are_in_working_days(fire, items, users, clock):
    green, yellow, red = fire["houses"][:3]
    worker = users["worker"]
    staff = users["staff"]
    # Monday 2026-11-23 10:00.
    done = services.do_inspect(staff, green, hazards=[], landlord_acknowledged=False)
    assert done.colour == Colour.GREEN and done.rectify_by is None
    assert timezone.localtime(done.next_due).date() == datetime.date(2027, 2, 23)  # quarterly
    done = services.do_inspect(
        staff, yellow, hazards=[items["no-extinguisher"].pk], landlord_acknowledged=False
    )
    assert done.colour == Colour.YELLOW
    # Ten working days: 24–27 Nov, 30 Nov–4 Dec, 7 Dec.
    assert timezone.localtime(done.rectify_by).date() == datetime.date(2026, 12, 7)
    assert timezone.localtime(done.next_due).date() == datetime.date(2026, 12, 23)  # monthly
    # A red on Friday: three working days skip the weekend (Mon 30, Tue 1, Wed 2).
    clock.set(2026, 11, 27, 15, 0)
    done = services.do_inspect(
        worker,
        red,
        hazards={items["ebike-indoors"].pk: "楼道里三辆电动车飞线充电"},
        landlord_acknowledged=True,
        acknowledged_by="沈建国",
    )
    assert done.colour == Colour.RED and done.major_count == 1
    assert timezone.localtime(done.rectify_by).date() == datetime.date(2026, 12, 2)
    assert timezone.localtime(done.next_due).date() == datetime.date(2026, 12, 4)  # weekly
    red.refresh_from_db()
    assert red.colour == Colour.RED and red.rectify_by == done.rectify_by
    assert Finding.objects.get(inspection=done).note == "楼道里三辆电动车飞线充电"


def test_three_minor_hazards_make_a_red_with_a_case_for_the_fire_office(fire, items, users):
    house = fire["houses"][0]
    done = services.do_inspect(
        users["staff"],
        house,
        hazards=["loose-wiring", "gas-in-living-room", "stacked-combustibles"],
        landlord_acknowledged=False,
    )
    assert done.colour == Colour.RED and (done.major_count, done.minor_count) == (0, 3)
    house.refresh_from_db()
    case = house.case
    assert case.category == fire["category"]
    assert case.category.default_department == fire["office"]
    assert "红码" in case.description and "电线私拉乱接" in case.description
    assert case.micro_grid_id == house.micro_grid_id
    # Still red at the weekly re-inspection: the same case and the same deadline.
    again = services.do_inspect(
        users["staff"], house, hazards=["blocked-exit"], landlord_acknowledged=False
    )
    house.refresh_from_db()
    assert house.case == case and again.rectify_by == done.rectify_by
    assert Case.objects.count() == 1


def test_every_colour_change_is_an_immutable_history_row_with_its_inspection(
    fire, items, users, clock
):
    house = fire["houses"][0]
    staff = users["staff"]
    first = services.do_inspect(staff, house, hazards=["blocked-exit"], landlord_acknowledged=False)
    clock.advance(days=3)
    second = services.do_inspect(
        staff, house, hazards=["no-smoke-alarm"], landlord_acknowledged=False
    )
    clock.advance(days=1)
    services.do_inspect(staff, house, hazards=["no-smoke-alarm"], landlord_acknowledged=False)
    clock.advance(days=5)
    fourth = services.do_inspect(staff, house, hazards=[], landlord_acknowledged=False)
    changes = list(ColourChange.objects.filter(house=house).order_by("at"))
    assert [(c.from_colour, c.to_colour, c.inspection_id) for c in changes] == [
        ("", Colour.RED, first.pk),
        (Colour.RED, Colour.YELLOW, second.pk),
        (Colour.YELLOW, Colour.GREEN, fourth.pk),
    ]
    with pytest.raises(ValueError):
        changes[0].save()
    with pytest.raises(ValueError):
        ColourChange.objects.filter(house=house).update(to_colour=Colour.GREEN)
    with pytest.raises(ValueError):
        Inspection.objects.filter(house=house).delete()
    houses = RentalHouse.objects.filter(pk=house.pk)
    assert services.median_red_to_green(houses) == 9.0


def test_an_overdue_red_goes_to_a_call_in_on_its_case(fire, items, users, clock):
    house = fire["houses"][0]
    services.do_inspect(
        users["staff"], house, hazards=["ebike-indoors"], landlord_acknowledged=False
    )
    house.refresh_from_db()
    # Not overdue yet: nothing happens.
    assert services.check_overdue() == {"called_in": 0, "waiting": 0, "failed": 0}
    clock.set(2026, 11, 27, 9, 0)  # past Thursday's end of work
    # The case is still waiting at the desk: the call-in waits for its dispatch.
    assert services.check_overdue()["waiting"] == 1
    walk_to(house.case, "dispatched", users, department=fire["office"])
    assert services.check_overdue()["called_in"] == 1
    call_in = house.case.call_ins.get()
    assert call_in.status == CallInStatus.OPEN
    assert set(call_in.departments.values_list("code", flat=True)) == {"XF", "FG"}
    assert "逾期未整改" in call_in.reason
    house.refresh_from_db()
    assert house.escalated_at is not None
    # Once only.
    assert services.check_overdue()["called_in"] == 0


def test_bad_input_is_refused_and_nothing_is_saved(fire, items, users):
    house = fire["houses"][0]
    staff = users["staff"]
    cases = [
        ({"hazards": [99999]}, "hazards", "不存在或已停用"),
        ({"hazards": ["no-such-hazard"]}, "hazards", "不存在或已停用"),
        ({"landlord_acknowledged": True}, "acknowledged_by", "请填写确认人姓名"),
        ({"landlord_acknowledged": "maybe"}, "landlord_acknowledged", "请选择房东是否签字确认"),
        ({"particulars": {"floors": 99}}, "floors", "层数须在1到30之间"),
        ({"particulars": {"area_m2": "大约一百"}}, "area_m2", "建筑面积须为数字"),
        ({"particulars": {"structure": "稻草"}}, "structure", "请选择结构"),
        ({"note": "x" * 301}, "note", "不能超过300个字"),
    ]
    for kwargs, field, text in cases:
        kwargs = {"hazards": ["ebike-indoors"], "landlord_acknowledged": False, **kwargs}
        with pytest.raises(ValidationError) as error:
            services.do_inspect(staff, house, **kwargs)
        assert text in " ".join(error.value.message_dict[field])
    assert not Inspection.objects.exists() and not Case.objects.exists()
    assert not ColourChange.objects.exists()
    house.refresh_from_db()
    assert house.colour == "" and house.floors is None


def test_roles_and_scope_of_inspections(fire, users):
    house0, house1, _house2, house3 = fire["houses"]
    with pytest.raises(PermissionDenied):
        services.do_inspect(users["leader"], house0, landlord_acknowledged=False)
    with pytest.raises(PermissionDenied):
        services.do_inspect(users["handler"], house0, landlord_acknowledged=False)
    with pytest.raises(PermissionDenied):  # 居委 of community 1
        services.do_inspect(users["staff2"], house0, landlord_acknowledged=False)
    with pytest.raises(PermissionDenied):  # grid worker of micro-grid 0
        services.do_inspect(users["worker"], house1, landlord_acknowledged=False)
    # The fire office inspects anywhere.
    done = services.do_inspect(fire["firefighter"], house3, landlord_acknowledged=False)
    assert done.colour == Colour.GREEN
    assert Inspection.objects.count() == 1


def test_coding_houses_one_code_each_only_for_let_households(fire, users):
    staff = users["staff"]
    with pytest.raises(ValidationError) as error:
        services.do_code_house(staff, fire["own"])
    assert "不是出租房屋" in error.value.message_dict["households"][0]
    with pytest.raises(ValidationError) as error:
        services.do_code_house(staff, fire["houses"][0].household)
    assert "已赋码" in error.value.message_dict["households"][0]
    with pytest.raises(PermissionDenied):
        services.do_code_houses(users["worker"])
    tokens = set(RentalHouse.objects.values_list("token", flat=True))
    assert len(tokens) == 4 and all(len(t) >= 20 for t in tokens)
    assert services.coverage(None) == {"registered": 4, "coded": 4, "ratio": 1.0}


def test_occupants_come_from_the_registry_and_the_landlord_phone_is_masked(fire):
    house = fire["houses"][0]
    assert services.occupants([house.household_id]) == {house.household_id: 3}
    landlord = services.landlord(services.current_rental(house.household))
    assert landlord["name"] == "沈建国" and landlord["phone"] == "139****5670"


def test_figures_by_village_and_over_time(fire, users, clock):
    staff = users["staff"]
    house0, house1, house2, house3 = fire["houses"]
    clock.set(2026, 10, 5, 10, 0)
    services.do_inspect(None, house0, hazards=["blocked-exit"], landlord_acknowledged=False)
    services.do_inspect(None, house3, hazards=[], landlord_acknowledged=False)
    clock.set(2026, 11, 23, 10, 0)
    services.do_inspect(None, house0, hazards=[], landlord_acknowledged=False)
    services.do_inspect(None, house1, hazards=["no-smoke-alarm"], landlord_acknowledged=False)
    report = services.report(staff)  # community 0 only
    assert report["colours"] == {"green": 1, "yellow": 1, "red": 0, "unrated": 1}
    assert [v["name"] for v in report["villages"]] == ["第1居委"]
    trend = report["trend"]
    october = trend["months"].index("2026-10")
    assert trend["totals"][october] == {"month": "2026-10", "green": 0, "yellow": 0, "red": 1}
    assert trend["totals"][-1] == {"month": "2026-11", "green": 1, "yellow": 1, "red": 0}
    assert report["coverage"] == {"registered": 3, "coded": 3, "ratio": 1.0}
    assert report["never"] == 1
    street = services.report(users["admin"])
    assert street["colours"]["green"] == 2 and len(street["villages"]) == 2
    assert local(2026, 11, 23, 10) == timezone.now()


def test_the_fire_office_is_remembered_and_follows_its_category_at_once(
    fire, users, departments, django_assert_num_queries
):
    from civicgrid.accounts.models import User

    firefighter = fire["firefighter"]
    assert services.is_fire_office(firefighter)
    # The next request's user (a fresh object) asks without a query: the menu on every page.
    fresh = User.objects.get(pk=firefighter.pk)
    with django_assert_num_queries(0):
        assert services.is_fire_office(fresh)
    # The category moves to another department: the next page knows.
    category = fire["category"]
    category.default_department = departments["fg"]
    category.save()
    assert not services.is_fire_office(User.objects.get(pk=firefighter.pk))
    assert services.is_fire_office(User.objects.get(pk=users["handler_fg"].pk))
    # Its department deleted (the category's default emptied by SQL): no fire office.
    category.default_department = fire["office"]
    category.save()
    fire["firefighter"].delete()
    fire["office"].delete()
    assert services.fire_office_department_id() is None


@pytest.mark.django_db(transaction=True)
@server_database
def test_two_red_inspections_at_once_open_one_case(fire, items, users):
    """Two staff save a red inspection of one house at the same moment: both inspections are kept,
    and the house has one case (the second used to miss the first's case and open another)."""
    house = fire["houses"][0]
    results, errors = at_once(
        lambda _: services.do_inspect(
            users["staff"], house, hazards=["blocked-exit"], landlord_acknowledged=False
        )
    )
    assert errors == []
    assert [r.colour for r in results] == [Colour.RED, Colour.RED]
    house.refresh_from_db()
    assert Case.objects.get() == house.case
