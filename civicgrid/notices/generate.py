"""Notices written by the other programmes, ready for review (草稿, then 送审 by the generator).

Each generator reads its programme's own records and fills a Chinese template with the real
figures; it never publishes: an approver reads and publishes (notices.services.do_publish). One
notice per source object (`source_key`): generating again returns the notice already made.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.meetings.choices import MeetingState
from civicgrid.meetings.models import Meeting
from civicgrid.notices import services
from civicgrid.notices.choices import (
    Audience,
    NominationState,
    NoticeKind,
    NoticeSource,
    ScopeLevel,
)
from civicgrid.notices.models import Nomination, Notice
from civicgrid.projects.choices import ProjectState
from civicgrid.projects.models import Campaign, Project

SELECTED_STATES = [
    ProjectState.RECOMMENDED,
    ProjectState.IN_PROGRESS,
    ProjectState.ACCEPTED,
    ProjectState.HANDED_OVER,
    ProjectState.CLOSED,
]


def _street() -> Grid:
    return Grid.objects.get(level=GridLevel.STREET, parent=None)


def _existing(key):
    return Notice.objects.filter(source_key=key).first()


def _ready(user, notice, now):
    """A generated notice goes straight to review: the approver decides."""
    return services.do_submit(user, notice, now=now)


def project_selection(user, campaign, *, department_name, now=None) -> Notice:
    """项目遴选结果公示: how many projects were submitted and which were selected."""
    key = f"project_selection:{campaign.pk}"
    if found := _existing(key):
        return found
    projects = list(
        Project.objects.filter(campaign=campaign)
        .select_related("community")
        .order_by("-score", "id")
    )
    chosen = [p for p in projects if p.state in SELECTED_STATES]
    if not chosen:
        raise services.ValidationError({"campaign": _("该征集尚未推荐项目")})
    lines = [
        _("%(name)s共收到申报项目%(total)s个，经初筛、听证、评审，择优推荐以下%(n)s个项目：")
        % {"name": campaign.name, "total": len(projects), "n": len(chosen)}
    ]
    for rank, p in enumerate(chosen, start=1):
        score = _("，评分%(s)s") % {"s": p.score} if p.score is not None else ""
        lines.append(
            _("%(rank)s. %(title)s（%(community)s%(score)s）")
            % {"rank": rank, "title": p.title, "community": p.community.name, "score": score}
        )
    lines.append(_("公示期内如有异议，请登录后在本页提出，我们将逐一答复。"))
    return _ready(
        user,
        services.do_draft_notice(
            user,
            kind=NoticeKind.DISCLOSURE,
            scope_level=ScopeLevel.STREET,
            grid=_street(),
            title=_("%(name)s遴选结果公示") % {"name": campaign.name},
            body="\n".join(lines),
            department_name=department_name,
            source=NoticeSource.PROJECT_SELECTION,
            source_key=key,
            now=now,
        ),
        now,
    )


def _meeting_scope(meeting):
    if meeting.estate_id:
        return {"scope_level": ScopeLevel.ESTATE, "estate": meeting.estate}
    return {"scope_level": ScopeLevel.COMMUNITY, "grid": meeting.community}


def meeting_notice(user, meeting, *, now=None) -> Notice:
    """会议公告: a noticed 三会 meeting's time, place and subject."""
    key = f"meeting_notice:{meeting.pk}"
    if found := _existing(key):
        return found
    if meeting.state != MeetingState.NOTICED:
        raise services.ValidationError({"meeting": _("会议尚未公告或已召开")})
    body = [
        _("兹定于%(when)s在%(place)s召开%(kind)s。")
        % {
            "when": _local(meeting.starts_at),
            "place": meeting.place,
            "kind": meeting.get_kind_display(),
        },
        _("议题：%(t)s") % {"t": meeting.title},
    ]
    if meeting.subject_title:
        body.append(_("议题对象：%(t)s") % {"t": meeting.subject_title})
    if meeting.description:
        body.append(meeting.description)
    body.append(_("欢迎居民参加。"))
    return _ready(
        user,
        services.do_draft_notice(
            user,
            kind=NoticeKind.ANNOUNCEMENT,
            title=_("关于召开%(kind)s的公告") % {"kind": meeting.get_kind_display()},
            body="\n".join(body),
            department_name=_("%(c)s居民委员会") % {"c": meeting.community.name},
            expires_at=meeting.starts_at,
            source=NoticeSource.MEETING_NOTICE,
            source_key=key,
            now=now,
            **_meeting_scope(meeting),
        ),
        now,
    )


def _local(moment):
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")


def meeting_outcome(user, meeting, *, now=None) -> Notice:
    """会议结果公告: a published meeting's outcome."""
    key = f"meeting_outcome:{meeting.pk}"
    if found := _existing(key):
        return found
    if meeting.state not in (MeetingState.PUBLISHED, MeetingState.FOLLOWED_UP):
        raise services.ValidationError({"meeting": _("会议结果尚未公布")})
    body = [
        _("%(when)s召开的%(kind)s（议题：%(t)s）结果如下：")
        % {
            "when": _local(meeting.starts_at),
            "kind": meeting.get_kind_display(),
            "t": meeting.title,
        },
        meeting.outcome,
    ]
    return _ready(
        user,
        services.do_draft_notice(
            user,
            kind=NoticeKind.ANNOUNCEMENT,
            title=_("%(kind)s结果公告：%(t)s")
            % {"kind": meeting.get_kind_display(), "t": meeting.title},
            body="\n".join(body),
            department_name=_("%(c)s居民委员会") % {"c": meeting.community.name},
            source=NoticeSource.MEETING_OUTCOME,
            source_key=key,
            now=now,
            **_meeting_scope(meeting),
        ),
        now,
    )


def star_honour_roll(user, year, *, stars=5, department_name, now=None) -> Notice:
    """星级党组织光荣榜: the organisations rated `stars` stars for the year (seed 000's 五星级党支部)."""
    from civicgrid.party.models import StarRating

    key = f"star_rating:{year}:{stars}"
    if found := _existing(key):
        return found
    ratings = (
        StarRating.objects.filter(year=year, stars=stars)
        .select_related("organisation")
        .order_by("organisation__name")
    )
    entries = [
        (
            r.organisation.name,
            _("%(y)s年度%(n)s星级党组织（%(by)s评定）")
            % {"y": year, "n": stars, "by": r.awarded_by},
        )
        for r in ratings
    ]
    return _ready(
        user,
        services.do_draft_notice(
            user,
            kind=NoticeKind.HONOUR_ROLL,
            scope_level=ScopeLevel.STREET,
            grid=_street(),
            title=_("%(y)s年度“%(n)s星级党组织”光荣榜") % {"y": year, "n": stars},
            body=_("以下%(count)s个党组织被评为%(y)s年度%(n)s星级党组织，特此表彰。")
            % {"count": len(entries), "y": year, "n": stars},
            department_name=department_name,
            source=NoticeSource.STAR_RATING,
            source_key=key,
            entries=entries,
            now=now,
        ),
        now,
    )


def volunteer_honour_roll(user, first, last, *, department_name, now=None) -> Notice:
    """优秀志愿者光荣榜: the time bank's top volunteers of the period, by verified hours — only
    those who consented to be named (Volunteer.name_consent); how many were left out is told to
    the reviewer (a number, no names), never printed on the roll."""
    from civicgrid.timebank.reports import report
    from civicgrid.timebank.services import consenting_volunteer_ids

    key = f"volunteers:{first.isoformat()}:{last.isoformat()}"
    if found := _existing(key):
        return found
    top = [row for row in report(None, first, last)["top"] if row["minutes"]]
    consented = consenting_volunteer_ids(row["volunteer_id"] for row in top)
    entries = [
        (
            row["volunteer__name"],
            _("%(c)s，服务%(h)s小时")
            % {"c": row["volunteer__community__name"] or "", "h": f"{row['hours']:g}"},
        )
        for row in top
        if row["volunteer_id"] in consented
    ]
    skipped = len(top) - len(entries)
    note = (
        _("服务时长居前的志愿者中有%(n)s位未同意公开姓名，未列入光荣榜。") % {"n": skipped}
        if skipped
        else ""
    )
    return _ready(
        user,
        services.do_draft_notice(
            user,
            kind=NoticeKind.HONOUR_ROLL,
            scope_level=ScopeLevel.STREET,
            grid=_street(),
            title=_("爱心银行优秀志愿者光荣榜（%(a)s至%(b)s）") % {"a": first, "b": last},
            body=_("以下志愿者在%(a)s至%(b)s期间服务时长居前，特此表扬。")
            % {"a": first, "b": last},
            department_name=department_name,
            source=NoticeSource.VOLUNTEERS,
            source_key=key,
            entries=entries,
            review_note=note,
            now=now,
        ),
        now,
    )


def nomination_honour_roll(user, community, *, department_name, now=None) -> Notice:
    """身边好人光荣榜: the 居村's approved nominations whose nominee consented (the others wait)."""
    nominations = list(
        Nomination.objects.filter(
            community=community, state=NominationState.APPROVED, consent=True
        ).order_by("created_at", "id")
    )
    entries = [(n.nominee, n.deed[:300], n) for n in nominations]
    return _ready(
        user,
        services.do_draft_notice(
            user,
            kind=NoticeKind.HONOUR_ROLL,
            scope_level=ScopeLevel.COMMUNITY,
            grid=community,
            audience=Audience.PUBLIC,
            title=_("%(c)s“身边好人”光荣榜") % {"c": community.name},
            body=_("经居民推荐、居委会审核，以下%(n)s位居民入选“身边好人”。") % {"n": len(entries)},
            department_name=department_name,
            source=NoticeSource.NOMINATIONS,
            entries=entries,
            now=now,
        ),
        now,
    )


def relocation_progress(user, relocation, *, department_name, now=None) -> Notice:
    """征收签约进度公告: the totals, to every affected household (signed in)."""
    figures = services.signing_figures(relocation)
    body = [
        _("%(name)s共涉及%(n)s户，截至目前已签约%(s)s户，签约率%(r)s%%。")
        % {
            "name": relocation.name,
            "n": figures["households"],
            "s": figures["signed"],
            "r": figures["rate"],
        },
    ]
    if figures["cleared"]:
        body.append(_("本项目已实现100%签约（清盘）。感谢各位居民的理解与支持。"))
    if figures["party_signed"]:
        body.append(_("其中党员户%(n)s户带头签约。") % {"n": figures["party_signed"]})
    body.append(_("各户的面积认定和评估结果，请登录后在“我家征收信息”中查看。"))
    households = list(relocation.households.values_list("household", flat=True))
    return _ready(
        user,
        services.do_draft_notice(
            user,
            kind=NoticeKind.ANNOUNCEMENT,
            scope_level=ScopeLevel.PROJECT,
            relocation=relocation,
            audience=Audience.HOUSEHOLDS,
            households=households,
            title=_("%(name)s签约进度公告") % {"name": relocation.name},
            body="\n".join(body),
            department_name=department_name,
            source=NoticeSource.RELOCATION,
            now=now,
        ),
        now,
    )


def sync_meetings(now=None) -> dict:
    """The periodic pass over the 三会 (which may not import the notices): a notice, ready for
    review, for every noticed meeting still to come and every published outcome that has none."""
    now = now or timezone.now()
    made = {"notices": 0, "outcomes": 0}
    keys = set(
        Notice.objects.filter(
            source__in=[NoticeSource.MEETING_NOTICE, NoticeSource.MEETING_OUTCOME]
        ).values_list("source_key", flat=True)
    )
    upcoming = Meeting.objects.filter(state=MeetingState.NOTICED, starts_at__gt=now)
    for meeting in upcoming.select_related("community", "estate"):
        if f"meeting_notice:{meeting.pk}" not in keys:
            meeting_notice(None, meeting, now=now)
            made["notices"] += 1
    published = Meeting.objects.filter(
        state__in=[MeetingState.PUBLISHED, MeetingState.FOLLOWED_UP]
    ).exclude(outcome="")
    for meeting in published.select_related("community", "estate"):
        if f"meeting_outcome:{meeting.pk}" not in keys:
            meeting_outcome(None, meeting, now=now)
            made["outcomes"] += 1
    return made


def sync_projects(now=None) -> dict:
    """A selection-results 公示, ready for review, for every campaign that has recommended its
    projects and has none yet."""
    done = set(
        Notice.objects.filter(source=NoticeSource.PROJECT_SELECTION).values_list(
            "source_key", flat=True
        )
    )
    made = 0
    campaigns = Campaign.objects.filter(projects__state__in=SELECTED_STATES).distinct()
    for campaign in campaigns:
        if f"project_selection:{campaign.pk}" not in done:
            project_selection(None, campaign, department_name=_("街道办事处"), now=now)
            made += 1
    return {"selections": made}


def periodic(now=None) -> dict:
    """The notices' periodic job: the programmes' notices generated for review (meetings,
    project selections), then the sweep (a 公示 whose period is over closes, an expired notice
    is archived)."""
    return {**sync_meetings(now), **sync_projects(now), **services.sweep(now)}
