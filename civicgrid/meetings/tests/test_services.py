"""The 三会's steps: the state machine with its history, the notice period, sign-in, quorum and
vote counting with known figures, immutable minutes and their linked corrections, outcomes, bad
input refused with nothing saved, training coverage and the figures other apps read."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.cases.services import IllegalTransition
from civicgrid.estates.models import PropertyCompany
from civicgrid.grids.models import Grid
from civicgrid.meetings import services
from civicgrid.meetings.choices import Ballot, MeetingState
from civicgrid.meetings.models import (
    EvaluationScore,
    Meeting,
    MeetingEvent,
    Minutes,
    Opinion,
    TrainingRecord,
    Vote,
)

pytestmark = pytest.mark.django_db


def test_the_whole_flow_writes_one_history_row_per_step(held, users, clock):
    meeting = held["meeting"]
    staff = users["staff"]
    services.do_write_minutes(staff, meeting, text="与会代表同意改建花卉园。")
    services.do_sign_minutes(staff, meeting)
    services.do_record_outcome(staff, meeting, outcome="同意改建", decision="approved")
    services.do_publish_outcome(staff, meeting)
    services.do_follow_up(staff, meeting, text="花卉园已建成。")
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.FOLLOWED_UP
    steps = list(MeetingEvent.objects.filter(meeting=meeting).values_list("action", "to_state"))
    assert steps == [
        ("plan", "planned"),
        ("notice", "noticed"),
        ("hold", "held"),
        ("sign_minutes", "minutes_signed"),
        ("publish", "published"),
        ("follow_up", "followed_up"),
    ]
    event = MeetingEvent.objects.first()
    with pytest.raises(ValueError):
        event.save()
    with pytest.raises(ValueError):
        MeetingEvent.objects.all().delete()


def test_steps_out_of_order_are_refused(hearing, users):
    meeting = hearing["meeting"]
    with pytest.raises(IllegalTransition):
        services.do_hold_meeting(users["staff"], meeting)
    with pytest.raises(IllegalTransition):
        services.do_publish_outcome(users["staff"], meeting)
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.PLANNED
    assert MeetingEvent.objects.filter(meeting=meeting).count() == 1
    services.do_cancel_meeting(users["staff"], meeting, reason="改期")
    with pytest.raises(IllegalTransition):
        services.do_notice_meeting(users["staff"], meeting)


def test_notice_must_go_up_five_days_ahead(hearing, users, clock):
    meeting = hearing["meeting"]
    clock.move_to(hearing["starts"] - datetime.timedelta(days=4))
    with pytest.raises(ValidationError) as error:
        services.do_notice_meeting(users["staff"], meeting)
    assert "至少5天" in error.value.message_dict["starts_at"][0]
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.PLANNED and meeting.noticed_at is None


def test_notice_days_follow_the_setting(users, tree, clock, settings):
    settings.CIVICGRID_MEETINGS_NOTICE_DAYS = 2
    meeting = services.do_plan_meeting(
        users["staff"],
        kind="coordination",
        community=tree["communities"][0],
        title="停车协调",
        starts_at=clock.at + datetime.timedelta(days=3),
        place="居委",
    )
    assert meeting.notice_days == 2
    services.do_notice_meeting(users["staff"], meeting)
    assert list(services.upcoming_notices(tree["communities"][0])) == [meeting]


def test_bad_plan_refused_with_nothing_saved(users, tree, clock):
    with pytest.raises(ValidationError) as error:
        services.do_plan_meeting(
            users["staff"],
            kind="party",
            community=tree["communities"][0],
            title="  ",
            starts_at=clock.at - datetime.timedelta(days=1),
            place="居委",
            quorum_percent=0,
        )
    fields = error.value.message_dict
    assert set(fields) >= {"kind", "title", "starts_at", "quorum_percent"}
    assert fields["title"] == ["请填写议题。"]
    assert not Meeting.objects.exists() and not MeetingEvent.objects.exists()


def test_scope_and_roles(hearing, users, tree, clock):
    with pytest.raises(PermissionDenied):
        services.do_notice_meeting(users["staff2"], hearing["meeting"])
    with pytest.raises(PermissionDenied):
        services.do_plan_meeting(
            users["staff2"],
            kind="hearing",
            community=tree["communities"][0],
            title="越权",
            starts_at=clock.at + datetime.timedelta(days=9),
            place="居委",
        )
    with pytest.raises(PermissionDenied):
        services.do_notice_meeting(users["leader"], hearing["meeting"])
    seen = services.scope_meetings(Meeting.objects, users["staff2"])
    assert not seen.exists()
    assert services.scope_meetings(Meeting.objects, users["worker"]).count() == 1
    assert not services.scope_meetings(Meeting.objects, users["resident"]).exists()


def test_quorum_and_votes_with_known_figures(held, users):
    meeting = held["meeting"]
    reps = held["reps"]
    motion = services.do_add_motion(users["staff"], meeting, title="同意改建花卉园")
    # 5 representatives, 4 present (80 % > 50 %): quorum. 3 for, 1 against: 3/4 > 1/2 → passed.
    services.do_cast_votes(
        users["staff"],
        motion,
        {reps[0].pk: Ballot.FOR, reps[1].pk: Ballot.FOR, reps[2].pk: Ballot.FOR},
    )
    services.do_cast_votes(users["staff"], motion, {reps[3].pk: Ballot.AGAINST})
    tally = services.count(meeting, motion)
    assert tally == services.Tally(
        representatives=5,
        present=4,
        quorum_met=True,
        votes_for=3,
        against=1,
        abstain=0,
        not_voted=0,
        passed=True,
    )
    # Exactly half of those present is not "more than half".
    second = services.do_add_motion(users["staff"], meeting, title="延长开放时间")
    services.do_cast_votes(
        users["staff"],
        second,
        {
            reps[0].pk: Ballot.FOR,
            reps[1].pk: Ballot.FOR,
            reps[2].pk: Ballot.ABSTAIN,
            reps[3].pk: Ballot.AGAINST,
        },
    )
    rows = dict(services.tallies(meeting))
    assert rows[second].votes_for == 2 and rows[second].abstain == 1
    assert rows[second].passed is False and rows[motion].passed is True


def test_no_quorum_means_nothing_passes():
    assert services.quorum_met(5, 3, 50) is True
    assert services.quorum_met(6, 3, 50) is False  # exactly half present
    assert services.quorum_met(0, 0, 50) is False
    assert services.quorum_met(10, 7, 66) is True
    assert services.quorum_met(10, 6, 66) is False


def test_quorum_missing_fails_the_vote(hearing, users, clock):
    meeting = hearing["meeting"]
    services.do_notice_meeting(users["staff"], meeting)
    clock.move_to(hearing["starts"])
    for rep in hearing["reps"][:2]:  # 2 of 5: no quorum
        services.do_tick_sign_in(users["staff"], rep)
    services.do_hold_meeting(users["staff"], meeting)
    motion = services.do_add_motion(users["staff"], meeting, title="表决")
    services.do_cast_votes(users["staff"], motion, {r.pk: Ballot.FOR for r in hearing["reps"][:2]})
    tally = services.count(meeting, motion)
    assert tally.quorum_met is False and tally.votes_for == 2 and tally.passed is False


def test_bad_votes_refused_all_or_nothing(held, users):
    meeting = held["meeting"]
    reps = held["reps"]
    motion = services.do_add_motion(users["staff"], meeting, title="表决")
    absent = reps[4]
    with pytest.raises(ValidationError) as error:
        services.do_cast_votes(
            users["staff"], motion, {reps[0].pk: Ballot.FOR, absent.pk: Ballot.FOR}
        )
    assert "已签到的居民代表" in error.value.messages[0]
    with pytest.raises(ValidationError):
        services.do_cast_votes(users["staff"], motion, {held["host"].pk: Ballot.FOR})
    with pytest.raises(ValidationError):
        services.do_cast_votes(users["staff"], motion, {reps[0].pk: "maybe"})
    assert not Vote.objects.exists()
    services.do_cast_votes(users["staff"], motion, {reps[0].pk: Ballot.FOR})
    with pytest.raises(ValidationError) as error:
        services.do_cast_votes(users["staff"], motion, {reps[0].pk: Ballot.AGAINST})
    assert "已经投过票" in error.value.messages[0]
    assert Vote.objects.count() == 1


def test_qr_sign_in(hearing, users, clock):
    meeting = hearing["meeting"]
    token = meeting.sign_in_token
    with pytest.raises(IllegalTransition):  # not yet noticed: outside sign-in time
        services.do_sign_in(users["resident"], token)
    services.do_notice_meeting(users["staff"], meeting)
    participant = services.do_sign_in(users["resident"], token)
    assert participant.signed_in_at is not None and participant.sign_in_method == "qr"
    first = participant.signed_in_at
    clock.advance(minutes=5)
    assert services.do_sign_in(users["resident"], token).signed_in_at == first
    with pytest.raises(PermissionDenied):
        services.do_sign_in(users["resident2"], token)
    with pytest.raises(ValidationError):
        services.do_sign_in(users["resident"], "nope")


def test_opinions(held, users):
    rep = held["reps"][0]
    opinion = services.do_record_opinion(users["staff"], rep, stance="amend", text="增加座椅")
    assert opinion.participant == rep
    with pytest.raises(ValidationError):
        services.do_record_opinion(users["staff"], rep, stance="shout", text="x")
    with pytest.raises(ValidationError):
        services.do_record_opinion(users["staff"], rep, stance="support", text="")
    assert Opinion.objects.count() == 1
    with pytest.raises(ValueError):
        Opinion.objects.update(text="改")


def test_signed_minutes_are_immutable_and_corrected_by_a_linked_version(held, users):
    meeting = held["meeting"]
    staff = users["staff"]
    with pytest.raises(ValidationError):
        services.do_sign_minutes(staff, meeting)
    services.do_write_minutes(staff, meeting, text="初稿")
    draft = services.do_write_minutes(staff, meeting, text="定稿")
    assert Minutes.objects.count() == 1 and draft.text == "定稿"
    signed = services.do_sign_minutes(staff, meeting)
    signed.text = "偷偷修改"
    with pytest.raises(ValueError):
        signed.save()
    with pytest.raises(ValueError):
        Minutes.objects.filter(pk=signed.pk).update(text="偷偷修改")
    with pytest.raises(ValueError):
        signed.delete()
    with pytest.raises(IllegalTransition):
        services.do_write_minutes(staff, meeting, text="再改")
    correction = services.do_correct_minutes(
        staff, meeting, text="定稿（更正人数）", reason="人数有误"
    )
    assert correction.version == 2 and correction.corrects_id == signed.pk
    assert correction.signed_at is not None
    assert services.current_minutes(meeting) == correction
    assert Minutes.objects.get(pk=signed.pk).text == "定稿"
    with pytest.raises(ValidationError):
        services.do_correct_minutes(staff, meeting, text="定稿（更正人数）", reason="重复")
    assert MeetingEvent.objects.filter(action="correct_minutes").count() == 1


def test_publish_needs_the_outcome(held, users):
    meeting = held["meeting"]
    services.do_write_minutes(users["staff"], meeting, text="纪要")
    services.do_sign_minutes(users["staff"], meeting)
    with pytest.raises(ValidationError) as error:
        services.do_publish_outcome(users["staff"], meeting)
    assert "听证结论" in error.value.messages[0]
    with pytest.raises(ValidationError):
        services.do_record_outcome(users["staff"], meeting, outcome="同意", decision="maybe")
    meeting.refresh_from_db()
    assert meeting.state == MeetingState.MINUTES_SIGNED and meeting.decision == ""


def _held(users, tree, clock, kind, community=0, days=10):
    start = clock.at + datetime.timedelta(days=days)
    meeting = services.do_plan_meeting(
        None,
        kind=kind,
        community=tree["communities"][community],
        title=f"{kind}会议",
        starts_at=start,
        place="居委",
    )
    services.do_notice_meeting(None, meeting)
    services.do_hold_meeting(None, meeting, now=start)
    meeting.refresh_from_db()
    return meeting


def test_coordination_action_opens_a_case(users, tree, clock, garbage):
    meeting = _held(users, tree, clock, "coordination")
    action = services.do_add_action(
        users["staff"],
        meeting,
        text="清理地库堆物",
        owner="物业",
        due_on=datetime.date(2026, 12, 31),
    )
    with pytest.raises(ValidationError):
        services.do_add_action(
            users["staff"], meeting, text="x", owner="物业", due_on=datetime.date(2020, 1, 1)
        )
    action = services.do_open_case(users["staff"], action, category=garbage)
    assert action.case is not None and "清理地库堆物" in action.case.description
    assert action.case.micro_grid.parent_id == meeting.community_id
    with pytest.raises(ValidationError):
        services.do_open_case(users["staff"], action, category=garbage)


def test_evaluation_scores_and_rectification_answered_next_meeting(users, tree, clock, departments):
    first = _held(users, tree, clock, "evaluation", days=10)
    score = services.do_record_score(
        users["staff"],
        first,
        body_kind="department",
        department=departments["cg"],
        item="市容管理",
        satisfied=6,
        fairly=2,
        dissatisfied=2,
    )
    assert score.body_name == "城管中队" and score.rating == "satisfied"
    company = PropertyCompany.objects.create(name="金桥物业")
    with pytest.raises(ValidationError) as error:
        services.do_record_score(
            users["staff"],
            first,
            body_kind="property",
            item="保洁",
            satisfied=1,
            fairly=1,
            dissatisfied=1,
        )
    assert "property_company" in error.value.message_dict
    with pytest.raises(ValidationError):
        services.do_record_score(
            users["staff"],
            first,
            body_kind="property",
            property_company=company,
            item="保洁",
            satisfied=0,
            fairly=0,
            dissatisfied=0,
        )
    weak = services.do_record_score(
        users["staff"],
        first,
        body_kind="property",
        property_company=company,
        item="保洁",
        satisfied=1,
        fairly=1,
        dissatisfied=1,
    )
    assert weak.rating == "dissatisfied" and EvaluationScore.objects.count() == 2
    request = services.do_request_rectification(users["staff"], weak, request="加强楼道保洁")
    with pytest.raises(ValidationError):  # not at the same meeting
        services.do_answer_rectification(users["staff"], request, meeting=first, answer="已整改")
    services.do_write_minutes(None, first, text="评议纪要")
    services.do_sign_minutes(None, first)
    services.do_publish_outcome(None, first)
    second = _held(users, tree, clock, "evaluation", days=40)
    answered = services.do_answer_rectification(
        users["staff"], request, meeting=second, answer="已增加保洁频次"
    )
    assert answered.answered_meeting == second
    figures = {row["name"]: row for row in services.evaluation_figures()}
    assert figures["城管中队"]["rate"] == pytest.approx(0.8)
    assert figures["金桥物业"]["dissatisfied"] == 1
    assert figures["金桥物业"]["rate"] == pytest.approx(2 / 3)


def test_subject_and_held_meetings_for(users, tree, clock, departments):
    department = departments["cg"]
    meeting = services.do_plan_meeting(
        None,
        kind="evaluation",
        community=tree["communities"][0],
        title="评议城管中队",
        starts_at=clock.at + datetime.timedelta(days=7),
        place="居委",
        subject=department,
    )
    assert meeting.subject == department and meeting.subject_title == "城管中队"
    assert not services.held_meetings_for(department).exists()
    services.do_notice_meeting(None, meeting)
    services.do_hold_meeting(None, meeting, now=meeting.starts_at)
    assert list(services.held_meetings_for(department)) == [meeting]
    assert list(services.held_meetings_for(department, kind="evaluation")) == [meeting]
    assert not services.held_meetings_for(department, kind="hearing").exists()


def test_training_and_coverage(users, tree, clock):
    staff = users["staff"]
    services.do_record_training(
        users["operator"],
        trainee=staff,
        post="secretary",
        course="三会实训",
        trained_on=datetime.date(2026, 3, 1),
        passed=True,
    )
    with pytest.raises(ValidationError):
        services.do_record_training(
            users["operator"],
            trainee=users["staff2"],
            post="chief",
            course="",
            trained_on=datetime.date(2030, 1, 1),
            passed=True,
        )
    assert TrainingRecord.objects.count() == 1
    rows = {row["community"]: row for row in services.training_coverage(Grid.objects.all())}
    assert rows[tree["communities"][0]]["ratio"] == 1.0
    assert rows[tree["communities"][1]]["ratio"] == 0.0
    with pytest.raises(PermissionDenied):
        services.do_record_training(
            users["staff2"],
            trainee=staff,
            post="worker",
            course="三会实训",
            trained_on=datetime.date(2026, 3, 1),
            passed=True,
        )


def test_the_tile_reads_a_fixed_number_of_queries(
    users, tree, clock, departments, django_assert_num_queries
):
    import datetime as dt

    def evaluation(days):
        start = clock.at + dt.timedelta(days=days)
        meeting = services.do_plan_meeting(
            None,
            kind="evaluation",
            community=tree["communities"][days % 2],
            title="评议会",
            starts_at=start,
            place="居委",
        )
        services.do_notice_meeting(None, meeting)
        services.do_hold_meeting(None, meeting, now=start)
        services.do_record_score(
            None,
            meeting,
            body_kind="department",
            department=departments["cg"],
            item="市容",
            satisfied=3,
            fairly=1,
            dissatisfied=1,
        )
        services.do_write_minutes(None, meeting, text="纪要")
        services.do_sign_minutes(None, meeting, now=start)
        services.do_publish_outcome(None, meeting, now=start)

    first, last = dt.date(2026, 1, 1), dt.date(2027, 12, 31)
    evaluation(6)
    with django_assert_num_queries(6):
        tile = services.dashboard_tile(None, first, last, clock.at)
    assert tile["held_total"] == 1 and tile["evaluations"][0]["satisfied"] == 3
    for days in range(7, 12):
        evaluation(days)
    with django_assert_num_queries(6):
        tile = services.dashboard_tile(None, first, last, clock.at)
    assert tile["held_total"] == 6 and tile["evaluations"][0]["meetings"] == 6
    micro = [tree["micro_grids"][0].pk]
    with django_assert_num_queries(6):
        scoped = services.dashboard_tile(micro, first, last, clock.at)
    assert 0 < scoped["held_total"] < 6
