"""The garbage-sorting rules: points and their windows, shifts (check-in/out, unfilled, missed),
pledges and conventions, weighings (bad input refused, mixed loads not counted), 减量率, scored
inspections (pass mark, case for the 物业, re-inspection in 5 working days, yellow then red
card), the street grade, and the points ledger that sums to zero."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from civicgrid.cases.choices import CaseSource
from civicgrid.cases.models import Case
from civicgrid.cases.services import IllegalTransition
from civicgrid.sorting import reports, services
from civicgrid.sorting.choices import (
    AccountKind,
    CardColour,
    Grade,
    PointKind,
    PointState,
    ShiftState,
    WasteCategory,
)
from civicgrid.sorting.models import (
    Card,
    Convention,
    DropOffPoint,
    Inspection,
    InspectionPhoto,
    Pledge,
    PointChange,
    PointsAccount,
    PointsEntry,
    ShiftEvent,
    Weighing,
)
from civicgrid.sorting.tests.conftest import photo
from civicgrid.testing.world import local

pytestmark = pytest.mark.django_db

MON = datetime.date(2026, 11, 23)


def scores(**by_name):
    """Full marks except the items named (by a word of their name) → points."""
    template = services.active_template()
    out = {}
    for item in template.items.all():
        out[item.pk] = item.max_points
        for word, points in by_name.items():
            if word in item.name:
                out[item.pk] = points
    return out


# --- points -----------------------------------------------------------------------------------


def test_a_point_is_planned_then_in_use_then_merged_with_history(world, users, clock):
    staff = users["staff"]
    second = services.do_save_point(
        staff, estate=world["east"], name="康乐苑2号定时点", kind=PointKind.TIMED
    )
    assert second.state == PointState.PLANNED
    assert second.micro_grid == world["east"].micro_grids.order_by("code").first()
    with pytest.raises(IllegalTransition):
        services.do_change_point_state(second, staff, PointState.PLANNED)
    services.do_change_point_state(second, staff, PointState.IN_USE)
    services.do_set_windows(second, staff, [("07:00", "09:00")])
    services.do_plan_shifts(second, staff, first=MON, last=MON + datetime.timedelta(days=2))
    merged = services.do_change_point_state(
        second, staff, PointState.MERGED, merged_into=world["point"], note="两点合一"
    )
    assert merged.merged_into == world["point"]
    assert not second.shifts.filter(state=ShiftState.PLANNED).exists()
    assert list(
        PointChange.objects.filter(point=second)
        .order_by("at", "id")
        .values_list("action", "to_state")
    ) == [("create", "planned"), ("state", "in_use"), ("windows", ""), ("state", "merged")]
    with pytest.raises(IllegalTransition):
        services.do_set_windows(second, staff, [("18:00", "20:00")])


def test_bad_windows_and_points_are_refused_and_nothing_changes(world, users):
    point, staff = world["point"], users["staff"]
    for windows, message in [
        ([("09:00", "07:00")], "结束时间须晚于开始时间"),
        ([("07:00", "09:00"), ("08:30", "10:00")], "投放时段不能重叠"),
        ([("7点", "9点")], "格式不正确"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.do_set_windows(point, staff, windows)
        assert message in error.value.message_dict["windows"][0]
    assert [str(w) for w in point.windows.all()] == ["07:00–09:00", "18:00–20:00"]
    with pytest.raises(ValidationError) as error:
        services.do_save_point(staff, name="", kind="x", lon=200, lat=31)
    assert set(error.value.message_dict) >= {"name", "kind", "lon", "estate"}
    with pytest.raises(PermissionDenied):  # community 1's estate is not staff's
        services.do_save_point(staff, estate=world["west"], name="秀康1号", kind=PointKind.ROOM)
    assert DropOffPoint.objects.count() == 1


# --- shifts -----------------------------------------------------------------------------------


def test_the_guide_checks_in_and_out_and_the_roster_shows_unfilled_and_missed(world, users, clock):
    point, guide, resident = world["point"], world["guide"], users["resident"]
    shifts = services.do_plan_shifts(point, users["staff"], first=MON, last=MON, guide=guide)
    morning, evening = sorted(shifts, key=lambda s: s.start)
    clock.set(2026, 11, 23, 6, 0)
    with pytest.raises(ValidationError) as error:
        services.do_check_in(morning, resident)
    assert "还没到值守时间" in error.value.message_dict["shift"][0]
    clock.set(2026, 11, 23, 6, 45)
    services.do_check_in(morning, resident)
    with pytest.raises(IllegalTransition):
        services.do_check_in(morning, resident)
    with pytest.raises(ValidationError):
        services.do_check_out(morning, resident, households_guided=-3)
    clock.set(2026, 11, 23, 9, 5)
    done = services.do_check_out(
        morning, resident, households_guided=46, wrong_drops=5, note="湿垃圾破袋"
    )
    assert (done.state, done.households_guided, done.wrong_drops) == ("done", 46, 5)
    assert list(ShiftEvent.objects.filter(shift=morning).values_list("action", flat=True)) == [
        "check_in",
        "check_out",
    ]
    # Someone else's shift, or a grid worker who is not the guide: refused.
    with pytest.raises(PermissionDenied):
        services.do_check_in(evening, users["worker2"])
    # The evening passes without a check-in: missed; a shift nobody was put on: unfilled.
    clock.set(2026, 11, 23, 20, 30)
    assert services.shift_status(evening) == "missed"
    spare = services.do_plan_shifts(
        point,
        users["staff"],
        first=MON + datetime.timedelta(days=1),
        last=MON + datetime.timedelta(days=1),
    )
    assert {services.shift_status(s) for s in spare} == {"unfilled"}
    with pytest.raises(IllegalTransition):
        services.do_check_in(spare[0], users["staff"])
    figures = reports.report(None, MON, MON, group="street")["total"]
    assert (figures["shifts"], figures["staffed"], figures["missed"], figures["unfilled"]) == (
        2,
        1,
        1,
        0,
    )
    assert reports.percent(figures["staffed_rate"]) == "50.0%"


# --- pledges and conventions ------------------------------------------------------------------


def test_a_pledge_once_per_household_and_conventions_are_versioned(world, users, clock):
    home = world["households"][0][0]
    pledge = services.do_record_pledge(home, users["staff"], signed_on=MON)
    assert (pledge.estate, pledge.community) == (world["east"], world["east"].community)
    with pytest.raises(ValidationError) as error:
        services.do_record_pledge(home, users["staff"])
    assert error.value.message_dict["household"] == ["该户已签订承诺书"]
    with pytest.raises(PermissionDenied):
        services.do_record_pledge(world["households"][2][0], users["staff"])
    assert Pledge.objects.count() == 1
    first = services.do_adopt_convention(
        world["east"], users["staff"], title="康乐苑居民公约", text="定时定点投放。", adopted_on=MON
    )
    second = services.do_adopt_convention(
        world["east"],
        users["staff"],
        title="康乐苑居民公约",
        text="定时定点投放，误时到误时投放点。",
        adopted_on=MON,
        adopted_at="2026年11月居民议事会",
    )
    assert (first.version, second.version) == (1, 2)
    assert Convention.objects.get(pk=first.pk).text == "定时定点投放。"
    with pytest.raises(ValueError):
        first.save()


# --- weighings and reduction ------------------------------------------------------------------


def test_bad_weighings_are_refused_with_a_message_and_nothing_saved(world, users, clock):
    staff = users["staff"]
    for kg, message in [
        (-12, "重量须大于 0 公斤"),
        (0, "重量须大于 0 公斤"),
        ("abc", "重量须为数字"),
        ("200001", "不能超过"),
    ]:
        with pytest.raises(ValidationError) as error:
            services.do_record_weighing(
                staff,
                estate=world["east"],
                day=MON,
                category=WasteCategory.DRY,
                kg=kg,
                hauler="浦东环卫",
            )
        assert message in error.value.message_dict["kg"][0]
    with pytest.raises(ValidationError) as error:
        services.do_record_weighing(
            staff,
            estate=world["east"],
            day=MON + datetime.timedelta(days=1),
            category="mixed",
            kg=10,
            hauler="",
        )
    assert set(error.value.message_dict) == {"day", "category", "hauler"}
    with pytest.raises(ValidationError):
        services.do_record_weighings(
            [
                {
                    "estate": world["east"],
                    "day": MON,
                    "category": "dry",
                    "kg": 10,
                    "hauler": "浦东环卫",
                },
                {
                    "estate": world["east"],
                    "day": MON,
                    "category": "dry",
                    "kg": -1,
                    "hauler": "浦东环卫",
                },
            ]
        )
    assert Weighing.objects.count() == 0
    with transaction.atomic(), pytest.raises(IntegrityError):
        Weighing.objects.create(
            day=MON,
            estate=world["east"],
            community=world["east"].community,
            category="dry",
            kg=Decimal("-1"),
            hauler="x",
            recorded_at=local(2026, 11, 23, 9),
        )


def test_reduction_rate_from_the_baseline_over_weighed_days_mixed_loads_left_out(
    world, users, clock
):
    staff, east = users["staff"], world["east"]
    services.do_set_baseline(
        staff, estate=east, kg_per_day="1000", start_date=datetime.date(2026, 11, 1)
    )
    for day, kg in [(datetime.date(2026, 11, 2), "420"), (datetime.date(2026, 11, 3), "380")]:
        services.do_record_weighing(
            staff, estate=east, day=day, category="dry", kg=kg, hauler="浦东环卫"
        )
    services.do_record_weighing(
        staff,
        estate=east,
        day=datetime.date(2026, 11, 3),
        category="dry",
        kg="500",
        hauler="浦东环卫",
        refused_mixed=True,
    )
    services.do_record_weighing(
        staff,
        estate=east,
        day=datetime.date(2026, 11, 3),
        category="wet",
        kg="300",
        hauler="浦东环卫",
    )
    # Before the start: not part of the reduction.
    services.do_record_weighing(
        staff,
        estate=east,
        day=datetime.date(2026, 10, 30),
        category="dry",
        kg="990",
        hauler="浦东环卫",
    )
    figures = reports.report(
        None, datetime.date(2026, 11, 1), datetime.date(2026, 11, 30), group="estate"
    )
    row = next(r for r in figures["rows"] if r["key"] == east.pk)
    assert row["name"] == "第1居委 · 康乐苑"
    assert row["baseline_kg"] == Decimal("2000.00")
    assert row["dry_kg"] == Decimal("800.00")
    assert row["reduction_kg"] == Decimal("1200.00")
    assert reports.percent(row["reduction_rate"], 2) == "60.00%"
    assert row["kg"][WasteCategory.WET] == Decimal("300") and row["refused"] == 1
    # The seed's figures: 382,462.83 kg of reduction at 57.89 % means a baseline of ~660,672 kg.
    assert (
        reports.percent(
            reports.reduction_rate(Decimal("660672"), Decimal("660672") - Decimal("382462.83")), 2
        )
        == "57.89%"
    )


# --- inspections ------------------------------------------------------------------------------


def test_a_pass_at_90_and_a_fail_opens_a_case_for_the_property_company_with_reinspection(
    world, users, clock, media_files
):
    staff, east = users["staff"], world["east"]
    passed = services.do_inspect(
        staff, estate=east, scores=scores(台账=0), now=local(2026, 11, 2, 10)
    )
    assert (passed.inspection.score, passed.inspection.passed, passed.case) == (90, True, None)
    failed = services.do_inspect(
        staff,
        estate=east,
        point=world["point"],
        scores=scores(纯净度=18),
        note="湿垃圾桶内混有塑料袋",
        photos=[photo()],
    )
    inspection = failed.inspection
    assert (inspection.score, inspection.passed) == (88, False)
    # Monday 23 November + 5 working days: Monday 30 November, end of the working day.
    assert inspection.reinspect_by.date() == datetime.date(2026, 11, 30)
    case = failed.case
    assert case.source == CaseSource.SUPERVISION and case.category.name == "垃圾分类"
    assert "康桥物业管理有限公司" in case.description and "88 分" in case.description
    assert "桶内纯净度" in case.description and case.micro_grid is not None
    assert case.attachments.count() == 1 and InspectionPhoto.objects.count() == 1
    assert failed.card is None
    assert [s.points for s in inspection.scores.all()][0] == 18
    again = services.do_inspect(staff, estate=east, scores=scores())
    assert again.inspection.reinspection_of == inspection and again.inspection.passed
    assert reports.overdue_reinspections(None).count() == 0


def test_bad_scores_and_photos_are_refused_and_nothing_is_written(world, users, clock, media_files):
    staff, east = users["staff"], world["east"]
    bad = scores()
    first = next(iter(bad))
    bad[first] = 99
    with pytest.raises(ValidationError) as error:
        services.do_inspect(staff, estate=east, scores=bad)
    assert "请为每一项打分" in error.value.message_dict["scores"][0]
    broken = photo()
    broken.file.write(b"")
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as error:
        services.do_inspect(
            staff,
            estate=east,
            scores=scores(纯净度=0),
            photos=[SimpleUploadedFile("x.jpg", b"not an image", "image/jpeg")],
        )
    assert "x.jpg" in error.value.message_dict["photos"][0]
    with pytest.raises(PermissionDenied):
        services.do_inspect(users["worker"], estate=east, scores=scores())
    assert Inspection.objects.count() == 0 and Case.objects.count() == 0
    assert InspectionPhoto.objects.count() == 0


def test_fails_in_a_row_raise_a_yellow_then_a_red_card_and_a_pass_resets(world, users, clock):
    staff, east = users["staff"], world["east"]
    cards = []
    for day in (2, 9, 16):
        done = services.do_inspect(
            staff, estate=east, scores=scores(纯净度=0), now=local(2026, 11, day, 10)
        )
        cards.append(done.card.colour if done.card else None)
    assert cards == [None, CardColour.YELLOW, CardColour.RED]
    services.do_inspect(staff, estate=east, scores=scores(), now=local(2026, 11, 20, 10))
    again = services.do_inspect(
        staff, estate=east, scores=scores(纯净度=0), now=local(2026, 11, 23, 9)
    )
    assert again.card is None
    assert Card.objects.count() == 2 and Case.objects.count() == 4


def test_the_score_template_must_total_100_with_one_purity_item(users):
    with pytest.raises(ValidationError) as error:
        services.do_save_template(
            users["operator"], name="新表", items=[("桶内纯净度", 50, True), ("环境", 40, False)]
        )
    assert "合计须为 100 分（现为 90 分）" in error.value.message_dict["items"][0]
    with pytest.raises(ValidationError):
        services.do_save_template(users["operator"], name="新表", items=[("环境", 100, False)])
    with pytest.raises(PermissionDenied):
        services.do_save_template(users["staff"], name="新表", items=[("桶内纯净度", 100, True)])
    old = services.active_template()
    new = services.do_save_template(
        users["operator"], name="新表", items=[("桶内纯净度", 40, True), ("箱房整洁", 60, False)]
    )
    assert services.active_template() == new and new.version == old.version + 1


@pytest.mark.parametrize(
    ("share", "expected"),
    [
        ("1", Grade.EXCELLENT),
        ("0.8", Grade.EXCELLENT),
        ("0.7999", Grade.GOOD),
        ("0.6", Grade.GOOD),
        ("0.59", Grade.FAIR),
        ("0.3", Grade.FAIR),
        ("0.29", Grade.POOR),
        ("0", Grade.POOR),
        (None, None),
    ],
)
def test_street_grade_from_the_share_of_passing_estates(share, expected):
    assert reports.grade(share) == expected


def test_pass_rate_counts_each_estates_last_inspection(world, users, clock):
    staff = users["operator"]
    services.do_inspect(
        staff, estate=world["east"], scores=scores(纯净度=0), now=local(2026, 11, 2, 10)
    )
    services.do_inspect(staff, estate=world["east"], scores=scores(), now=local(2026, 11, 5, 10))
    services.do_inspect(
        staff, estate=world["west"], scores=scores(纯净度=10), now=local(2026, 11, 5, 11)
    )
    total = reports.report(
        None, datetime.date(2026, 11, 1), datetime.date(2026, 11, 30), group="street"
    )["total"]
    assert (total["inspected"], total["passed"], reports.percent(total["pass_rate"])) == (
        2,
        1,
        "50.0%",
    )
    assert total["grade"] == Grade.FAIR


# --- the points ledger ------------------------------------------------------------------------


def test_points_are_earned_on_duty_and_redeemed_and_the_ledger_sums_to_zero(world, users, clock):
    home, other = world["households"][0]
    shift = services.do_plan_shifts(
        world["point"], None, first=MON, last=MON, guide=world["guide"]
    )[0]
    clock.set(2026, 11, 23, 7, 5)
    with pytest.raises(IllegalTransition):  # not checked in yet
        services.do_award_points(home, users["resident"], shift=shift)
    services.do_check_in(shift, users["resident"])
    shift.refresh_from_db()
    for _n in range(3):
        services.do_award_points(home, users["resident"], shift=shift)
    services.do_award_points(other, users["staff"], amount=5)
    account = PointsAccount.objects.get(household=home)
    assert services.balance(account) == 3
    with pytest.raises(ValidationError) as error:
        services.do_redeem(home, users["staff"], amount=4, note="环保袋")
    assert error.value.message_dict["amount"] == ["积分不足：现有 3 分，兑换需 4 分"]
    services.do_redeem(home, users["staff"], amount=2, note="环保袋")
    assert services.balance(account) == 1
    issued = services.street_account(AccountKind.ISSUED)
    redeemed = services.street_account(AccountKind.REDEEMED)
    assert (services.balance(issued), services.balance(redeemed)) == (-8, 2)
    assert sum(services.balance(a) for a in PointsAccount.objects.all()) == 0
    assert services.ledger_sum() == 0


def test_unbalanced_or_changed_postings_are_refused(world, users):
    home = world["households"][0][0]
    account = services.household_account(home)
    issued = services.street_account(AccountKind.ISSUED)
    for amount in (0, -5, "x"):
        with pytest.raises(ValidationError):
            services.do_award_points(home, users["staff"], amount=amount)
    assert PointsEntry.objects.count() == 0
    # The database itself refuses a posting with one leg, a non-positive amount, or one account.
    for fields in (
        {"credit": account, "debit": None},
        {"credit": account, "debit": issued, "amount": 0},
        {"credit": account, "debit": account},
    ):
        row = {"amount": 1, "reason": "earn", "at": local(2026, 11, 23, 9), **fields}
        with transaction.atomic(), pytest.raises(IntegrityError):
            PointsEntry.objects.create(**row)
    entry = services.do_award_points(home, users["staff"], amount=2)
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        PointsEntry.objects.filter(pk=entry.pk).update(amount=1)
    with pytest.raises(ValueError):
        PointsEntry.objects.all().delete()
    assert services.balance(account) == 2
