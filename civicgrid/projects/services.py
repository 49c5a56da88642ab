"""Every step of a community project (社区项目) and the figures built on them.

Each `do_*` runs in one transaction (the project, or for a recommendation the campaign, locked
with select_for_update), checks the role (accounts.policy), the scope (`scope_projects`: a
project belongs to its 居村) and the transition table (projects.workflow) before writing, writes
an immutable ProjectEvent for each change of state, and returns what it did. Bad input raises
ValidationError (field → Chinese message), a refused user PermissionDenied, a wrong state
IllegalTransition; nothing is written then. `user=None` is a trusted caller (the demo builder).

Residents act through their resident account (Role.RESIDENT, the account the public pages and
shared parking use): one support per account and project, a database constraint.
"""

import datetime
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.access import require_role
from civicgrid.accounts.policy import (
    PROJECTS_EDIT_ROLES,
    PROJECTS_RESIDENT_ROLES,
    PROJECTS_REVIEW_ROLES,
    PROJECTS_VIEW_ROLES,
)
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.text import text_problem
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import visible_micro_grids
from civicgrid.meetings.choices import MeetingKind
from civicgrid.meetings.services import held_meetings_for
from civicgrid.projects import photos
from civicgrid.projects.choices import (
    CampaignLevel,
    FocusArea,
    HomeKind,
    MilestoneKind,
    PhotoStage,
    ProjectKind,
)
from civicgrid.projects.choices import ProjectState as S
from civicgrid.projects.models import (
    Campaign,
    Criterion,
    Deliverable,
    Idea,
    IdeaDecision,
    Milestone,
    Project,
    ProjectEvent,
    ScoreSheet,
    ScoringTemplate,
    Support,
)
from civicgrid.projects.workflow import (
    DEFAULT_CRITERIA,
    DEFAULT_MILESTONES,
    SUPPORT_STATES,
    may_move,
)

MAX_TITLE = 100
MAX_TEXT = 2000
MAX_NOTE = 200
DEFAULT_TEMPLATE_NAME = "社区项目评分（默认）"


# --- scope ---------------------------------------------------------------------------------------


def visible_communities(user):
    """The 居村 a staff user sees (None: the whole street)."""
    if user is None:
        return None
    micro = visible_micro_grids(user)
    if micro is None:
        return None
    condition = Q(pk__in=Grid.objects.filter(pk__in=micro.values("pk")).values("parent_id"))
    if user.community_id:
        condition |= Q(pk=user.community_id)
    return Grid.objects.filter(level=GridLevel.COMMUNITY).filter(condition)


def scope_projects(queryset, user, prefix: str = ""):
    """Projects (or rows hanging off one through `prefix`) a staff user may see; none for roles
    outside PROJECTS_VIEW_ROLES (residents see the public list, `open_for_support`)."""
    if user is None:
        return queryset
    if not user.is_authenticated or user.effective_role not in PROJECTS_VIEW_ROLES:
        return queryset.none()
    communities = visible_communities(user)
    if communities is None:
        return queryset
    return queryset.filter(**{f"{prefix}community__in": communities.values("pk")})


def open_for_support():
    """The projects residents may support now (public: no personal data on them)."""
    return Project.objects.filter(state__in=SUPPORT_STATES)


def may_edit(user) -> bool:
    return user is None or (user.effective_role in PROJECTS_EDIT_ROLES and not user.is_read_only)


def _check_project(user, project, roles=PROJECTS_EDIT_ROLES):
    require_role(user, roles, _("您无权办理社区项目"))
    if (
        user is not None
        and not scope_projects(Project.objects, user).filter(pk=project.pk).exists()
    ):
        raise PermissionDenied(_("该项目不在您的管辖范围内"))


def _now(now):
    return now or timezone.now()


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


def _event(project, action, user, now, from_state="", to_state="", note=""):
    return ProjectEvent.objects.create(
        project=project,
        action=action,
        from_state=from_state,
        to_state=to_state,
        user=user,
        at=now,
        note=(note or "")[:MAX_NOTE],
    )


def _move(project, new_state, user, now, note=""):
    if not may_move(project.state, new_state):
        raise IllegalTransition(
            _("项目当前为“%(state)s”，不能改为“%(new)s”。")
            % {"state": project.get_state_display(), "new": S(new_state).label}
        )
    old = project.state
    project.state = new_state
    project.save(update_fields=["state"])
    _event(project, new_state, user, now, from_state=old, to_state=new_state, note=note)


def _locked(project) -> Project:
    return Project.objects.select_for_update().get(pk=project.pk)


# --- templates and campaigns ---------------------------------------------------------------------


def default_template() -> ScoringTemplate:
    """The default template (党建引领 20, 群众参与 20, 问题解决实效 30, 创新 15, 可复制推广 15),
    made on first use; its criteria are data (the admin edits them)."""
    template, created = ScoringTemplate.objects.get_or_create(name=DEFAULT_TEMPLATE_NAME)
    if created:
        Criterion.objects.bulk_create(
            Criterion(template=template, name=name, max_points=points, order=i)
            for i, (name, points) in enumerate(DEFAULT_CRITERIA)
        )
    return template


def do_save_campaign(
    user,
    *,
    name,
    year,
    level,
    starts_on,
    ends_on,
    focus_areas=(),
    quota=8,
    template=None,
    hearing_required=True,
    campaign=None,
) -> Campaign:
    """Open a call for projects (项目征集), or edit `campaign`: its quota may not fall below the
    projects already recommended, and its template is fixed once a project has been scored."""
    require_role(user, PROJECTS_EDIT_ROLES, _("您无权办理社区项目"))
    errors = {}
    try:
        name = _text(name, "name", _("征集名称"), 100)
    except ValidationError as error:
        errors.update(error.message_dict)
    if level not in CampaignLevel.values:
        errors["level"] = _("请选择层级。")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        errors["year"] = _("年度不正确。")
    if not isinstance(starts_on, datetime.date) or not isinstance(ends_on, datetime.date):
        errors["ends_on"] = _("请填写开始和截止日期。")
    elif ends_on < starts_on:
        errors["ends_on"] = _("截止日期不能早于开始日期。")
    focus_areas = list(focus_areas or [])
    if any(area not in FocusArea.values for area in focus_areas):
        errors["focus_areas"] = _("征集方向不正确。")
    if not isinstance(quota, int) or isinstance(quota, bool) or not 1 <= quota <= 100:
        errors["quota"] = _("推荐名额须在1到100之间。")
    if template is not None and not isinstance(template, ScoringTemplate):
        errors["template"] = _("请选择评分模板。")
    if errors:
        raise ValidationError(errors)
    if campaign is not None:
        return _edit_campaign(
            campaign,
            name=name,
            year=year,
            level=level,
            starts_on=starts_on,
            ends_on=ends_on,
            focus_areas=focus_areas,
            quota=quota,
            template=template,
            hearing_required=bool(hearing_required),
        )
    with transaction.atomic():
        return Campaign.objects.create(
            name=name,
            year=year,
            level=level,
            starts_on=starts_on,
            ends_on=ends_on,
            focus_areas=focus_areas,
            quota=quota,
            template=template or default_template(),
            hearing_required=bool(hearing_required),
        )


def _edit_campaign(campaign, *, template, quota, **fields) -> Campaign:
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        chosen = Project.objects.filter(campaign=campaign, state__in=BUILDING_STATES).count()
        if quota < chosen:
            raise ValidationError(
                {"quota": _("已推荐%(n)s个项目，推荐名额不能少于此数。") % {"n": chosen}}
            )
        template = template or campaign.template
        if (
            template.pk != campaign.template_id
            and ScoreSheet.objects.filter(project__campaign=campaign).exists()
        ):
            raise ValidationError({"template": _("已有项目评分，不能更换评分模板。")})
        for field, value in fields.items():
            setattr(campaign, field, value)
        campaign.quota = quota
        campaign.template = template
        campaign.save()
    return campaign


# --- proposals -----------------------------------------------------------------------------------


def _decimal(value, field, message, minimum=Decimal("0")):
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: message}) from None
    if not number.is_finite() or number < minimum or number >= Decimal("100000000"):
        raise ValidationError({field: message})
    return number


# 牵头党组织: party sits beside this app (same layer: neither imports the other), so the front
# above both (web/apps.py) hands over the organisations a user may name. Without it a project
# keeps its lead as text only.
_PARTY_ORGANISATIONS = None


def use_party_organisations(choices) -> None:
    """`choices(user)` → a queryset of the active party organisations `user` may name as a
    project's lead (user None: any). Set once at start-up."""
    global _PARTY_ORGANISATIONS
    _PARTY_ORGANISATIONS = choices


def party_organisations(user):
    """The organisations `user` may name as a project's lead; None when no party app is
    plugged in (the form then offers the text field only)."""
    return None if _PARTY_ORGANISATIONS is None else _PARTY_ORGANISATIONS(user)


def _clean_lead(user, value, current, errors):
    """An organisation (or its id) of the register the user may name; the project's `current`
    one is kept even if it has since been closed."""
    if value in (None, ""):
        return None
    pk = getattr(value, "pk", value)
    if current is not None and str(pk) == str(current.pk):
        return current
    choices = party_organisations(user)
    found = None
    if choices is not None and str(pk).isdigit():
        found = choices.filter(pk=pk).first()
    if found is None:
        errors["lead_party_organisation"] = _("请选择有效的牵头党组织。")
    return found


def _clean_project(
    user,
    *,
    community,
    kind,
    estate,
    home_kind,
    lon,
    lat,
    budget,
    deliverables,
    texts,
    lead=None,
    current_lead=None,
) -> tuple[dict, list | None]:
    """The checks a proposal and its edit share: every field's problem at once (field → message);
    a 居村 outside the user's scope is PermissionDenied. Returns the cleaned fields and the
    deliverables as (item, quantity, unit) rows (None: not given, keep them)."""
    errors = {}
    cleaned = {}
    for field, (value, label, limit, required) in texts.items():
        try:
            cleaned[field] = _text(value, field, label, limit, required)
        except ValidationError as error:
            errors.update(error.message_dict)
    cleaned["lead_party_organisation"] = _clean_lead(user, lead, current_lead, errors)
    if cleaned["lead_party_organisation"] is not None:
        cleaned["lead_organisation"] = ""  # the register's name is shown; no second name
    if community is None or getattr(community, "level", None) != GridLevel.COMMUNITY:
        errors["community"] = _("请选择居村。")
    elif user is not None:
        communities = visible_communities(user)
        if communities is not None and not communities.filter(pk=community.pk).exists():
            raise PermissionDenied(_("该居村不在您的管辖范围内"))
    if estate is not None and community is not None and estate.community_id != community.pk:
        errors["estate"] = _("小区不属于所选居村。")
    if kind not in ProjectKind.values:
        errors["kind"] = _("请选择项目类型。")
    if home_kind and (kind != ProjectKind.BEAUTIFUL_HOME or home_kind not in HomeKind.values):
        errors["home_kind"] = _("美丽家园类别只用于美丽家园项目。")
    if (lon is None) != (lat is None) or (
        lon is not None and not (-180 <= lon <= 180 and -90 <= lat <= 90)
    ):
        errors["lon"] = _("点位坐标不正确。")
    try:
        cleaned["budget"] = _decimal(budget, "budget", _("预算须为不小于0的金额（万元）。"))
    except ValidationError as error:
        errors.update(error.message_dict)
    items = None
    if deliverables is not None:
        items = []
        for row in deliverables:
            try:
                item, quantity, unit = row
            except (TypeError, ValueError):
                errors["deliverables"] = _("建设内容须写明项目、数量和单位。")
                break
            item, unit = str(item or "").strip(), str(unit or "").strip()
            if not item or not unit or len(item) > 50 or len(unit) > 10:
                errors["deliverables"] = _("建设内容须写明项目、数量和单位。")
                break
            try:
                quantity = _decimal(quantity, "deliverables", _("建设内容的数量须大于0。"))
            except ValidationError as error:
                errors.update(error.message_dict)
                break
            if quantity <= 0:
                errors["deliverables"] = _("建设内容的数量须大于0。")
                break
            items.append((item, quantity, unit))
    if errors:
        raise ValidationError(errors)
    cleaned.update(
        community=community,
        estate=estate,
        kind=kind,
        home_kind=home_kind or "",
        lon=lon,
        lat=lat,
    )
    return cleaned, items


def _project_texts(title, summary, lead_organisation, partners, funding, hotspots, maintainer=""):
    return {
        "title": (title, _("项目名称"), MAX_TITLE, True),
        "summary": (summary, _("项目简介"), MAX_TEXT, False),
        "lead_organisation": (lead_organisation, _("牵头党组织"), 100, False),
        "partners": (partners, _("共建单位"), 200, False),
        "funding": (funding, _("资金来源"), 100, False),
        "hotspots": (hotspots, _("关联热点"), 200, False),
        "maintainer": (maintainer, _("移交后管护单位"), 100, False),
    }


def do_submit_project(
    user,
    *,
    campaign,
    title,
    community,
    kind,
    estate=None,
    home_kind="",
    summary="",
    lon=None,
    lat=None,
    lead_organisation="",
    lead_party_organisation=None,
    partners="",
    budget=0,
    funding="",
    hotspots="",
    maintainer="",
    cases=(),
    deliverables=(),
    now=None,
    _after_deadline=False,
) -> Project:
    """Enter a proposal (申报) with its deliverables; the five milestones come with their default
    weights (设计 10, 招标 10, 施工 60, 验收 10, 移交 10)."""
    require_role(user, PROJECTS_EDIT_ROLES, _("您无权办理社区项目"))
    now = _now(now)
    deadline_error = None
    if campaign is None:
        deadline_error = _("请选择征集。")
    elif not _after_deadline and now.date() > campaign.ends_on:
        deadline_error = _("该征集已截止。")
    try:
        fields, items = _clean_project(
            user,
            community=community,
            kind=kind,
            estate=estate,
            home_kind=home_kind,
            lon=lon,
            lat=lat,
            budget=budget,
            deliverables=list(deliverables or ()),
            texts=_project_texts(
                title, summary, lead_organisation, partners, funding, hotspots, maintainer
            ),
            lead=lead_party_organisation,
        )
    except ValidationError as error:
        if deadline_error:
            error.error_dict["campaign"] = ValidationError(deadline_error).error_list
        raise
    if deadline_error:
        raise ValidationError({"campaign": deadline_error})
    with transaction.atomic():
        project = Project.objects.create(
            campaign=campaign, proposer=user, submitted_at=now, **fields
        )
        if cases:
            project.cases.set(cases)
        Deliverable.objects.bulk_create(
            Deliverable(project=project, item=i, quantity=q, unit=u) for i, q, u in items
        )
        Milestone.objects.bulk_create(
            Milestone(project=project, kind=k, weight=w) for k, w in DEFAULT_MILESTONES
        )
        _event(project, "submit", user, now, to_state=S.SUBMITTED)
    return project


# Fields an edit may change, in the order the history note names them.
EDITABLE = [
    "title",
    "community",
    "estate",
    "kind",
    "home_kind",
    "summary",
    "lon",
    "lat",
    "lead_party_organisation",
    "lead_organisation",
    "partners",
    "budget",
    "funding",
    "hotspots",
    "maintainer",
]
FINISHED_STATES = frozenset({S.CLOSED, S.DECLINED})


def do_edit_project(user, project, *, cases=None, deliverables=None, now=None, **changes):
    """Edit a project's particulars (名称、点位、类型、牵头党组织、共建单位、预算、资金、建设内容、
    管护单位 …) until it is closed or dropped out; `cases`/`deliverables` replace the linked cases
    and the deliverables when given. One history row names the fields that changed."""
    _check_project(user, project)
    now = _now(now)
    unknown = set(changes) - set(EDITABLE)
    if unknown:
        raise ValidationError(
            {"__all__": _("不能修改这些字段：%(f)s") % {"f": "、".join(sorted(unknown))}}
        )
    values = {field: changes.get(field, getattr(project, field)) for field in EDITABLE}
    fields, items = _clean_project(
        user,
        community=values["community"],
        kind=values["kind"],
        estate=values["estate"],
        home_kind=values["home_kind"],
        lon=values["lon"],
        lat=values["lat"],
        budget=values["budget"],
        deliverables=None if deliverables is None else list(deliverables),
        texts=_project_texts(
            values["title"],
            values["summary"],
            values["lead_organisation"],
            values["partners"],
            values["funding"],
            values["hotspots"],
            values["maintainer"],
        ),
        lead=values["lead_party_organisation"],
        current_lead=project.lead_party_organisation,
    )
    with transaction.atomic():
        project = _locked(project)
        if project.state in FINISHED_STATES:
            raise IllegalTransition(
                _("项目当前为“%(state)s”，不能再修改。") % {"state": project.get_state_display()}
            )
        changed = [
            field
            for field in EDITABLE
            if fields[field] != getattr(project, field)
            and not (field == "budget" and Decimal(fields[field]) == Decimal(project.budget))
        ]
        for field in changed:
            setattr(project, field, fields[field])
        if changed:
            project.save(update_fields=changed)
        labels = [str(Project._meta.get_field(f).verbose_name) for f in changed]
        if cases is not None:
            before = set(project.cases.values_list("pk", flat=True))
            if before != {c.pk for c in cases}:
                project.cases.set(cases)
                labels.append(str(_("关联案件")))
        if items is not None:
            before = list(project.deliverables.values_list("item", "quantity", "unit"))
            if before != items:
                project.deliverables.all().delete()
                Deliverable.objects.bulk_create(
                    Deliverable(project=project, item=i, quantity=q, unit=u) for i, q, u in items
                )
                labels.append(str(_("建设内容")))
        if labels:
            _event(project, "edit", user, now, note=_("修改：%(f)s") % {"f": "、".join(labels)})
    return project


def do_propose_idea(user, *, campaign, community, text, now=None) -> Idea:
    """A resident's idea (金点子) for a campaign in a 居村."""
    require_role(user, PROJECTS_RESIDENT_ROLES | PROJECTS_EDIT_ROLES, _("请使用居民账户提出建议"))
    now = _now(now)
    errors = {}
    try:
        text = _text(text, "text", _("建议内容"), 500)
    except ValidationError as error:
        errors.update(error.message_dict)
    if community is None or getattr(community, "level", None) != GridLevel.COMMUNITY:
        errors["community"] = _("请选择居村。")
    if campaign is None or not campaign.starts_on <= timezone.localdate(now) <= campaign.ends_on:
        errors["campaign"] = _("该征集不在征集期内。")
    if errors:
        raise ValidationError(errors)
    return Idea.objects.create(
        campaign=campaign, community=community, user=user, text=text, created_at=now
    )


def scope_ideas(queryset, user):
    """Ideas of the 居村 a staff user sees (the review page and the API)."""
    if user is None:
        return queryset
    if not user.is_authenticated or user.effective_role not in PROJECTS_VIEW_ROLES:
        return queryset.none()
    communities = visible_communities(user)
    if communities is None:
        return queryset
    return queryset.filter(community__in=communities.values("pk"))


def _check_idea(user, idea):
    require_role(user, PROJECTS_EDIT_ROLES, _("您无权处理居民金点子"))
    if user is not None and not scope_ideas(Idea.objects, user).filter(pk=idea.pk).exists():
        raise PermissionDenied(_("该建议不在您的管辖范围内"))


def _decide(idea, user, now, **fields) -> IdeaDecision:
    idea = Idea.objects.select_for_update().get(pk=idea.pk)
    if IdeaDecision.objects.filter(idea=idea).exists():
        raise IllegalTransition(_("该建议已处理。"))
    return IdeaDecision.objects.create(idea=idea, user=user, at=now, **fields)


def do_accept_idea(user, idea, *, title, kind, now=None, **fields) -> IdeaDecision:
    """采纳: the idea becomes a proposal of its campaign in its 居村 (the desk names it and gives
    its kind; any other field of a proposal may come too), with the idea's text as its summary
    unless another is given. The project's history notes the idea it came from."""
    _check_idea(user, idea)
    now = _now(now)
    fields.setdefault("summary", idea.text)
    try:
        with transaction.atomic():
            if IdeaDecision.objects.filter(idea=idea).exists():
                raise IllegalTransition(_("该建议已处理。"))
            project = do_submit_project(
                user,
                campaign=idea.campaign,
                community=idea.community,
                title=title,
                kind=kind,
                now=now,
                _after_deadline=True,
                **fields,
            )
            decision = _decide(idea, user, now, accepted=True, project=project)
            _event(project, "idea", user, now, note=_("来自居民金点子 #%(n)s") % {"n": idea.pk})
    except IntegrityError:
        raise IllegalTransition(_("该建议已处理。")) from None
    return decision


def do_decline_idea(user, idea, *, reason, now=None) -> IdeaDecision:
    """不采纳, with the reason the resident is told."""
    _check_idea(user, idea)
    now = _now(now)
    reason = _text(reason, "reason", _("不采纳原因"), MAX_NOTE)
    try:
        with transaction.atomic():
            return _decide(idea, user, now, accepted=False, reason=reason)
    except IntegrityError:
        raise IllegalTransition(_("该建议已处理。")) from None


def do_support(user, project, *, now=None) -> Support:
    """A resident supports a project (once: the database refuses a second row)."""
    if user is None or user.effective_role not in PROJECTS_RESIDENT_ROLES:
        raise PermissionDenied(_("请使用居民账户支持项目"))
    now = _now(now)
    try:
        with transaction.atomic():
            project = _locked(project)
            if project.state not in SUPPORT_STATES:
                raise IllegalTransition(_("该项目已不在征集阶段，不能再支持。"))
            support = Support.objects.create(project=project, user=user, created_at=now)
            Project.objects.filter(pk=project.pk).update(support_count=F("support_count") + 1)
    except IntegrityError:
        raise ValidationError({"project": _("您已支持过该项目。")}) from None
    return support


# --- the funnel ----------------------------------------------------------------------------------


def do_screen(user, project, *, passed: bool, note="", now=None) -> Project:
    """初筛: the project goes on, or drops out (未入选) with a reason."""
    _check_project(user, project)
    now = _now(now)
    if not passed and not (note or "").strip():
        raise ValidationError({"note": _("请填写未通过初筛的原因。")})
    with transaction.atomic():
        project = _locked(project)
        _move(project, S.SCREENED if passed else S.DECLINED, user, now, note)
    return project


def hearing_held(project) -> bool:
    return held_meetings_for(project, MeetingKind.HEARING).exists()


def _require_hearing(project, message):
    if project.campaign.hearing_required and not hearing_held(project):
        raise IllegalTransition(message)


def do_consult(user, project, *, now=None) -> Project:
    """听证: once its hearing (civicgrid.meetings) is held, the residents' support is counted and
    the project goes to the panel."""
    _check_project(user, project)
    now = _now(now)
    with transaction.atomic():
        project = _locked(project)
        _require_hearing(project, _("该项目尚未召开听证会。"))
        count = Support.objects.filter(project=project).count()
        Project.objects.filter(pk=project.pk).update(support_count=count)
        project.support_count = count
        _move(project, S.CONSULTED, user, now, _("居民支持 %(n)s 人") % {"n": count})
    return project


def do_score(user, project, *, points: dict, now=None) -> ScoreSheet:
    """A panel member scores the project against its campaign's template; the project's score is
    the mean of the sheets."""
    _check_project(user, project, PROJECTS_REVIEW_ROLES)
    if user is None:
        raise PermissionDenied(_("评分须由评审专家本人进行"))
    now = _now(now)
    criteria = list(project.campaign.template.criteria.all())
    errors = {}
    if not isinstance(points, dict):
        points = {}
    cleaned = {}
    for criterion in criteria:
        value = points.get(criterion.name)
        if (
            not isinstance(value, int)
            or isinstance(value, bool)
            or not (0 <= value <= criterion.max_points)
        ):
            errors[criterion.name] = _("“%(name)s”须为0到%(max)s之间的整数。") % {
                "name": criterion.name,
                "max": criterion.max_points,
            }
        else:
            cleaned[criterion.name] = value
    unknown = set(points) - {c.name for c in criteria}
    if unknown:
        errors["points"] = _("评分项不在模板中：%(names)s") % {"names": "、".join(sorted(unknown))}
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            project = _locked(project)
            if project.state not in (S.CONSULTED, S.SCORED):
                raise IllegalTransition(
                    _("项目当前为“%(state)s”，不能评分。") % {"state": project.get_state_display()}
                )
            sheet = ScoreSheet.objects.create(
                project=project, member=user, points=cleaned, total=sum(cleaned.values()), at=now
            )
            totals = ScoreSheet.objects.filter(project=project).aggregate(
                s=Sum("total"), n=Count("pk")
            )
            project.score = (Decimal(totals["s"]) / totals["n"]).quantize(Decimal("0.01"))
            project.save(update_fields=["score"])
            if project.state == S.CONSULTED:
                _move(project, S.SCORED, user, now)
    except IntegrityError:
        raise ValidationError({"points": _("您已为该项目评过分。")}) from None
    return sheet


def ranking(campaign) -> list:
    """The scored projects best first: score, then residents' participation (support), then the
    earlier proposal."""
    return list(
        Project.objects.filter(campaign=campaign, state=S.SCORED).order_by(
            F("score").desc(nulls_last=True), "-support_count", "submitted_at", "id"
        )
    )


def do_recommend(user, campaign, *, now=None) -> list:
    """择优推荐: the best scored projects, at most the campaign's quota (ties broken by residents'
    participation), are recommended; the other scored ones drop out. Returns the recommended."""
    require_role(user, PROJECTS_REVIEW_ROLES, _("您无权推荐项目"))
    now = _now(now)
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
        already = Project.objects.filter(
            campaign=campaign,
            state__in=[S.RECOMMENDED, S.IN_PROGRESS, S.ACCEPTED, S.HANDED_OVER, S.CLOSED],
        ).count()
        places = max(campaign.quota - already, 0)
        ranked = ranking(campaign)
        if not ranked:
            raise IllegalTransition(_("没有已评分的项目可以推荐。"))
        chosen = []
        for rank, project in enumerate(ranked, start=1):
            project = _locked(project)
            if rank <= places:
                _move(project, S.RECOMMENDED, user, now, _("第%(n)s名") % {"n": rank})
                chosen.append(project)
            else:
                _move(
                    project, S.DECLINED, user, now, _("未进入推荐名额（第%(n)s名）") % {"n": rank}
                )
    return chosen


def do_start(user, project, *, now=None) -> Project:
    """开工: a recommended project starts its works — after its hearing, if the campaign asks."""
    _check_project(user, project)
    now = _now(now)
    with transaction.atomic():
        project = _locked(project)
        _require_hearing(project, _("该项目尚未召开听证会，不能开工。"))
        _move(project, S.IN_PROGRESS, user, now)
    return project


def do_plan_milestone(user, milestone, *, due_on) -> Milestone:
    """Plan a milestone's due date (计划完成日期); a milestone past it and not done is late."""
    _check_project(user, milestone.project)
    if not isinstance(due_on, datetime.date):
        raise ValidationError({"due_on": _("请填写计划完成日期。")})
    with transaction.atomic():
        project = _locked(milestone.project)
        if project.state in FINISHED_STATES:
            raise IllegalTransition(_("项目已结项或未入选，不能再安排节点。"))
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if milestone.done_on is not None:
            raise IllegalTransition(_("该节点已完成。"))
        milestone.due_on = due_on
        milestone.save(update_fields=["due_on"])
        _event(
            project,
            "plan",
            user,
            _now(None),
            note=f"{milestone.get_kind_display()} {due_on.isoformat()}",
        )
    return milestone


def do_complete_milestone(user, milestone, *, done_on, now=None) -> Milestone:
    """A milestone is done (设计、招标、施工 while the works run)."""
    _check_project(user, milestone.project)
    now = _now(now)
    if not isinstance(done_on, datetime.date):
        raise ValidationError({"done_on": _("请填写完成日期。")})
    if done_on > timezone.localdate(now):
        raise ValidationError({"done_on": _("完成日期不能晚于今天。")})
    with transaction.atomic():
        project = _locked(milestone.project)
        milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
        if project.state != S.IN_PROGRESS or milestone.kind in (
            MilestoneKind.ACCEPTANCE,
            MilestoneKind.HANDOVER,
        ):
            raise IllegalTransition(_("只有实施中的项目可以登记设计、招标、施工节点。"))
        if milestone.done_on is not None:
            raise IllegalTransition(_("该节点已完成。"))
        milestone.done_on = done_on
        milestone.save(update_fields=["done_on"])
        _event(project, "milestone", user, now, note=milestone.get_kind_display())
    return milestone


def _finish(project, kind, on):
    Milestone.objects.filter(project=project, kind=kind, done_on__isnull=True).update(done_on=on)


def do_accept(user, project, *, now=None) -> Project:
    """验收: the works are built (施工 done)."""
    _check_project(user, project)
    now = _now(now)
    with transaction.atomic():
        project = _locked(project)
        if (
            project.state == S.IN_PROGRESS
            and not project.milestones.filter(
                kind=MilestoneKind.BUILD, done_on__isnull=False
            ).exists()
        ):
            raise IllegalTransition(_("施工节点未完成，不能验收。"))
        _move(project, S.ACCEPTED, user, now)
        _finish(project, MilestoneKind.ACCEPTANCE, timezone.localdate(now))
    return project


def do_hand_over(user, project, *, maintainer, now=None) -> Project:
    """移交: the works go to whoever maintains them (长效管理)."""
    _check_project(user, project)
    now = _now(now)
    maintainer = _text(maintainer, "maintainer", _("管护单位"), 100)
    with transaction.atomic():
        project = _locked(project)
        _move(project, S.HANDED_OVER, user, now, maintainer)
        project.maintainer = maintainer
        project.save(update_fields=["maintainer"])
        _finish(project, MilestoneKind.HANDOVER, timezone.localdate(now))
    return project


def do_close(user, project, *, now=None) -> Project:
    _check_project(user, project)
    now = _now(now)
    with transaction.atomic():
        project = _locked(project)
        _move(project, S.CLOSED, user, now)
    return project


def do_add_photos(user, project, *, stage, uploads) -> list:
    """Before/after photos (改造前/后), cleaned like a case's photos."""
    _check_project(user, project)
    if stage not in PhotoStage.values:
        raise ValidationError({"stage": _("请选择照片阶段。")})
    uploads = photos.prepared(uploads)
    with photos.atomic():
        return photos.store(project, stage, uploads)


# --- figures -------------------------------------------------------------------------------------


def progress(milestones, today) -> dict:
    """Progress % (the weights of the milestones done over all weights) and the late ones (due
    before today, not done), from a project's milestones."""
    total = sum(m.weight for m in milestones)
    done = sum(m.weight for m in milestones if m.done_on is not None)
    late = [
        m for m in milestones if m.done_on is None and m.due_on is not None and m.due_on < today
    ]
    return {
        "percent": round(done * 100 / total) if total else 0,
        "late": late,
    }


def report(user, campaign, today=None) -> dict:
    """The campaign's figures over the user's 居村: the funnel (how many reached each stage, from
    the history), by 居村 and kind, budget, progress and late milestones, the map's points."""
    from civicgrid.projects.workflow import FUNNEL

    today = today or timezone.localdate()
    projects = scope_projects(Project.objects.filter(campaign=campaign), user)
    reached = dict(
        ProjectEvent.objects.filter(project__in=projects.values("pk"), to_state__in=FUNNEL)
        .values_list("to_state")
        .annotate(n=Count("project", distinct=True))
    )
    funnel = [
        {"state": state, "label": S(state).label, "count": reached.get(state, 0)}
        for state in FUNNEL
    ]
    by_community = list(
        projects.values("community__name")
        .annotate(
            n=Count("pk"),
            recommended=Count("pk", filter=Q(state__in=BUILDING_STATES)),
            budget=Sum("budget"),
        )
        .order_by("community__name")
    )
    kinds = dict(ProjectKind.choices)
    by_kind = [
        {"kind": row["kind"], "label": kinds.get(row["kind"], row["kind"]), "n": row["n"]}
        for row in projects.values("kind").annotate(n=Count("pk")).order_by("kind")
    ]
    chosen = list(
        projects.filter(state__in=BUILDING_STATES)
        .select_related("community", "estate")
        .prefetch_related("milestones")
        .order_by("-score", "id")
    )
    rows, late = [], []
    for project in chosen:
        figures = progress(list(project.milestones.all()), today)
        rows.append({"project": project, "percent": figures["percent"], "late": figures["late"]})
        late.extend((project, m) for m in figures["late"])
    budget = projects.filter(state__in=BUILDING_STATES).aggregate(b=Sum("budget"))["b"]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
            "properties": {
                "id": p.pk,
                "label": p.title,
                "recommended": p.state in BUILDING_STATES,
            },
        }
        for p in projects.exclude(lon__isnull=True).only("pk", "title", "lon", "lat", "state")
    ]
    return {
        "campaign": campaign,
        "funnel": funnel,
        "by_community": by_community,
        "by_kind": by_kind,
        "rows": rows,
        "late": late,
        "budget": budget or Decimal("0"),
        "map": {"type": "FeatureCollection", "features": features},
    }


BUILDING_STATES = (S.RECOMMENDED, S.IN_PROGRESS, S.ACCEPTED, S.HANDED_OVER, S.CLOSED)


def tile(micro_ids, today) -> dict:
    """The dashboard's tile over micro-grids `micro_ids` (None: the street), in two queries: the
    newest campaign, then its counts and late milestones in one aggregate (projects counted once
    over the milestones' join)."""
    campaign = Campaign.objects.order_by("-year", "-id").only("pk", "name", "quota").first()
    if campaign is None:
        return {}
    projects = Project.objects.filter(campaign=campaign)
    if micro_ids is not None:
        projects = projects.filter(
            community__in=Grid.objects.filter(pk__in=micro_ids).values("parent_id")
        )
    counts = projects.aggregate(
        proposed=Count("pk", distinct=True),
        recommended=Count("pk", distinct=True, filter=Q(state__in=BUILDING_STATES)),
        building=Count("pk", distinct=True, filter=Q(state=S.IN_PROGRESS)),
        handed_over=Count("pk", distinct=True, filter=Q(state__in=[S.HANDED_OVER, S.CLOSED])),
        late=Count(
            "milestones",
            filter=Q(
                state=S.IN_PROGRESS,
                milestones__done_on__isnull=True,
                milestones__due_on__lt=today,
            ),
        ),
    )
    return {"campaign": campaign.name, "quota": campaign.quota, **counts}


def dashboard_tile(micro_ids, first, last, now) -> dict:
    """The tile as the dashboard's register hook calls it (dashboard.tiles)."""
    return tile(micro_ids, timezone.localdate(now))


def subject_search(user, query):
    """Projects a meeting's planner may name as its subject (meetings.subjects)."""
    rows = scope_projects(Project.objects.all(), user)
    if query:
        rows = rows.filter(title__icontains=query)
    return rows.order_by("-id")
