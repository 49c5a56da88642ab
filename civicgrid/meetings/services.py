"""Every step of a 三会 meeting, its training records and the figures built on them.

Each `do_*` runs in one transaction (the meeting row locked), checks the role (accounts.policy),
the scope (`scope_meetings`, built on grids.scoping: a meeting belongs to its 居村) and the state
table (meetings.workflow) before writing, writes an immutable MeetingEvent for each step of the
meeting, and returns what it did. Bad input raises ValidationError (field → Chinese message), a
refused user PermissionDenied, a wrong state IllegalTransition; nothing is written then.
`user=None` is a trusted caller (the demo builder). `now` may be given by such a caller.

Quorum (法定人数): the voters are the participants who are 居民代表; a vote counts only when more
than `quorum_percent` % of them are present (signed in), and a motion passes when more than
`pass_percent` % of those present vote for it (both 50 by default: more than half).
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.choices import Role
from civicgrid.accounts.policy import MEETINGS_EDIT_ROLES, MEETINGS_VIEW_ROLES
from civicgrid.cases import services as cases
from civicgrid.cases.choices import CaseSource
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.text import text_problem
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import visible_micro_grids
from civicgrid.meetings.choices import (
    Ballot,
    BodyKind,
    Decision,
    MeetingAction,
    MeetingKind,
    MeetingState,
    Part,
    SignInMethod,
    Stance,
    TraineePost,
)
from civicgrid.meetings.models import (
    AgreedAction,
    EvaluationScore,
    Meeting,
    MeetingEvent,
    Minutes,
    Motion,
    Opinion,
    Participant,
    Rectification,
    TrainingRecord,
    Vote,
)
from civicgrid.meetings.workflow import HELD_STATES, RUNNING_STATES, may_move

MAX_TITLE = 200
MAX_PLACE = 200
MAX_TEXT = 5000
MAX_NOTE = 300
# Case sources a meeting's action comes in through, the first the user's role may use.
ACTION_SOURCES = (CaseSource.GRID_PATROL, CaseSource.DEPARTMENT, CaseSource.SUPERVISION)


# --- scope ---------------------------------------------------------------------------------------


def scope_meetings(queryset, user, prefix: str = ""):
    """Meetings (or rows hanging off a meeting through `prefix`, e.g. "meeting__") the user may
    see: all for street-wide roles, else those of the 居村 of their micro-grids (or their own 居村);
    nothing for roles outside MEETINGS_VIEW_ROLES."""
    if user is None:
        return queryset
    if not user.is_authenticated or user.effective_role not in MEETINGS_VIEW_ROLES:
        return queryset.none()
    micro = visible_micro_grids(user)
    if micro is None:
        return queryset
    communities = Grid.objects.filter(pk__in=micro.values("pk")).values("parent_id")
    condition = Q(**{f"{prefix}community__in": communities})
    if user.community_id:
        condition |= Q(**{f"{prefix}community_id": user.community_id})
    return queryset.filter(condition)


def visible_communities(user):
    """The 居村 a user may plan meetings in or read figures of."""
    communities = Grid.objects.filter(level=GridLevel.COMMUNITY)
    if user is None:
        return communities
    micro = visible_micro_grids(user)
    if micro is None:
        return communities
    condition = Q(pk__in=Grid.objects.filter(pk__in=micro.values("pk")).values("parent_id"))
    if user.community_id:
        condition |= Q(pk=user.community_id)
    return communities.filter(condition)


def may_edit(user) -> bool:
    return user is None or (user.effective_role in MEETINGS_EDIT_ROLES and not user.is_read_only)


def _require_edit(user):
    if not may_edit(user):
        raise PermissionDenied(_("您无权办理三会事务"))


def _check_meeting(user, meeting):
    _require_edit(user)
    if (
        user is not None
        and not scope_meetings(Meeting.objects, user).filter(pk=meeting.pk).exists()
    ):
        raise PermissionDenied(_("该会议不在您的管辖范围内"))


def _now(now):
    return now or timezone.now()


def _locked(meeting) -> Meeting:
    return Meeting.objects.select_for_update().get(pk=meeting.pk)


def _text(value, field, label, limit, required=True):
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("请填写%(label)s。") % {"label": label}})
    if len(value) > limit:
        raise ValidationError(
            {field: _("%(label)s不能超过%(n)s个字。") % {"label": label, "n": limit}}
        )
    problem = text_problem(value)
    if problem is not None:
        raise ValidationError({field: problem.messages[0]})
    return value


def _event(meeting, action, user, now, from_state="", to_state="", note=""):
    return MeetingEvent.objects.create(
        meeting=meeting,
        action=action,
        from_state=from_state,
        to_state=to_state,
        user=user,
        note=note[:MAX_NOTE],
        at=now,
    )


def _move(meeting, new_state, action, user, now, note=""):
    if not may_move(meeting.state, new_state):
        raise IllegalTransition(
            _("会议当前为“%(state)s”，不能%(action)s。")
            % {"state": meeting.get_state_display(), "action": MeetingAction(action).label}
        )
    old = meeting.state
    meeting.state = new_state
    _event(meeting, action, user, now, from_state=old, to_state=new_state, note=note)


def _require_state(meeting, states, message):
    if meeting.state not in states:
        raise IllegalTransition(message)


# --- the meeting's steps -------------------------------------------------------------------------


def _checked_plan(
    user,
    now,
    *,
    kind,
    community,
    title,
    starts_at,
    place,
    estate=None,
    subject_title="",
    chair_name="",
    description="",
    notice_days=None,
    quorum_percent=None,
    pass_percent=None,
) -> dict:
    """The checks of a plan and of its edit: every field's problem at once (field → message); a
    居村 outside the user's scope is PermissionDenied. Returns the meeting's fields."""
    errors = {}
    if kind not in MeetingKind.values:
        errors["kind"] = _("请选择会议类型。")
    if community is None or getattr(community, "level", None) != GridLevel.COMMUNITY:
        errors["community"] = _("请选择居村。")
    elif user is not None and not visible_communities(user).filter(pk=community.pk).exists():
        raise PermissionDenied(_("该居村不在您的管辖范围内"))
    if estate is not None and community is not None and estate.community_id != community.pk:
        errors["estate"] = _("小区不属于所选居村。")
    if starts_at is None:
        errors["starts_at"] = _("请填写召开时间。")
    elif timezone.is_naive(starts_at):
        starts_at = timezone.make_aware(starts_at)
    notice_days = settings.CIVICGRID_MEETINGS_NOTICE_DAYS if notice_days is None else notice_days
    quorum_percent = (
        settings.CIVICGRID_MEETINGS_QUORUM_PERCENT if quorum_percent is None else quorum_percent
    )
    pass_percent = (
        settings.CIVICGRID_MEETINGS_PASS_PERCENT if pass_percent is None else pass_percent
    )
    if not isinstance(notice_days, int) or not 0 <= notice_days <= 60:
        errors["notice_days"] = _("提前公告天数须在0到60之间。")
    for field, value in (("quorum_percent", quorum_percent), ("pass_percent", pass_percent)):
        if not isinstance(value, int) or not 1 <= value <= 99:
            errors[field] = _("比例须在1到99之间。")
    try:
        title = _text(title, "title", _("议题"), MAX_TITLE)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        place = _text(place, "place", _("地点"), MAX_PLACE)
    except ValidationError as error:
        errors.update(error.message_dict)
    subject_title = (subject_title or "").strip()
    if len(subject_title) > MAX_TITLE or len(chair_name or "") > 50:
        errors["subject_title"] = _("议题对象或主持人名称过长。")
    if len(description or "") > MAX_TEXT:
        errors["description"] = _("会议说明过长。")
    if starts_at is not None and "starts_at" not in errors and starts_at < now:
        errors["starts_at"] = _("召开时间不能早于现在。")
    if errors:
        raise ValidationError(errors)
    return {
        "kind": kind,
        "community": community,
        "estate": estate,
        "title": title,
        "subject_title": subject_title,
        "starts_at": starts_at,
        "place": place,
        "chair_name": (chair_name or "").strip(),
        "description": (description or "").strip(),
        "notice_days": notice_days,
        "quorum_percent": quorum_percent,
        "pass_percent": pass_percent,
    }


def _set_subject(meeting, subject):
    if subject is not None:
        meeting.subject_type = ContentType.objects.get_for_model(subject)
        meeting.subject_id = subject.pk
    else:
        meeting.subject_type = None
        meeting.subject_id = None


def do_plan_meeting(user, *, subject=None, subject_title: str = "", now=None, **fields) -> Meeting:
    """Plan a meeting (计划): the 居委会 convenes it; the notice goes up `notice_days` ahead.
    `subject` is the object it concerns (any model: a project, a case, a parking rule …);
    `subject_title` names it in words (by default the object's own name)."""
    _require_edit(user)
    now = _now(now)
    subject_title = subject_title or (str(subject) if subject is not None else "")
    checked = _checked_plan(user, now, subject_title=subject_title, **fields)
    with transaction.atomic():
        meeting = Meeting(convener=user, created_at=now, **checked)
        _set_subject(meeting, subject)
        meeting.save()
        _event(meeting, MeetingAction.PLAN, user, now, to_state=MeetingState.PLANNED)
    return meeting


# What an edit may change, in the order the history names them.
EDITABLE = [
    "kind",
    "community",
    "estate",
    "title",
    "subject_title",
    "starts_at",
    "place",
    "chair_name",
    "description",
    "notice_days",
    "quorum_percent",
    "pass_percent",
]


def do_edit_meeting(
    user, meeting, *, subject=None, subject_title: str = "", now=None, **fields
) -> Meeting:
    """Edit a planned meeting (before its notice goes up: once residents are told, a change is a
    cancellation and a new plan). One history row names what changed."""
    _check_meeting(user, meeting)
    now = _now(now)
    subject_title = subject_title or (str(subject) if subject is not None else "")
    checked = _checked_plan(user, now, subject_title=subject_title, **fields)
    with transaction.atomic():
        meeting = _locked(meeting)
        _require_state(
            meeting, {MeetingState.PLANNED}, _("公告发布后不能再修改会议，请取消后重新计划。")
        )
        changed = [f for f in EDITABLE if checked[f] != getattr(meeting, f)]
        new_type = ContentType.objects.get_for_model(subject) if subject is not None else None
        if (new_type.pk if new_type else None, subject.pk if subject else None) != (
            meeting.subject_type_id,
            meeting.subject_id,
        ):
            changed.append("subject_id")
        for field in changed:
            if field != "subject_id":
                setattr(meeting, field, checked[field])
        _set_subject(meeting, subject)
        if changed:
            meeting.save()
            labels = "、".join(str(Meeting._meta.get_field(f).verbose_name) for f in changed)
            _event(meeting, MeetingAction.EDIT, user, now, note=_("修改：%(f)s") % {"f": labels})
    return meeting


def notice_due(meeting) -> datetime.datetime:
    """The latest time the meeting's notice may go up (starts_at − notice_days)."""
    return meeting.starts_at - datetime.timedelta(days=meeting.notice_days)


def do_notice_meeting(user, meeting, *, now=None) -> Meeting:
    """Publish the notice (发布公告) on the 居村's notice page, at least notice_days ahead."""
    _check_meeting(user, meeting)
    now = _now(now)
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.state == MeetingState.PLANNED and now > notice_due(meeting):
            raise ValidationError(
                {
                    "starts_at": _("公告须在会议召开前至少%(n)s天发布；请改期后再发布。")
                    % {"n": meeting.notice_days}
                }
            )
        _move(meeting, MeetingState.NOTICED, MeetingAction.NOTICE, user, now)
        meeting.noticed_at = now
        meeting.save(update_fields=["state", "noticed_at"])
    return meeting


def do_hold_meeting(user, meeting, *, now=None) -> Meeting:
    """Record that the meeting is held (召开): from then on opinions and votes are taken."""
    _check_meeting(user, meeting)
    now = _now(now)
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.state == MeetingState.NOTICED and now < meeting.starts_at - datetime.timedelta(
            hours=2
        ):
            raise ValidationError({"starts_at": _("会议尚未到召开时间。")})
        _move(meeting, MeetingState.HELD, MeetingAction.HOLD, user, now)
        meeting.held_at = now
        meeting.save(update_fields=["state", "held_at"])
    return meeting


def do_cancel_meeting(user, meeting, *, reason, now=None) -> Meeting:
    _check_meeting(user, meeting)
    now = _now(now)
    reason = _text(reason, "reason", _("取消原因"), MAX_NOTE)
    with transaction.atomic():
        meeting = _locked(meeting)
        _move(meeting, MeetingState.CANCELLED, MeetingAction.CANCEL, user, now, note=reason)
        meeting.save(update_fields=["state"])
    return meeting


def do_write_minutes(user, meeting, *, text, now=None) -> Minutes:
    """Write or rewrite the draft minutes (纪要草稿) of a held meeting; signed minutes are
    never changed (see do_correct_minutes)."""
    _check_meeting(user, meeting)
    text = _text(text, "text", _("纪要内容"), MAX_TEXT * 4)
    with transaction.atomic():
        meeting = _locked(meeting)
        _require_state(
            meeting, {MeetingState.HELD}, _("只有已召开、纪要未签署的会议可以编写纪要。")
        )
        draft = meeting.minutes.filter(signed_at__isnull=True).first()
        if draft is None:
            draft = Minutes(meeting=meeting, version=1)
        draft.text = text
        draft.written_by = user
        draft.save()
    return draft


def do_sign_minutes(user, meeting, *, now=None) -> Minutes:
    """Sign the minutes (签署纪要): they are immutable from now on."""
    _check_meeting(user, meeting)
    now = _now(now)
    with transaction.atomic():
        meeting = _locked(meeting)
        draft = meeting.minutes.filter(signed_at__isnull=True).first()
        if draft is None and meeting.state == MeetingState.HELD:
            raise ValidationError({"text": _("请先编写会议纪要。")})
        _move(meeting, MeetingState.MINUTES_SIGNED, MeetingAction.SIGN_MINUTES, user, now)
        meeting.save(update_fields=["state"])
        draft.signed_at = now
        draft.signed_by = user
        draft.save(update_fields=["signed_at", "signed_by"])
    return draft


def current_minutes(meeting):
    """The latest signed version of the minutes, or None."""
    return meeting.minutes.filter(signed_at__isnull=False).order_by("-version").first()


def do_correct_minutes(user, meeting, *, text, reason, now=None) -> Minutes:
    """Correct signed minutes (更正纪要): a new signed version linked to the one it corrects."""
    _check_meeting(user, meeting)
    now = _now(now)
    text = _text(text, "text", _("纪要内容"), MAX_TEXT * 4)
    reason = _text(reason, "reason", _("更正原因"), MAX_NOTE)
    with transaction.atomic():
        meeting = _locked(meeting)
        latest = current_minutes(meeting)
        if latest is None:
            raise IllegalTransition(_("会议纪要尚未签署，不需要更正，请直接修改草稿。"))
        if latest.text == text:
            raise ValidationError({"text": _("更正后的纪要与原纪要相同。")})
        correction = Minutes.objects.create(
            meeting=meeting,
            version=latest.version + 1,
            text=text,
            corrects=latest,
            correction_reason=reason,
            written_by=user,
            signed_at=now,
            signed_by=user,
        )
        _event(meeting, MeetingAction.CORRECT_MINUTES, user, now, note=reason)
    return correction


def _outcome_missing(meeting) -> str:
    if meeting.kind == MeetingKind.HEARING and not meeting.decision:
        return _("请先记录听证结论。")
    if meeting.kind == MeetingKind.COORDINATION and not (
        meeting.outcome or meeting.actions.exists()
    ):
        return _("请先记录协调结果或协调事项。")
    if meeting.kind == MeetingKind.EVALUATION and not meeting.scores.exists():
        return _("请先录入评议结果。")
    return ""


def do_record_outcome(user, meeting, *, outcome, decision="") -> Meeting:
    """The meeting's outcome text and, for a hearing, its decision (听证结论); before it is
    published."""
    _check_meeting(user, meeting)
    outcome = _text(outcome, "outcome", _("会议结果"), MAX_TEXT)
    with transaction.atomic():
        meeting = _locked(meeting)
        _require_state(
            meeting,
            {MeetingState.HELD, MeetingState.MINUTES_SIGNED},
            _("只有已召开、结果未公布的会议可以记录结果。"),
        )
        if meeting.kind == MeetingKind.HEARING:
            if decision not in Decision.values:
                raise ValidationError({"decision": _("请选择听证结论。")})
            meeting.decision = decision
        elif decision:
            raise ValidationError({"decision": _("只有听证会有听证结论。")})
        meeting.outcome = outcome
        meeting.save(update_fields=["decision", "outcome"])
    return meeting


def do_publish_outcome(user, meeting, *, now=None) -> Meeting:
    """Publish the outcome (公布结果) once the minutes are signed."""
    _check_meeting(user, meeting)
    now = _now(now)
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.state == MeetingState.MINUTES_SIGNED:
            missing = _outcome_missing(meeting)
            if missing:
                raise ValidationError({"outcome": missing})
        _move(meeting, MeetingState.PUBLISHED, MeetingAction.PUBLISH, user, now)
        meeting.published_at = now
        meeting.save(update_fields=["state", "published_at"])
    return meeting


def do_follow_up(user, meeting, *, text, now=None) -> Meeting:
    """Record how the outcome was carried out (跟踪落实)."""
    _check_meeting(user, meeting)
    now = _now(now)
    text = _text(text, "text", _("落实情况"), MAX_TEXT)
    with transaction.atomic():
        meeting = _locked(meeting)
        _move(meeting, MeetingState.FOLLOWED_UP, MeetingAction.FOLLOW_UP, user, now, note=text)
        meeting.follow_up = text
        meeting.followed_up_at = now
        meeting.save(update_fields=["state", "follow_up", "followed_up_at"])
    return meeting


# --- participants and sign-in --------------------------------------------------------------------


def do_add_participant(user, meeting, *, part, name, organisation="", account=None) -> Participant:
    _check_meeting(user, meeting)
    if part not in Part.values:
        raise ValidationError({"part": _("请选择参会身份。")})
    name = _text(name, "name", _("姓名"), 50)
    organisation = _text(organisation, "organisation", _("单位"), 100, required=False)
    with transaction.atomic():
        meeting = _locked(meeting)
        _require_state(
            meeting,
            {MeetingState.PLANNED, MeetingState.NOTICED, MeetingState.HELD},
            _("会议已结束，不能再增加参会人员。"),
        )
        if account is not None and meeting.participants.filter(user=account).exists():
            raise ValidationError({"user": _("该账号已在参会名单中。")})
        return Participant.objects.create(
            meeting=meeting, part=part, name=name, organisation=organisation, user=account
        )


def _sign_in(participant, method, by, now):
    meeting = _locked(participant.meeting)
    _require_state(meeting, RUNNING_STATES, _("会议不在签到时间内。"))
    participant = Participant.objects.select_for_update().get(pk=participant.pk)
    if participant.signed_in_at is None:
        participant.signed_in_at = now
        participant.sign_in_method = method
        participant.signed_in_by = by
        participant.save(update_fields=["signed_in_at", "sign_in_method", "signed_in_by"])
    return participant


def do_sign_in(user, token, *, now=None) -> Participant:
    """QR sign-in (扫码签到): a signed-in participant opens the meeting's code on their phone.
    Signing in twice keeps the first time."""
    if user is None or not user.is_authenticated:
        raise PermissionDenied(_("请先登录再签到。"))
    meeting = Meeting.objects.filter(sign_in_token=token).first()
    if meeting is None:
        raise ValidationError({"token": _("签到码无效。")})
    participant = meeting.participants.filter(user=user).first()
    if participant is None:
        raise PermissionDenied(_("您不在本次会议的参会名单中，请联系居委工作人员。"))
    with transaction.atomic():
        return _sign_in(participant, SignInMethod.QR, None, _now(now))


def do_tick_sign_in(user, participant, *, now=None) -> Participant:
    """A 居委 worker ticks a participant present (工作人员代签)."""
    _check_meeting(user, participant.meeting)
    with transaction.atomic():
        return _sign_in(participant, SignInMethod.TICK, user, _now(now))


# --- opinions and votes --------------------------------------------------------------------------


def do_record_opinion(user, participant, *, stance, text, now=None) -> Opinion:
    _check_meeting(user, participant.meeting)
    if stance not in Stance.values:
        raise ValidationError({"stance": _("请选择意见类型。")})
    text = _text(text, "text", _("意见内容"), MAX_TEXT)
    with transaction.atomic():
        meeting = _locked(participant.meeting)
        _require_state(meeting, {MeetingState.HELD}, _("只有召开中的会议可以记录意见。"))
        return Opinion.objects.create(
            meeting=meeting,
            participant=participant,
            stance=stance,
            text=text,
            recorded_by=user,
            at=_now(now),
        )


def do_add_motion(user, meeting, *, title) -> Motion:
    _check_meeting(user, meeting)
    title = _text(title, "title", _("表决事项"), MAX_TITLE)
    with transaction.atomic():
        meeting = _locked(meeting)
        _require_state(meeting, {MeetingState.HELD}, _("只有召开中的会议可以提出表决事项。"))
        return Motion.objects.create(meeting=meeting, title=title)


def do_cast_votes(user, motion, ballots: dict, *, now=None) -> list:
    """Record the representatives' votes on a motion: {participant id: Ballot}. Only present
    representatives vote, each once; all or nothing."""
    _check_meeting(user, motion.meeting)
    now = _now(now)
    if not ballots:
        raise ValidationError({"ballots": _("请至少录入一张表决票。")})
    with transaction.atomic():
        meeting = _locked(motion.meeting)
        _require_state(meeting, {MeetingState.HELD}, _("只有召开中的会议可以表决。"))
        voters = {
            p.pk: p
            for p in meeting.participants.filter(
                part=Part.REPRESENTATIVE, signed_in_at__isnull=False
            )
        }
        already = set(motion.votes.values_list("participant_id", flat=True))
        rows = []
        for key, ballot in ballots.items():
            try:
                pid = int(key)
            except (TypeError, ValueError):
                raise ValidationError({"ballots": _("投票人无效。")}) from None
            if pid not in voters:
                raise ValidationError({"ballots": _("只有已签到的居民代表可以投票。")})
            if pid in already:
                raise ValidationError(
                    {"ballots": _("%(name)s已经投过票。") % {"name": voters[pid].name}}
                )
            if ballot not in Ballot.values:
                raise ValidationError({"ballots": _("表决意见无效。")})
            rows.append(Vote(motion=motion, participant=voters[pid], ballot=ballot, at=now))
        return Vote.objects.bulk_create(rows)


@dataclass(frozen=True)
class Tally:
    """The count of a motion: representatives, present, quorum, ballots and the result."""

    representatives: int
    present: int
    quorum_met: bool
    votes_for: int
    against: int
    abstain: int
    not_voted: int
    passed: bool


def quorum_met(representatives: int, present: int, quorum_percent: int) -> bool:
    return representatives > 0 and present * 100 > representatives * quorum_percent


def count(meeting, motion=None, *, votes=None) -> Tally:
    """Count a motion (or the meeting's attendance alone) under the meeting's quorum rule."""
    seats = meeting.participants.filter(part=Part.REPRESENTATIVE).aggregate(
        total=Count("pk"), present=Count("pk", filter=Q(signed_in_at__isnull=False))
    )
    total, present = seats["total"], seats["present"]
    if votes is None:
        votes = {b: 0 for b in Ballot.values}
        if motion is not None:
            for ballot, n in motion.votes.values_list("ballot").annotate(n=Count("pk")):
                votes[ballot] = n
    met = quorum_met(total, present, meeting.quorum_percent)
    cast = sum(votes.values())
    return Tally(
        representatives=total,
        present=present,
        quorum_met=met,
        votes_for=votes.get(Ballot.FOR, 0),
        against=votes.get(Ballot.AGAINST, 0),
        abstain=votes.get(Ballot.ABSTAIN, 0),
        not_voted=max(present - cast, 0),
        passed=met and votes.get(Ballot.FOR, 0) * 100 > present * meeting.pass_percent,
    )


def tallies(meeting) -> list:
    """(motion, Tally) for each motion of a meeting, in two queries."""
    rows = {}
    for motion_id, ballot, n in (
        Vote.objects.filter(motion__meeting=meeting)
        .values_list("motion_id", "ballot")
        .annotate(n=Count("pk"))
    ):
        rows.setdefault(motion_id, {})[ballot] = n
    motions = list(meeting.motions.all())
    if not motions:
        return []
    seats = meeting.participants.filter(part=Part.REPRESENTATIVE).aggregate(
        total=Count("pk"), present=Count("pk", filter=Q(signed_in_at__isnull=False))
    )
    result = []
    for motion in motions:
        votes = rows.get(motion.pk, {})
        total, present = seats["total"], seats["present"]
        met = quorum_met(total, present, meeting.quorum_percent)
        cast = sum(votes.values())
        result.append(
            (
                motion,
                Tally(
                    representatives=total,
                    present=present,
                    quorum_met=met,
                    votes_for=votes.get(Ballot.FOR, 0),
                    against=votes.get(Ballot.AGAINST, 0),
                    abstain=votes.get(Ballot.ABSTAIN, 0),
                    not_voted=max(present - cast, 0),
                    passed=met and votes.get(Ballot.FOR, 0) * 100 > present * meeting.pass_percent,
                ),
            )
        )
    return result


# --- outcomes: actions, evaluations, rectifications ----------------------------------------------


def _outcome_open(meeting):
    _require_state(
        meeting,
        {MeetingState.HELD, MeetingState.MINUTES_SIGNED},
        _("只有已召开、结果未公布的会议可以记录结果。"),
    )


def do_add_action(user, meeting, *, text, owner, due_on) -> AgreedAction:
    """A coordination meeting's agreed action (协调事项), its owner and due date."""
    _check_meeting(user, meeting)
    text = _text(text, "text", _("事项"), MAX_NOTE)
    owner = _text(owner, "owner", _("责任方"), 100)
    if not isinstance(due_on, datetime.date):
        raise ValidationError({"due_on": _("请填写完成期限。")})
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.kind != MeetingKind.COORDINATION:
            raise ValidationError({"text": _("只有协调会有协调事项。")})
        _outcome_open(meeting)
        if due_on < timezone.localdate(meeting.starts_at):
            raise ValidationError({"due_on": _("完成期限不能早于会议日期。")})
        return AgreedAction.objects.create(meeting=meeting, text=text, owner=owner, due_on=due_on)


def do_complete_action(user, action, *, now=None) -> AgreedAction:
    _check_meeting(user, action.meeting)
    with transaction.atomic():
        action = AgreedAction.objects.select_for_update().get(pk=action.pk)
        if action.done_at is None:
            action.done_at = _now(now)
            action.save(update_fields=["done_at"])
    return action


def _source_for(user) -> str:
    if user is None:
        return CaseSource.GRID_PATROL
    allowed = cases.SOURCES_BY_ROLE.get(user.effective_role, [])
    for source in ACTION_SOURCES:
        if source in allowed:
            return source
    return allowed[0] if allowed else CaseSource.GRID_PATROL


def do_open_case(user, action, *, category, now=None) -> AgreedAction:
    """Open a case in the loop (转为案件) for an agreed action, in the meeting's 居村."""
    _check_meeting(user, action.meeting)
    now = _now(now)
    if category is None:
        raise ValidationError({"category": _("请选择案件类别。")})
    with transaction.atomic():
        action = (
            AgreedAction.objects.select_for_update().select_related("meeting").get(pk=action.pk)
        )
        if action.case_id:
            raise ValidationError({"category": _("该事项已转为案件。")})
        meeting = action.meeting
        micro_grid = (
            Grid.objects.filter(parent_id=meeting.community_id, level=GridLevel.MICRO_GRID)
            .order_by("code")
            .first()
        )
        description = _(
            "%(kind)s“%(title)s”协调事项：%(text)s（责任方：%(owner)s，期限：%(due)s）"
        ) % {
            "kind": meeting.get_kind_display(),
            "title": meeting.title,
            "text": action.text,
            "owner": action.owner,
            "due": action.due_on.isoformat(),
        }
        done = cases.do_report(
            user=user,
            category=category,
            description=description,
            source=_source_for(user),
            address=meeting.place,
            micro_grid=micro_grid,
            now=now,
        )
        action.case = done.case
        action.save(update_fields=["case"])
        _event(meeting, MeetingAction.OPEN_CASE, user, now, note=done.case.number)
    return action


def do_record_score(
    user,
    meeting,
    *,
    body_kind,
    body_name="",
    item,
    satisfied,
    fairly,
    dissatisfied,
    department=None,
    property_company=None,
) -> EvaluationScore:
    """An evaluation meeting's count for one body and item (满意 / 基本满意 / 不满意)."""
    _check_meeting(user, meeting)
    errors = {}
    if body_kind not in BodyKind.values:
        errors["body_kind"] = _("请选择评议对象类型。")
    if body_kind == BodyKind.DEPARTMENT and department is None:
        errors["department"] = _("请选择被评议的职能部门。")
    if body_kind == BodyKind.PROPERTY and property_company is None:
        errors["property_company"] = _("请选择被评议的物业。")
    name = body_name or str(department or property_company or "")
    counts = (satisfied, fairly, dissatisfied)
    if not all(isinstance(n, int) and 0 <= n <= 10000 for n in counts):
        errors["satisfied"] = _("票数须为不小于0的整数。")
    elif sum(counts) == 0:
        errors["satisfied"] = _("请至少录入一票。")
    try:
        item = _text(item, "item", _("评议项目"), 100)
        name = _text(name, "body_name", _("评议对象"), 100)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        meeting = _locked(meeting)
        if meeting.kind != MeetingKind.EVALUATION:
            raise ValidationError({"body_kind": _("只有评议会有评议结果。")})
        _outcome_open(meeting)
        if meeting.scores.filter(body_name=name, item=item).exists():
            raise ValidationError({"item": _("该对象的这一评议项目已录入。")})
        return EvaluationScore.objects.create(
            meeting=meeting,
            body_kind=body_kind,
            department=department if body_kind == BodyKind.DEPARTMENT else None,
            property_company=property_company if body_kind == BodyKind.PROPERTY else None,
            body_name=name,
            item=item,
            satisfied=satisfied,
            fairly=fairly,
            dissatisfied=dissatisfied,
        )


def do_request_rectification(user, score, *, request) -> Rectification:
    """整改要求 on an evaluated body, to be answered at a later meeting."""
    _check_meeting(user, score.meeting)
    request = _text(request, "request", _("整改要求"), MAX_NOTE)
    with transaction.atomic():
        _outcome_open(_locked(score.meeting))
        return Rectification.objects.create(score=score, request=request)


def do_answer_rectification(user, rectification, *, meeting, answer, now=None) -> Rectification:
    """Answer a rectification request at a later meeting of the same 居村 (整改答复)."""
    _check_meeting(user, meeting)
    answer = _text(answer, "answer", _("整改答复"), MAX_TEXT)
    with transaction.atomic():
        rectification = (
            Rectification.objects.select_for_update()
            .select_related("score__meeting")
            .get(pk=rectification.pk)
        )
        asked = rectification.score.meeting
        meeting = _locked(meeting)
        if rectification.answered_at is not None:
            raise ValidationError({"answer": _("该整改要求已答复。")})
        if meeting.community_id != asked.community_id or meeting.starts_at <= asked.starts_at:
            raise ValidationError({"meeting": _("整改须在同一居村此后召开的会议上答复。")})
        if meeting.state != MeetingState.HELD:
            raise IllegalTransition(_("只有召开中的会议可以答复整改要求。"))
        rectification.answer = answer
        rectification.answered_at = _now(now)
        rectification.answered_meeting = meeting
        rectification.save(update_fields=["answer", "answered_at", "answered_meeting"])
    return rectification


# --- what other apps ask -------------------------------------------------------------------------


def meetings_for(obj, kind=None):
    """Meetings about `obj` (its subject), any state."""
    queryset = Meeting.objects.filter(
        subject_type=ContentType.objects.get_for_model(obj), subject_id=obj.pk
    )
    if kind:
        queryset = queryset.filter(kind=kind)
    return queryset


def held_meetings_for(obj, kind=None):
    """Meetings about `obj` that have been held (state at or past 'held')."""
    return meetings_for(obj, kind).filter(state__in=HELD_STATES)


def upcoming_notices(community, now=None):
    """The 居村's noticed meetings still to come (its public notice page)."""
    return Meeting.objects.filter(
        community=community, state=MeetingState.NOTICED, starts_at__gte=_now(now)
    ).order_by("starts_at")


# --- training ------------------------------------------------------------------------------------


def do_record_training(
    user, *, trainee, post, course, trained_on, passed, community=None
) -> TrainingRecord:
    """A 书记's or community worker's 三会 training (course, date, passed)."""
    _require_edit(user)
    community = community or getattr(trainee, "community", None)
    errors = {}
    if post not in TraineePost.values:
        errors["post"] = _("请选择岗位。")
    if community is None:
        errors["community"] = _("请选择居村。")
    elif user is not None and not visible_communities(user).filter(pk=community.pk).exists():
        raise PermissionDenied(_("该居村不在您的管辖范围内"))
    if not isinstance(trained_on, datetime.date):
        errors["trained_on"] = _("请填写培训日期。")
    elif trained_on > timezone.localdate():
        errors["trained_on"] = _("培训日期不能晚于今天。")
    try:
        course = _text(course, "course", _("课程"), 100)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return TrainingRecord.objects.create(
        trainee=trainee,
        community=community,
        post=post,
        course=course,
        trained_on=trained_on,
        passed=bool(passed),
        recorded_by=user,
    )


def training_coverage(communities) -> list:
    """Per 居村: its community staff (居委工作人员 accounts), how many of them passed the 三会
    training, and the share; two queries."""
    communities = list(communities.order_by("code"))
    ids = [c.pk for c in communities]
    from django.contrib.auth import get_user_model

    staff = dict(
        get_user_model()
        .objects.filter(community_id__in=ids, role=Role.COMMUNITY_STAFF, is_active=True)
        .values_list("community_id")
        .annotate(n=Count("pk"))
    )
    trained = dict(
        TrainingRecord.objects.filter(community_id__in=ids, passed=True)
        .values_list("community_id")
        .annotate(n=Count("trainee_id", distinct=True))
    )
    rows = []
    for community in communities:
        total = staff.get(community.pk, 0)
        done = trained.get(community.pk, 0)
        rows.append(
            {
                "community": community,
                "staff": total,
                "trained": done,
                "ratio": (min(done, total) / total) if total else None,
            }
        )
    return rows


# --- evaluation figures (基层评议) -----------------------------------------------------------------


def evaluation_figures(communities=None, since=None) -> list:
    """基层评议: per evaluated department and 物业, the votes of every item of published
    evaluation meetings (of `communities`, since `since`), and the satisfaction rate (满意 +
    基本满意 over all); one query."""
    queryset = EvaluationScore.objects.filter(
        meeting__state__in=(MeetingState.PUBLISHED, MeetingState.FOLLOWED_UP),
        body_kind__in=(BodyKind.DEPARTMENT, BodyKind.PROPERTY),
    )
    if communities is not None:
        queryset = queryset.filter(meeting__community__in=communities)
    if since is not None:
        queryset = queryset.filter(meeting__starts_at__gte=since)
    rows = (
        queryset.values("body_kind", "body_name")
        .annotate(
            s=Sum("satisfied"),
            f=Sum("fairly"),
            d=Sum("dissatisfied"),
            meetings=Count("meeting", distinct=True),
        )
        .order_by("body_kind", "body_name")
    )
    result = []
    for row in rows:
        total = row["s"] + row["f"] + row["d"]
        result.append(
            {
                "kind": row["body_kind"],
                "kind_label": str(BodyKind(row["body_kind"]).label),
                "name": row["body_name"],
                "satisfied": row["s"],
                "fairly": row["f"],
                "dissatisfied": row["d"],
                "meetings": row["meetings"],
                "rate": ((row["s"] + row["f"]) / total) if total else None,
            }
        )
    return result


def dashboard_tile(micro_ids, first, last, now) -> dict:
    """The dashboard's 三会 tile for the micro-grids `micro_ids` (None: the whole street) and the
    local days first..last: meetings held per kind, the 基层评议 of departments and 物业 over the
    last year, and the training coverage; a fixed number of queries."""
    communities = Grid.objects.filter(level=GridLevel.COMMUNITY)
    if micro_ids is not None:
        communities = communities.filter(
            pk__in=Grid.objects.filter(pk__in=list(micro_ids)).values("parent_id")
        )
    start = timezone.make_aware(datetime.datetime.combine(first, datetime.time.min))
    end = timezone.make_aware(datetime.datetime.combine(last, datetime.time.max))
    held = dict(
        Meeting.objects.filter(
            community__in=communities, state__in=HELD_STATES, starts_at__range=(start, end)
        )
        .values_list("kind")
        .annotate(n=Count("pk"))
    )
    upcoming = Meeting.objects.filter(
        community__in=communities, state=MeetingState.NOTICED, starts_at__gte=now
    ).count()
    evaluations = evaluation_figures(communities, since=now - datetime.timedelta(days=365))
    coverage = training_coverage(communities)
    staff = sum(row["staff"] for row in coverage)
    trained = sum(min(row["trained"], row["staff"]) for row in coverage)
    return {
        "held": [(str(kind.label), held.get(kind.value, 0)) for kind in MeetingKind],
        "held_total": sum(held.values()),
        "upcoming": upcoming,
        "evaluations": evaluations,
        "training": {
            "staff": staff,
            "trained": trained,
            "ratio": trained / staff if staff else None,
        },
        "has_data": bool(held or upcoming or evaluations or trained),
    }
