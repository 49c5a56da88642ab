"""The demo street's 三会 (seed 002: "'三会'实训 … 必修课"; "问题角" → "花卉园" "通过居民自治协商";
seed 004's 基层评议; seed 000's 《居民公约》).

In the first 居村 the year's story goes through civicgrid.meetings.services step by step: the
hearing that turned a 问题角 into a 花卉园 (noticed five days ahead, representatives signed in,
opinions, a vote, signed minutes with one correction, the decision published and followed up),
a coordination meeting on the estate's parking rules (agreed actions with owners and due dates,
one opened as a case), an evaluation meeting of the 物业 and of the 城管中队 (scores per item, a
rectification answered at the next evaluation), and a hearing noticed for next week. Every other
居村 gets a hearing, a coordination and an evaluation meeting over the year, written in bulk
(a few thousand rows) with their participants, history and minutes; each 居委 worker has a 三会
training record. The same seed gives the same figures.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from civicgrid.accounts.choices import Role
from civicgrid.accounts.models import Department, User
from civicgrid.cases.models import Category
from civicgrid.estates.models import Estate, PropertyCompany
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.meetings import services
from civicgrid.meetings.choices import (
    BodyKind,
    Decision,
    MeetingAction,
    MeetingKind,
    MeetingState,
    Part,
    SignInMethod,
    TraineePost,
)
from civicgrid.meetings.models import (
    EvaluationScore,
    Meeting,
    MeetingEvent,
    Minutes,
    Participant,
    TrainingRecord,
)
from civicgrid.meetings.workflow import HELD_STATES
from civicgrid.parking.models import RuleSet

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "建国秀英志强丽华海燕国平桂兰玉梅明德淑珍文军红霞金凤"
REPRESENTATIVES = 9
STORY_HEARING = "问题角改建花卉园听证会"
ITEMS = ("服务态度", "办事效率", "环境卫生")
# (kind, title, subject, month offset back from now) of the other 居村' meetings.
ROUTINE = (
    (MeetingKind.HEARING, "加装电梯方案听证", "加装电梯项目", 9),
    (MeetingKind.COORDINATION, "楼道堆物清理协调", "楼道堆物", 5),
    (MeetingKind.EVALUATION, "物业服务评议", "物业服务", 2),
)


def _name(rng) -> str:
    return rng.choice(SURNAMES) + "".join(rng.sample(GIVEN, 2))


def _at(now, days_back, hour=14):
    day = timezone.localdate(now) - datetime.timedelta(days=days_back)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def _story(community, staff, rng, now, counts):
    """The first 居村's year through the services."""
    estate = Estate.objects.filter(community=community).order_by("pk").first()
    company = (estate.property_company if estate else None) or PropertyCompany.objects.first()
    chengguan = Department.objects.filter(name__contains="城管").order_by("code").first()

    def run(kind, title, days_back, subject=None, subject_title="", reps=REPRESENTATIVES):
        starts = _at(now, days_back)
        planned = starts - datetime.timedelta(days=12)
        meeting = services.do_plan_meeting(
            staff,
            kind=kind,
            community=community,
            estate=estate,
            title=title,
            starts_at=starts,
            place=f"{community.name}居委会议室",
            subject=subject,
            subject_title=subject_title,
            chair_name=f"{community.name}党总支书记",
            now=planned,
        )
        services.do_add_participant(staff, meeting, part=Part.HOST, name=_name(rng))
        services.do_add_participant(staff, meeting, part=Part.RECORDER, name=_name(rng))
        people = [
            services.do_add_participant(staff, meeting, part=Part.REPRESENTATIVE, name=_name(rng))
            for _ in range(reps)
        ]
        if company is not None:
            services.do_add_participant(
                staff, meeting, part=Part.PROPERTY, name=_name(rng), organisation=company.name
            )
        services.do_notice_meeting(staff, meeting, now=planned + datetime.timedelta(days=1))
        for person in people[:-2]:
            services.do_tick_sign_in(staff, person, now=starts - datetime.timedelta(minutes=10))
        services.do_hold_meeting(staff, meeting, now=starts)
        counts["meetings"] += 1
        return meeting, people[:-2], starts

    # 问题角 → 花卉园: the hearing, its vote and outcome, minutes corrected once.
    meeting, present, starts = run(
        MeetingKind.HEARING, STORY_HEARING, 200, subject_title="问题角改建花卉园项目"
    )
    services.do_record_opinion(
        staff, present[0], stance="support", text="问题角常年堆物，赞成改建。"
    )
    services.do_record_opinion(
        staff, present[1], stance="amend", text="建议保留晾晒区域并增设座椅。"
    )
    services.do_record_opinion(staff, present[2], stance="oppose", text="担心维护费用由居民承担。")
    motion = services.do_add_motion(staff, meeting, title="同意将问题角改建为花卉园")
    services.do_cast_votes(
        staff,
        motion,
        {
            p.pk: ("for" if i < 5 else "against" if i == 5 else "abstain")
            for i, p in enumerate(present)
        },
        now=starts + datetime.timedelta(hours=1),
    )
    services.do_write_minutes(
        staff,
        meeting,
        text="到会居民代表7人，表决同意5人、反对1人、弃权1人，通过改建方案；增设座椅，维护由物业负责。",
    )
    services.do_sign_minutes(staff, meeting, now=starts + datetime.timedelta(days=1))
    services.do_correct_minutes(
        staff,
        meeting,
        text="到会居民代表7人，表决同意5人、反对1人、弃权1人，通过改建方案；增设座椅，维护费用纳入公共收益。",
        reason="维护费用来源表述有误",
        now=starts + datetime.timedelta(days=2),
    )
    services.do_record_outcome(
        staff, meeting, outcome="同意改建为花卉园，增设座椅。", decision=Decision.AMENDED
    )
    services.do_publish_outcome(staff, meeting, now=starts + datetime.timedelta(days=3))
    services.do_follow_up(
        staff,
        meeting,
        text="花卉园已于两个月后建成，由楼组志愿者认养维护。",
        now=starts + datetime.timedelta(days=70),
    )

    # The parking rules: a coordination meeting with agreed actions, one opened as a case.
    rules = RuleSet.objects.filter(estate=estate).order_by("-pk").first() if estate else None
    meeting, present, starts = run(
        MeetingKind.COORDINATION,
        "小区停车规则协调会",
        120,
        subject=rules,
        subject_title="" if rules else "小区停车管理规约",
    )
    services.do_record_opinion(staff, present[0], stance="amend", text="访客车位应限时两小时。")
    first = services.do_add_action(
        staff,
        meeting,
        text="施划访客车位标线",
        owner=company.name if company else "物业",
        due_on=timezone.localdate(starts) + datetime.timedelta(days=14),
    )
    services.do_add_action(
        staff,
        meeting,
        text="公示停车规约修订稿",
        owner="业委会",
        due_on=timezone.localdate(starts) + datetime.timedelta(days=7),
    )
    leaves = Category.objects.filter(is_active=True, parent__isnull=False)
    category = leaves.filter(name="停车难").first() or leaves.order_by("code").first()
    if category is not None:
        services.do_open_case(
            staff, first, category=category, now=starts + datetime.timedelta(hours=2)
        )
        counts["cases"] += 1
    services.do_complete_action(staff, first, now=starts + datetime.timedelta(days=12))
    services.do_record_outcome(staff, meeting, outcome="访客车位限时两小时，违规停放由物业劝离。")
    services.do_write_minutes(staff, meeting, text="各方就访客车位和停车规约修订达成一致。")
    services.do_sign_minutes(staff, meeting, now=starts + datetime.timedelta(days=1))
    services.do_publish_outcome(staff, meeting, now=starts + datetime.timedelta(days=2))

    # The evaluations of the 物业 and the 城管中队; the rectification answered next time.
    previous = None
    for days_back, scores in ((150, (5, 2, 3)), (30, (7, 2, 1))):
        meeting, present, starts = run(
            MeetingKind.EVALUATION, "物业与城管中队服务评议会", days_back, subject=company
        )
        rows = []
        for item in ITEMS:
            if company is not None:
                rows.append(
                    services.do_record_score(
                        staff,
                        meeting,
                        body_kind=BodyKind.PROPERTY,
                        property_company=company,
                        item=item,
                        satisfied=scores[0],
                        fairly=scores[1],
                        dissatisfied=scores[2],
                    )
                )
            if chengguan is not None:
                services.do_record_score(
                    staff,
                    meeting,
                    body_kind=BodyKind.DEPARTMENT,
                    department=chengguan,
                    item=item,
                    satisfied=scores[0] + 1,
                    fairly=scores[1],
                    dissatisfied=max(scores[2] - 1, 0),
                )
        if previous is not None:
            services.do_answer_rectification(
                staff, previous, meeting=meeting, answer="已增加保洁频次，每日两次巡查楼道。"
            )
        elif rows:
            previous = services.do_request_rectification(
                staff, rows[-1], request="加强楼道和垃圾厢房保洁"
            )
        services.do_record_outcome(staff, meeting, outcome="评议结果已反馈被评议单位。")
        services.do_write_minutes(staff, meeting, text="到会代表对物业和城管中队逐项评议。")
        services.do_sign_minutes(staff, meeting, now=starts + datetime.timedelta(days=1))
        services.do_publish_outcome(staff, meeting, now=starts + datetime.timedelta(days=2))

    # Next week's hearing, on the notice page now.
    upcoming = services.do_plan_meeting(
        staff,
        kind=MeetingKind.HEARING,
        community=community,
        estate=estate,
        title="《居民公约》修订听证会",
        subject_title="居民公约",
        starts_at=_at(now, -7, hour=19),
        place=f"{community.name}居委会议室",
        now=now,
    )
    services.do_add_participant(
        staff, upcoming, part=Part.REPRESENTATIVE, name=_name(rng), account=None
    )
    services.do_notice_meeting(staff, upcoming, now=now)
    counts["meetings"] += 1


def _routine(communities, staff_by_community, rng, now, counts, company, chengguan):
    """A hearing, a coordination and an evaluation meeting in every other 居村, in bulk."""
    meetings = []
    for community in communities:
        for kind, title, subject, months in ROUTINE:
            starts = _at(now, months * 30 + rng.randrange(0, 20), hour=rng.choice((9, 14, 19)))
            meetings.append(
                Meeting(
                    kind=kind,
                    community=community,
                    title=title,
                    subject_title=subject,
                    state=MeetingState.PUBLISHED if months > 2 else MeetingState.MINUTES_SIGNED,
                    starts_at=starts,
                    place=f"{community.name}居委会议室",
                    convener=staff_by_community.get(community.pk),
                    chair_name=f"{community.name}党总支书记",
                    notice_days=5,
                    noticed_at=starts - datetime.timedelta(days=7),
                    held_at=starts,
                    quorum_percent=50,
                    pass_percent=50,
                    decision=Decision.APPROVED if kind == MeetingKind.HEARING else "",
                    outcome="会议结果已公示。",
                    published_at=starts + datetime.timedelta(days=3) if months > 2 else None,
                    created_at=starts - datetime.timedelta(days=10),
                    sign_in_token=f"demo-{community.pk}-{kind}-{rng.getrandbits(64):016x}",
                )
            )
    Meeting.objects.bulk_create(meetings, batch_size=500)
    participants, events, minutes, scores = [], [], [], []
    for meeting in meetings:
        present = rng.randint(5, REPRESENTATIVES)
        for n in range(REPRESENTATIVES):
            signed = n < present
            participants.append(
                Participant(
                    meeting=meeting,
                    part=Part.REPRESENTATIVE,
                    name=_name(rng),
                    signed_in_at=meeting.starts_at - datetime.timedelta(minutes=5)
                    if signed
                    else None,
                    sign_in_method=rng.choice((SignInMethod.QR, SignInMethod.TICK))
                    if signed
                    else "",
                )
            )
        participants.append(
            Participant(
                meeting=meeting,
                part=Part.HOST,
                name=meeting.chair_name,
                signed_in_at=meeting.starts_at,
                sign_in_method=SignInMethod.TICK,
            )
        )
        steps = [
            (MeetingAction.PLAN, "", MeetingState.PLANNED, meeting.created_at),
            (MeetingAction.NOTICE, MeetingState.PLANNED, MeetingState.NOTICED, meeting.noticed_at),
            (MeetingAction.HOLD, MeetingState.NOTICED, MeetingState.HELD, meeting.starts_at),
            (
                MeetingAction.SIGN_MINUTES,
                MeetingState.HELD,
                MeetingState.MINUTES_SIGNED,
                meeting.starts_at + datetime.timedelta(days=1),
            ),
        ]
        if meeting.state == MeetingState.PUBLISHED:
            steps.append(
                (
                    MeetingAction.PUBLISH,
                    MeetingState.MINUTES_SIGNED,
                    MeetingState.PUBLISHED,
                    meeting.published_at,
                )
            )
        events.extend(
            MeetingEvent(
                meeting=meeting,
                action=action,
                from_state=old,
                to_state=new,
                user=meeting.convener,
                at=at,
            )
            for action, old, new, at in steps
        )
        minutes.append(
            Minutes(
                meeting=meeting,
                version=1,
                text=f"{meeting.title}：到会居民代表{present}人，会议形成一致意见。",
                written_by=meeting.convener,
                signed_at=meeting.starts_at + datetime.timedelta(days=1),
                signed_by=meeting.convener,
            )
        )
        if meeting.kind == MeetingKind.EVALUATION:
            for body_kind, body, field in (
                (BodyKind.PROPERTY, company, "property_company"),
                (BodyKind.DEPARTMENT, chengguan, "department"),
            ):
                if body is None:
                    continue
                for item in ITEMS:
                    s = rng.randint(3, present)
                    f = rng.randint(0, present - s)
                    scores.append(
                        EvaluationScore(
                            meeting=meeting,
                            body_kind=body_kind,
                            body_name=body.name,
                            item=item,
                            satisfied=s,
                            fairly=f,
                            dissatisfied=present - s - f,
                            **{field: body},
                        )
                    )
    Participant.objects.bulk_create(participants, batch_size=1000)
    MeetingEvent.objects.bulk_create(events, batch_size=1000)
    Minutes.objects.bulk_create(minutes, batch_size=500)
    EvaluationScore.objects.bulk_create(scores, batch_size=1000)
    counts["meetings"] += len(meetings)
    counts["held"] += sum(1 for m in meetings if m.state in HELD_STATES)


def _training(rng, now, counts):
    today = timezone.localdate(now)
    rows = []
    for user in User.objects.filter(
        role=Role.COMMUNITY_STAFF, is_active=True, community__isnull=False
    ).order_by("pk"):
        passed = rng.random() < 0.85
        rows.append(
            TrainingRecord(
                trainee=user,
                community_id=user.community_id,
                post=TraineePost.WORKER,
                course="三会实训必修课",
                trained_on=today - datetime.timedelta(days=rng.randrange(30, 300)),
                passed=passed,
            )
        )
        if not passed:
            rows.append(
                TrainingRecord(
                    trainee=user,
                    community_id=user.community_id,
                    post=TraineePost.WORKER,
                    course="三会实训补训",
                    trained_on=today - datetime.timedelta(days=rng.randrange(1, 25)),
                    passed=rng.random() < 0.5,
                )
            )
    TrainingRecord.objects.bulk_create(rows)
    counts["training"] = len(rows)


def build_demo_meetings(*, seed: int = 7, now=None) -> dict:
    """Builds the street's 三会 and training; returns counts ({} when they exist already)."""
    # Other programmes' builders may hold meetings of their own (a project's hearing): the
    # story's first hearing marks this builder's work.
    if Meeting.objects.filter(title=STORY_HEARING).exists():
        return {}
    communities = list(Grid.objects.filter(level=GridLevel.COMMUNITY).order_by("code"))
    if not communities:
        return {}
    now = now or timezone.now()
    rng = random.Random(f"{seed}:meetings")
    staff_by_community = {}
    for user in User.objects.filter(role=Role.COMMUNITY_STAFF, community__isnull=False).order_by(
        "pk"
    ):
        staff_by_community.setdefault(user.community_id, user)
    counts = {"meetings": 0, "held": 0, "cases": 0}
    first = communities[0]
    company = PropertyCompany.objects.order_by("pk").first()
    chengguan = Department.objects.filter(name__contains="城管").order_by("code").first()
    with transaction.atomic():
        # The story runs as a trusted caller (None) with the 居委 worker as convener where known.
        _story(first, None, rng, now, counts)
        Meeting.objects.filter(community=first, convener__isnull=True).update(
            convener=staff_by_community.get(first.pk)
        )
        _routine(communities[1:], staff_by_community, rng, now, counts, company, chengguan)
        _training(rng, now, counts)
    return counts
