"""创建/创评: campaigns, checklists, checkpoints, 督查 rounds and inspections, weekly action
plans, readiness; and the 无违建 register.

Every state change is a `do_*` here: atomic, the row locked, the transition table of
campaigns.workflow checked, an immutable history row written. `user=None` is a trusted caller
(a command, the demo builder). Who may do what comes from accounts.policy (CAMPAIGNS_*), which
rows they see from grids.scoping (`scope_checkpoints`, `scope_structures`).

The loop ("有督查就有情况反馈，有督查就有处理结果"): a round assigns checkpoints to inspectors and
takes in, by itself, every checkpoint whose latest inspection failed an item (复查); an inspection
scores the kind's active checklist; a failed item opens a case (source 督查, the programme's
category, the category's deadline) unless the same item's case from the last inspection is still
open, which it then carries on; every result of an item that failed last time points at that
failure (`recheck_of`), so a re-check that passes is the 处理结果 shown against the finding.
"""

import datetime
from collections import defaultdict
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.access import require_role
from civicgrid.accounts.policy import (
    CAMPAIGNS_EDIT_ROLES,
    CAMPAIGNS_INSPECT_ROLES,
    CAMPAIGNS_KEEP_ROLES,
    CAMPAIGNS_VIEW_ROLES,
)
from civicgrid.campaigns import photos as inspection_photos
from civicgrid.campaigns.choices import (
    CampaignLevel,
    CheckpointKind,
    CreationStatus,
    OwnerKind,
    RoundKind,
    RoundState,
    StructureState,
)
from civicgrid.campaigns.models import (
    Assignment,
    Campaign,
    CampaignAction,
    CampaignEvent,
    ChecklistItem,
    Checkpoint,
    CommunityCreation,
    CreationEvent,
    IllegalStructure,
    Inspection,
    InspectionResult,
    InspectionRound,
    RoundEvent,
    StructureEvent,
    WeeklyPlan,
)
from civicgrid.campaigns.workflow import (
    CREATION_TRANSITIONS,
    ROUND_TRANSITIONS,
    STRUCTURE_TRANSITIONS,
    may_move,
)
from civicgrid.cases import services as cases
from civicgrid.cases.choices import OPEN_STATUSES, CaseSource
from civicgrid.cases.models import Case, Category
from civicgrid.core.text import field_text as _text
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid
from civicgrid.grids.scoping import visible_grids, visible_micro_grids

# The case category a failed item opens (seeded by this app's migration 0002).
CATEGORY_FAMILY = "community"
CATEGORY_NAME = "文明创建督查问题"
MAX_NOTE = 300
MAX_ORDER = 9999
ROUND_DAYS = 7  # weekly by default: "周周有行动，一周一个样"
REPEAT_ROUNDS = 3  # an item failing at least twice in a checkpoint's last three rounds repeats
REPEAT_TIMES = 2
TREND_ROUNDS = 12


# --- access and scope ----------------------------------------------------------------------------


def may_view(user) -> bool:
    return bool(user and user.is_authenticated and user.effective_role in CAMPAIGNS_VIEW_ROLES)


def may_edit(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.effective_role in CAMPAIGNS_EDIT_ROLES
        and not user.is_read_only
    )


def may_keep(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.effective_role in CAMPAIGNS_KEEP_ROLES
        and not user.is_read_only
    )


def may_inspect(user) -> bool:
    return bool(
        user
        and user.is_authenticated
        and user.effective_role in CAMPAIGNS_INSPECT_ROLES
        and not user.is_read_only
    )


def _community_filter(user, field: str):
    """A Q keeping rows whose 居村 (`field`) the user may see; None for the whole street."""
    if visible_micro_grids(user) is None:
        return None
    return Q(**{f"{field}__in": visible_grids(user).filter(level=GridLevel.COMMUNITY)})


def scope_checkpoints(queryset, user):
    """Checkpoints in the 居村 the user may see (the whole street for the street's desk)."""
    if user is None:
        return queryset
    if not may_view(user):
        return queryset.none()
    condition = _community_filter(user, "community")
    return queryset if condition is None else queryset.filter(condition)


def scope_structures(queryset, user):
    if user is None:
        return queryset
    if not may_view(user):
        return queryset.none()
    condition = _community_filter(user, "community")
    return queryset if condition is None else queryset.filter(condition)


def scope_creations(queryset, user):
    if user is None:
        return queryset
    if not may_view(user):
        return queryset.none()
    condition = _community_filter(user, "community")
    return queryset if condition is None else queryset.filter(condition)


def campaign_category() -> Category | None:
    return Category.objects.filter(family=CATEGORY_FAMILY, name=CATEGORY_NAME).first()


def _date(value, field, label):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and value.strip():
        try:
            return datetime.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValidationError({field: _("请填写正确的%(label)s") % {"label": label}})


def _optional_date(value, field, label):
    if value in (None, ""):
        return None
    return _date(value, field, label)


def _choice(value, choices, field, label):
    if value not in choices.values:
        raise ValidationError({field: _("请选择%(label)s") % {"label": label}})
    return value


def _community(value, field="community"):
    grid = value if isinstance(value, Grid) else Grid.objects.filter(pk=value).first()
    if grid is None or grid.level != GridLevel.COMMUNITY:
        raise ValidationError({field: _("请选择居村")})
    return grid


def _check_community_visible(user, community):
    condition = _community_filter(user, "pk") if user is not None else None
    if condition is not None and not Grid.objects.filter(condition, pk=community.pk).exists():
        raise PermissionDenied(_("该居村不在您的管辖范围内"))


def _point(lon, lat):
    if lon in (None, "") and lat in (None, ""):
        return None, None
    try:
        lon, lat = float(lon), float(lat)
    except (TypeError, ValueError):
        raise ValidationError({"lon": _("经度和纬度须同时填写，且为数字")}) from None
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise ValidationError({"lon": _("经纬度超出范围")})
    return lon, lat


def _micro_grid_at(lon, lat):
    from civicgrid.grids.locator import locate_point

    if lon is None:
        return None
    found = locate_point(lon, lat)
    return found.micro_grid.id if found else None


# --- campaigns, checklists, actions, checkpoints ---------------------------------------------------

# What a history row says of each field an edit may change (model field → shown value).
_CAMPAIGN_FIELDS = (
    "name",
    "level",
    "starts_on",
    "ends_on",
    "review_on",
    "re_review_on",
    "target_percent",
    "is_active",
)
_ITEM_FIELDS = ("kind", "name", "description", "order", "is_active")
_ACTION_FIELDS = ("name", "owner", "order")
_CHECKPOINT_FIELDS = (
    "kind",
    "name",
    "address",
    "lon",
    "lat",
    "community",
    "owner_kind",
    "owner_name",
    "is_active",
)
SUBJECT_LABELS = {
    "campaign": _("创建活动"),
    "item": _("测评项"),
    "action": _("创建行动"),
    "checkpoint": _("测评点位"),
}


def _shown(obj, field):
    model_field = obj._meta.get_field(field)
    value = getattr(obj, field, None)
    if value is None or value == "":
        return "—"
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if isinstance(value, bool):
        return str(_("是") if value else _("否"))
    if isinstance(value, datetime.date):
        return value.isoformat()
    return str(value)


def _snapshot(obj, fields) -> dict | None:
    if obj is None or obj.pk is None:
        return None
    return {f: _shown(obj, f) for f in fields}


def _log_edit(user, campaign, subject, obj, before, fields, now=None) -> CampaignEvent | None:
    """The history row of an edit: each changed field as “名称：旧 → 新”, or 新建 for a new row.
    Nothing is written when nothing changed."""
    after = _snapshot(obj, fields)
    if before is None:
        changes = _("新建")
    else:
        parts = [
            _("%(field)s：%(old)s → %(new)s")
            % {"field": obj._meta.get_field(f).verbose_name, "old": before[f], "new": after[f]}
            for f in fields
            if before[f] != after[f]
        ]
        if not parts:
            return None
        changes = "；".join(parts)
    return CampaignEvent.objects.create(
        campaign_id=campaign.pk,
        subject=subject,
        object_id=obj.pk,
        object_name=str(getattr(obj, "name", obj))[:100],
        changes=changes,
        user=user,
        at=now or timezone.now(),
    )


def campaign_history(campaign, limit=50) -> list:
    """The campaign's edits, newest first, with the label of what was edited."""
    rows = list(campaign.events.select_related("user")[:limit])
    for row in rows:
        row.subject_label = SUBJECT_LABELS.get(row.subject, row.subject)
    return rows


def do_save_campaign(
    user,
    *,
    campaign=None,
    name,
    level,
    starts_on,
    ends_on,
    review_on=None,
    re_review_on=None,
    target_percent=90,
    is_active=True,
) -> Campaign:
    """Create or change a campaign (its name, level, period, 评审/复评 dates, 达标线)."""
    require_role(user, CAMPAIGNS_EDIT_ROLES, _("您的角色不能维护创建活动"))
    name = _text(name, "name", _("活动名称"), 100, required=True)
    level = _choice(level, CampaignLevel, "level", _("级别"))
    starts_on = _date(starts_on, "starts_on", _("开始日期"))
    ends_on = _date(ends_on, "ends_on", _("结束日期"))
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期")})
    review_on = _optional_date(review_on, "review_on", _("评审日期"))
    re_review_on = _optional_date(re_review_on, "re_review_on", _("复评日期"))
    if review_on and re_review_on and re_review_on < review_on:
        raise ValidationError({"re_review_on": _("复评日期不能早于评审日期")})
    try:
        target_percent = int(target_percent)
    except (TypeError, ValueError):
        target_percent = -1
    if not 1 <= target_percent <= 100:
        raise ValidationError({"target_percent": _("达标线须在1至100之间")})
    with transaction.atomic():
        if campaign is not None:
            campaign = Campaign.objects.select_for_update(of=("self",)).get(pk=campaign.pk)
        if Campaign.objects.filter(name=name).exclude(pk=getattr(campaign, "pk", None)).exists():
            raise ValidationError({"name": _("已有同名的创建活动")})
        before = _snapshot(campaign, _CAMPAIGN_FIELDS)
        campaign = campaign or Campaign()
        campaign.name, campaign.level = name, level
        campaign.starts_on, campaign.ends_on = starts_on, ends_on
        campaign.review_on, campaign.re_review_on = review_on, re_review_on
        campaign.target_percent, campaign.is_active = target_percent, bool(is_active)
        campaign.save()
        _log_edit(user, campaign, "campaign", campaign, before, _CAMPAIGN_FIELDS)
    return campaign


def _order(value) -> int:
    try:
        order = int(value or 0)
    except (TypeError, ValueError):
        order = -1
    if not 0 <= order <= MAX_ORDER:
        raise ValidationError({"order": _("排序须为0至%(max)s的整数") % {"max": MAX_ORDER}})
    return order


def do_save_item(
    user, campaign, *, item=None, kind, name, description="", order=0, is_active=True
) -> ChecklistItem:
    """Add or change a line of the campaign's 测评体系 for one kind of checkpoint. A retired item
    (is_active False) keeps its results; an item with results keeps its kind."""
    require_role(user, CAMPAIGNS_EDIT_ROLES, _("您的角色不能维护测评体系"))
    kind = _choice(kind, CheckpointKind, "kind", _("点位类型"))
    name = _text(name, "name", _("测评项"), 60, required=True)
    description = _text(description, "description", _("测评内容"), 300)
    order = _order(order)
    with transaction.atomic():
        if item is not None:
            item = ChecklistItem.objects.select_for_update(of=("self",)).get(
                pk=item.pk, campaign=campaign
            )
            if item.kind != kind and item.results.exists():
                raise ValidationError({"kind": _("该测评项已有测评结果，不能改点位类型")})
        clash = ChecklistItem.objects.filter(campaign=campaign, kind=kind, name=name)
        if clash.exclude(pk=getattr(item, "pk", None)).exists():
            raise ValidationError({"name": _("该类点位已有同名测评项")})
        before = _snapshot(item, _ITEM_FIELDS)
        item = item or ChecklistItem(campaign=campaign)
        item.kind, item.name, item.description = kind, name, description
        item.order, item.is_active = order, bool(is_active)
        item.save()
        _log_edit(user, campaign, "item", item, before, _ITEM_FIELDS)
    return item


def do_save_action(user, campaign, *, action=None, name, owner, order=0) -> CampaignAction:
    """Add or change one of the campaign's actions (五大行动) and its lead (牵头单位)."""
    require_role(user, CAMPAIGNS_EDIT_ROLES, _("您的角色不能维护创建行动"))
    name = _text(name, "name", _("行动名称"), 60, required=True)
    owner = _text(owner, "owner", _("牵头单位"), 100, required=True)
    order = _order(order)
    with transaction.atomic():
        if action is not None:
            action = CampaignAction.objects.select_for_update(of=("self",)).get(
                pk=action.pk, campaign=campaign
            )
        clash = CampaignAction.objects.filter(campaign=campaign, name=name)
        if clash.exclude(pk=getattr(action, "pk", None)).exists():
            raise ValidationError({"name": _("已有同名的创建行动")})
        before = _snapshot(action, _ACTION_FIELDS)
        action = action or CampaignAction(campaign=campaign)
        action.name, action.owner, action.order = name, owner, order
        action.save()
        _log_edit(user, campaign, "action", action, before, _ACTION_FIELDS)
    return action


def _clean_checkpoint(row, errors_prefix=""):
    kind = _choice(row.get("kind"), CheckpointKind, "kind", _("点位类型"))
    name = _text(row.get("name"), "name", _("点位名称"), 100, required=True)
    address = _text(row.get("address"), "address", _("地址"), 200)
    owner_kind = _choice(row.get("owner_kind"), OwnerKind, "owner_kind", _("责任主体类型"))
    owner_name = _text(row.get("owner_name"), "owner_name", _("责任主体"), 100, required=True)
    lon, lat = _point(row.get("lon"), row.get("lat"))
    community = _community(row.get("community"))
    return {
        "kind": kind,
        "name": name,
        "address": address,
        "owner_kind": owner_kind,
        "owner_name": owner_name,
        "lon": lon,
        "lat": lat,
        "community": community,
        "is_active": bool(row.get("is_active", True)),
    }


def do_save_checkpoint(user, campaign, *, checkpoint=None, **fields) -> Checkpoint:
    """Add or change a checkpoint (点位): kind, name, place on the map, 居村 and owner."""
    require_role(user, CAMPAIGNS_EDIT_ROLES, _("您的角色不能维护测评点位"))
    data = _clean_checkpoint(fields)
    data["micro_grid_id"] = _micro_grid_at(data["lon"], data["lat"])
    with transaction.atomic():
        if checkpoint is not None:
            checkpoint = Checkpoint.objects.select_for_update(of=("self",)).get(
                pk=checkpoint.pk, campaign=campaign
            )
            if checkpoint.kind != data["kind"] and checkpoint.inspections.exists():
                raise ValidationError({"kind": _("该点位已有督查记录，不能改点位类型")})
        clash = Checkpoint.objects.filter(campaign=campaign, kind=data["kind"], name=data["name"])
        if clash.exclude(pk=getattr(checkpoint, "pk", None)).exists():
            raise ValidationError({"name": _("已有同类同名的点位")})
        before = _snapshot(checkpoint, _CHECKPOINT_FIELDS)
        checkpoint = checkpoint or Checkpoint(campaign=campaign)
        for key, value in data.items():
            setattr(checkpoint, key, value)
        checkpoint.save()
        _log_edit(user, campaign, "checkpoint", checkpoint, before, _CHECKPOINT_FIELDS)
    return checkpoint


def do_add_checkpoints_many(user, campaign, rows) -> list[Checkpoint]:
    """Add many checkpoints at once (a 点位 list from the assessment office): every row checked
    as `do_save_checkpoint` does, located in one pass; all or nothing. A problem names its row."""
    from civicgrid.grids.locator import locate_points

    require_role(user, CAMPAIGNS_EDIT_ROLES, _("您的角色不能维护测评点位"))
    communities = {g.pk: g for g in Grid.objects.filter(level=GridLevel.COMMUNITY)}
    cleaned, seen = [], set()
    for n, row in enumerate(rows, start=1):
        row = dict(row)
        if isinstance(row.get("community"), Grid):
            row["community"] = row["community"].pk
        try:
            if row.get("community") not in communities:
                raise ValidationError({"community": _("请选择居村")})
            row["community"] = communities[row["community"]]
            data = _clean_checkpoint(row)
        except ValidationError as exc:
            raise ValidationError(
                {"rows": _("第%(n)s行：%(m)s") % {"n": n, "m": " ".join(exc.messages)}}
            ) from None
        key = (data["kind"], data["name"])
        if key in seen:
            raise ValidationError({"rows": _("第%(n)s行：点位重复") % {"n": n}})
        seen.add(key)
        cleaned.append(data)
    if not cleaned:
        raise ValidationError({"rows": _("请提供点位")})
    lons = [d["lon"] if d["lon"] is not None else float("nan") for d in cleaned]
    lats = [d["lat"] if d["lat"] is not None else float("nan") for d in cleaned]
    found = locate_points(lons, lats)
    with transaction.atomic():
        Campaign.objects.select_for_update(of=("self",)).get(pk=campaign.pk)
        existing = (
            set(Checkpoint.objects.filter(campaign=campaign).values_list("kind", "name")) & seen
        )
        if existing:
            kind, name = sorted(existing)[0]
            raise ValidationError({"rows": _("点位“%(name)s”已存在") % {"name": name}})
        objs = [
            Checkpoint(campaign=campaign, micro_grid_id=int(g) if g >= 0 else None, **data)
            for data, g in zip(cleaned, found, strict=True)
        ]
        created = Checkpoint.objects.bulk_create(objs)
        CampaignEvent.objects.create(
            campaign_id=campaign.pk,
            subject="checkpoint",
            object_name=_("批量导入"),
            changes=_("新增点位%(n)s个") % {"n": len(created)},
            user=user,
            at=timezone.now(),
        )
        return created


def do_set_checkpoint_active(user, checkpoint, *, is_active, now=None) -> Checkpoint:
    """Stop (or resume) a checkpoint: a stopped one keeps its inspections and leaves new
    rounds, readiness and the map."""
    require_role(user, CAMPAIGNS_EDIT_ROLES, _("您的角色不能维护测评点位"))
    with transaction.atomic():
        checkpoint = Checkpoint.objects.select_for_update(of=("self",)).get(pk=checkpoint.pk)
        if checkpoint.is_active == bool(is_active):
            raise ValidationError(
                {"is_active": _("该点位已启用") if is_active else _("该点位已停用")}
            )
        before = _snapshot(checkpoint, _CHECKPOINT_FIELDS)
        checkpoint.is_active = bool(is_active)
        checkpoint.save(update_fields=["is_active"])
        _log_edit(
            user, checkpoint.campaign, "checkpoint", checkpoint, before, _CHECKPOINT_FIELDS, now
        )
    return checkpoint


# --- 督查 rounds -----------------------------------------------------------------------------------


def _latest_inspections(checkpoints):
    """The checkpoints annotated with their latest inspection's id, score and inspector."""
    latest = Inspection.objects.filter(checkpoint=OuterRef("pk")).order_by("-inspected_at", "-id")
    return checkpoints.annotate(
        last_id=Subquery(latest.values("id")[:1]),
        last_passed=Subquery(latest.values("passed_count")[:1]),
        last_items=Subquery(latest.values("item_count")[:1]),
        last_inspector=Subquery(latest.values("inspector")[:1]),
    )


def due_rechecks(campaign):
    """Active checkpoints whose latest inspection failed an item: the next round re-checks them."""
    return _latest_inspections(Checkpoint.objects.filter(campaign=campaign, is_active=True)).filter(
        last_passed__lt=F("last_items")
    )


def _eligible_inspectors(ids):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(pk__in=ids, is_active=True)
    return {u.pk: u for u in users if may_inspect(u)}


def eligible_inspectors() -> list:
    """Active staff who may inspect, by name (the round form's choices)."""
    from django.contrib.auth import get_user_model

    users = (
        get_user_model()
        .objects.filter(is_active=True, role__in=list(CAMPAIGNS_INSPECT_ROLES))
        .order_by("last_name", "first_name", "username")
    )
    return [u for u in users if may_inspect(u)]


def do_plan_round(
    user,
    campaign,
    *,
    starts_on,
    ends_on=None,
    kind=RoundKind.WEEKLY,
    assignments,
    note="",
    now=None,
) -> InspectionRound:
    """Schedule a 督查 round (weekly by default; a 模拟测评 the same way): `assignments` is a list of
    (checkpoint, inspector). Every checkpoint whose latest inspection failed an item is taken in
    as a 复查, given to whoever inspected it last (or the first inspector named, if that person
    may no longer inspect). One round at a time: the last must be closed first."""
    now = now or timezone.now()
    require_role(user, CAMPAIGNS_EDIT_ROLES, _("您的角色不能排定督查"))
    kind = _choice(kind, RoundKind, "kind", _("轮次类型"))
    starts_on = _date(starts_on, "starts_on", _("开始日期"))
    ends_on = (
        _date(ends_on, "ends_on", _("结束日期"))
        if ends_on not in (None, "")
        else starts_on + datetime.timedelta(days=ROUND_DAYS - 1)
    )
    if ends_on < starts_on:
        raise ValidationError({"ends_on": _("结束日期不能早于开始日期")})
    if not (campaign.starts_on <= starts_on <= campaign.ends_on):
        raise ValidationError({"starts_on": _("督查须在创建活动期间进行")})
    note = _text(note, "note", _("说明"), MAX_NOTE)
    pairs = []
    for entry in assignments or ():
        try:
            checkpoint, inspector = entry
        except (TypeError, ValueError):
            raise ValidationError({"assignments": _("督查任务格式不正确")}) from None
        try:
            pairs.append(
                (
                    int(getattr(checkpoint, "pk", checkpoint)),
                    int(getattr(inspector, "pk", inspector)),
                )
            )
        except (TypeError, ValueError):
            raise ValidationError({"assignments": _("督查任务格式不正确")}) from None
    if not pairs:
        raise ValidationError({"assignments": _("请至少安排一个点位")})
    checkpoint_ids = [c for c, _i in pairs]
    if len(set(checkpoint_ids)) != len(checkpoint_ids):
        raise ValidationError({"assignments": _("同一点位在一轮中只能安排一次")})
    with transaction.atomic():
        campaign = Campaign.objects.select_for_update(of=("self",)).get(pk=campaign.pk)
        if not campaign.is_active:
            raise ValidationError({"campaign": _("该创建活动已结束")})
        if campaign.rounds.filter(state=RoundState.PLANNED).exists():
            raise ValidationError({"campaign": _("上一轮督查尚未结束，请先结束再排定新一轮")})
        valid = set(
            Checkpoint.objects.filter(
                campaign=campaign, is_active=True, pk__in=checkpoint_ids
            ).values_list("pk", flat=True)
        )
        if len(valid) != len(set(checkpoint_ids)):
            raise ValidationError({"assignments": _("有点位不属于该创建活动或已停用")})
        rechecks = {
            c.pk: c.last_inspector
            for c in due_rechecks(campaign).exclude(pk__in=checkpoint_ids).only("pk")
        }
        inspectors = _eligible_inspectors(
            {i for _c, i in pairs} | {i for i in rechecks.values() if i}
        )
        if any(i not in inspectors for _c, i in pairs):
            raise ValidationError({"assignments": _("督查人须是在职的督查人员")})
        fallback = pairs[0][1]
        number = (campaign.rounds.aggregate(n=Max("number"))["n"] or 0) + 1
        round_ = InspectionRound.objects.create(
            campaign=campaign,
            kind=kind,
            number=number,
            starts_on=starts_on,
            ends_on=ends_on,
            planned_by=user,
        )
        earlier = set(
            due_rechecks(campaign).filter(pk__in=checkpoint_ids).values_list("pk", flat=True)
        )
        rows = [
            Assignment(round=round_, checkpoint_id=c, inspector_id=i, is_recheck=c in earlier)
            for c, i in pairs
        ]
        rows += [
            Assignment(
                round=round_,
                checkpoint_id=c,
                inspector_id=i if i in inspectors else fallback,
                is_recheck=True,
            )
            for c, i in sorted(rechecks.items())
        ]
        Assignment.objects.bulk_create(rows)
        RoundEvent.objects.create(
            round=round_, to_state=RoundState.PLANNED, user=user, note=note, at=now
        )
    return round_


def do_plan_round_by_kind(
    user, campaign, *, starts_on, kind=RoundKind.WEEKLY, checkpoint_kinds=(), inspectors, note=""
) -> InspectionRound:
    """Schedule a round over every active checkpoint of the chosen kinds (all kinds when none),
    shared out among `inspectors` in turn (by 居村, so that one inspector walks one area);
    re-checks come in as in `do_plan_round`."""
    inspectors = [getattr(i, "pk", i) for i in inspectors or ()]
    if not inspectors:
        raise ValidationError({"inspectors": _("请选择督查人")})
    checkpoints = Checkpoint.objects.filter(campaign=campaign, is_active=True)
    kinds = [k for k in checkpoint_kinds or () if k]
    if any(k not in CheckpointKind.values for k in kinds):
        raise ValidationError({"checkpoint_kinds": _("请选择点位类型")})
    if kinds:
        checkpoints = checkpoints.filter(kind__in=kinds)
    ids = list(checkpoints.order_by("community__code", "kind", "name").values_list("pk", flat=True))
    pairs = [(pk, inspectors[n * len(inspectors) // len(ids)]) for n, pk in enumerate(ids)]
    return do_plan_round(
        user, campaign, starts_on=starts_on, kind=kind, assignments=pairs, note=note
    )


def do_assign(user, round_, *, checkpoint, inspector, now=None) -> Assignment:
    """Give a checkpoint of an open round to an inspector: a checkpoint not yet in the round is
    added, one already in it (and not yet inspected) is given to someone else. The round's
    history says who moved what."""
    now = now or timezone.now()
    require_role(user, CAMPAIGNS_EDIT_ROLES, _("您的角色不能排定督查"))
    try:
        checkpoint_id = int(getattr(checkpoint, "pk", checkpoint))
        inspector_id = int(getattr(inspector, "pk", inspector))
    except (TypeError, ValueError):
        raise ValidationError({"assignments": _("督查任务格式不正确")}) from None
    with transaction.atomic():
        round_ = InspectionRound.objects.select_for_update(of=("self",)).get(pk=round_.pk)
        if round_.state != RoundState.PLANNED:
            raise ValidationError({"state": _("该轮督查已结束")})
        found = Checkpoint.objects.filter(
            pk=checkpoint_id, campaign_id=round_.campaign_id, is_active=True
        ).first()
        if found is None:
            raise ValidationError({"checkpoint": _("有点位不属于该创建活动或已停用")})
        person = _eligible_inspectors({inspector_id}).get(inspector_id)
        if person is None:
            raise ValidationError({"inspector": _("督查人须是在职的督查人员")})
        assignment = (
            Assignment.objects.select_for_update(of=("self",))
            .filter(round=round_, checkpoint=found)
            .first()
        )
        name = f"{person.last_name}{person.first_name}" or person.username
        if assignment is None:
            assignment = Assignment.objects.create(
                round=round_,
                checkpoint=found,
                inspector=person,
                is_recheck=due_rechecks(round_.campaign).filter(pk=found.pk).exists(),
            )
            note = _("新增点位“%(cp)s”，派给%(who)s") % {"cp": found.name, "who": name}
        else:
            if Inspection.objects.filter(assignment=assignment).exists():
                raise ValidationError({"checkpoint": _("该点位本轮已督查，不能改派")})
            if assignment.inspector_id == person.pk:
                raise ValidationError({"inspector": _("该点位已派给此督查人")})
            assignment.inspector = person
            assignment.save(update_fields=["inspector"])
            note = _("点位“%(cp)s”改派给%(who)s") % {"cp": found.name, "who": name}
        RoundEvent.objects.create(
            round=round_,
            from_state=round_.state,
            to_state=round_.state,
            user=user,
            note=note[:MAX_NOTE],
            at=now,
        )
    return assignment


def do_close_round(user, round_, *, note="", now=None) -> InspectionRound:
    """End a round; what was not inspected stays 未检 (it counts in no score)."""
    now = now or timezone.now()
    require_role(user, CAMPAIGNS_EDIT_ROLES, _("您的角色不能结束督查"))
    note = _text(note, "note", _("说明"), MAX_NOTE)
    with transaction.atomic():
        round_ = InspectionRound.objects.select_for_update(of=("self",)).get(pk=round_.pk)
        if not may_move(ROUND_TRANSITIONS, round_.state, RoundState.CLOSED):
            raise ValidationError({"state": _("该轮督查已结束")})
        before = round_.state
        round_.state = RoundState.CLOSED
        round_.save(update_fields=["state"])
        RoundEvent.objects.create(
            round=round_, from_state=before, to_state=round_.state, user=user, note=note, at=now
        )
    return round_


# --- inspections ---------------------------------------------------------------------------------


def _items_by_kind(campaign_id) -> dict:
    out = defaultdict(list)
    for item in ChecklistItem.objects.filter(campaign_id=campaign_id, is_active=True):
        out[item.kind].append(item)
    return out


def _clean_results(results, items):
    """{item id: {"passed": bool, "note": str}} → [(item, passed, note)] for every active item of
    the kind; a failure must say what is wrong."""
    if not isinstance(results, dict):
        raise ValidationError({"results": _("请逐项评分")})
    by_id = {item.pk: item for item in items}
    given = {}
    for key, value in results.items():
        try:
            item_id = int(key)
        except (TypeError, ValueError):
            raise ValidationError({"results": _("测评项不正确")}) from None
        if item_id not in by_id:
            raise ValidationError({"results": _("测评项不属于该类点位")})
        if isinstance(value, bool):
            value = {"passed": value}
        if not isinstance(value, dict) or not isinstance(value.get("passed"), bool):
            raise ValidationError(
                {"results": _("“%(item)s”须评为合格或不合格") % {"item": by_id[item_id].name}}
            )
        note = _text(value.get("note"), "results", _("情况说明"), MAX_NOTE)
        if not value["passed"] and not note:
            raise ValidationError(
                {"results": _("“%(item)s”不合格，请说明情况") % {"item": by_id[item_id].name}}
            )
        given[item_id] = (value["passed"], note)
    missing = [item.name for item in items if item.pk not in given]
    if missing:
        raise ValidationError(
            {"results": _("以下测评项尚未评分：%(items)s") % {"items": "、".join(missing)}}
        )
    return [(item, *given[item.pk]) for item in items]


def _open_case_description(checkpoint, item, note):
    return _(
        "督查：%(cp)s（%(kind)s，%(address)s）“%(item)s”不合格。%(note)s责任主体：%(owner)s（%(okind)s）。"
    ) % {
        "cp": checkpoint.name,
        "kind": checkpoint.get_kind_display(),
        "address": checkpoint.address or checkpoint.community.name,
        "item": item.name,
        "note": note if note.endswith("。") else f"{note}。",
        "owner": checkpoint.owner_name,
        "okind": checkpoint.get_owner_kind_display(),
    }


def do_inspect(user, assignment, *, results, note="", photos=(), now=None) -> Inspection:
    """Score one assignment's checklist (a failure with a note), with photos. Each failed item
    opens a case for the owner (source 督查) or carries on the last inspection's still-open case
    for it; an item that failed last time is linked as its re-check."""
    uploads = inspection_photos.prepared(photos)
    [inspection] = _record(
        user,
        [{"assignment": assignment, "results": results, "note": note, "inspected_at": now}],
        open_cases=True,
        uploads=uploads,
    )
    return inspection


def do_inspect_many(user, entries, *, open_cases=True) -> list[Inspection]:
    """Record many inspections of open rounds at once (entries: {"assignment", "results", "note",
    "inspected_at"}), each checked as `do_inspect` does, all or nothing. `open_cases=False` is for
    taking in past rounds from the paper sheets, whose findings were followed up on paper: the
    results and their re-check links are recorded without opening cases now."""
    return _record(user, list(entries), open_cases=open_cases, uploads=())


def _record(user, entries, *, open_cases, uploads):
    require_role(user, CAMPAIGNS_INSPECT_ROLES, _("您的角色不能进行督查"))
    if not entries:
        raise ValidationError({"assignment": _("请选择督查任务")})
    default_now = timezone.now()
    notes = [_text(e.get("note"), "note", _("备注"), MAX_NOTE) for e in entries]
    category = campaign_category() if open_cases else None
    if open_cases and category is None:
        raise ValidationError({"category": _("尚未设置督查问题的案件类别")})
    with inspection_photos.atomic():
        ids = [getattr(e["assignment"], "pk", e["assignment"]) for e in entries]
        if len(set(ids)) != len(ids):
            raise ValidationError({"assignment": _("同一督查任务只能记录一次")})
        locked = {
            a.pk: a
            for a in Assignment.objects.select_for_update(of=("self",))
            .select_related("round", "checkpoint__community")
            .filter(pk__in=ids)
        }
        if len(locked) != len(ids):
            raise ValidationError({"assignment": _("督查任务不存在")})
        done = set(
            Inspection.objects.filter(assignment_id__in=ids).values_list("assignment_id", flat=True)
        )
        if done:
            raise ValidationError({"assignment": _("该点位本轮已督查，记录不能修改")})
        campaign_ids = {a.round.campaign_id for a in locked.values()}
        items = {cid: _items_by_kind(cid) for cid in campaign_ids}
        checkpoints = [locked[i].checkpoint_id for i in ids]
        previous = previous_failures(checkpoints)
        prepared = []
        for entry, aid, note in zip(entries, ids, notes, strict=True):
            a = locked[aid]
            if a.round.state != RoundState.PLANNED:
                raise ValidationError({"assignment": _("该轮督查已结束，不能再记录")})
            if user is not None and a.inspector_id != user.pk:
                raise PermissionDenied(_("该点位不是派给您的督查任务"))
            kind_items = items[a.round.campaign_id].get(a.checkpoint.kind, [])
            if not kind_items:
                raise ValidationError({"results": _("该类点位尚未设置测评项")})
            cleaned = _clean_results(entry.get("results"), kind_items)
            at = entry.get("inspected_at") or default_now
            prepared.append((a, cleaned, note, at))
        inspections = Inspection.objects.bulk_create(
            [
                Inspection(
                    assignment=a,
                    round_id=a.round_id,
                    checkpoint_id=a.checkpoint_id,
                    inspector_id=a.inspector_id if user is None else user.pk,
                    inspected_at=at,
                    passed_count=sum(1 for _i, passed, _n in cleaned if passed),
                    item_count=len(cleaned),
                    note=note,
                )
                for a, cleaned, note, at in prepared
            ]
        )
        # The photos are stored first: each case a failure opens gets its own copies of them
        # (处置前), so the owner sees what failed.
        stored = inspection_photos.store(inspections[0], uploads) if uploads else []
        open_before = _still_open(
            [r.case_id for fails in previous.values() for r in fails.values() if r.case_id]
        )
        rows = []
        for inspection, (a, cleaned, _note, at) in zip(inspections, prepared, strict=True):
            failed_before = previous.get(a.checkpoint_id, {})
            for item, passed, item_note in cleaned:
                earlier = failed_before.get(item.pk)
                case_id = None
                if not passed and open_cases:
                    if earlier is not None and earlier.case_id in open_before:
                        case_id = earlier.case_id
                    else:
                        case_id = _open_case(
                            a.checkpoint, item, item_note, category, at, photos=stored
                        )
                rows.append(
                    InspectionResult(
                        inspection=inspection,
                        item=item,
                        passed=passed,
                        note=item_note,
                        case_id=case_id,
                        recheck_of=earlier,
                    )
                )
        InspectionResult.objects.bulk_create(rows)
    return inspections


def previous_failures(checkpoint_ids) -> dict:
    """{checkpoint id: {item id: the failed result}} of each checkpoint's latest inspection."""
    latest = _latest_inspections(Checkpoint.objects.filter(pk__in=checkpoint_ids)).values_list(
        "last_id", flat=True
    )
    out = defaultdict(dict)
    for result in InspectionResult.objects.filter(
        inspection_id__in=[i for i in latest if i], passed=False
    ).select_related("inspection"):
        out[result.inspection.checkpoint_id][result.item_id] = result
    return out


def _still_open(case_ids) -> set:
    if not case_ids:
        return set()
    return set(
        Case.objects.filter(pk__in=case_ids, status__in=OPEN_STATUSES).values_list("pk", flat=True)
    )


def _open_case(checkpoint, item, note, category, at, photos=()) -> int:
    # The campaign's inspection is the street's own 督查 whoever does it, so the case is reported
    # as a trusted caller with that source (the inspector's role may not report 督查 cases
    # directly); the inspection row keeps who found it.
    return cases.do_report(
        user=None,
        category=category,
        description=_open_case_description(checkpoint, item, note),
        source=CaseSource.SUPERVISION,
        lon=checkpoint.lon,
        lat=checkpoint.lat,
        address=checkpoint.address or checkpoint.community.name,
        micro_grid=checkpoint.micro_grid_id,
        photos=inspection_photos.copies(photos),
        now=at,
    ).case.pk


# --- weekly action plans -------------------------------------------------------------------------


def do_plan_week(user, action, *, week_start, what, where, who) -> WeeklyPlan:
    """A weekly plan line of an action: what, where, who. The week starts on a Monday inside the
    campaign's period."""
    require_role(user, CAMPAIGNS_KEEP_ROLES, _("您的角色不能安排行动计划"))
    week_start = _date(week_start, "week_start", _("周起"))
    if week_start.weekday() != 0:
        raise ValidationError({"week_start": _("周起须为星期一")})
    campaign = action.campaign
    if not (campaign.starts_on - datetime.timedelta(days=6) <= week_start <= campaign.ends_on):
        raise ValidationError({"week_start": _("该周不在创建活动期间")})
    what = _text(what, "what", _("工作内容"), 200, required=True)
    where = _text(where, "where", _("地点"), 100, required=True)
    who = _text(who, "who", _("责任人"), 60, required=True)
    with transaction.atomic():
        CampaignAction.objects.select_for_update(of=("self",)).get(pk=action.pk)
        return WeeklyPlan.objects.create(
            action=action, week_start=week_start, what=what, where=where, who=who
        )


def do_mark_plan_done(user, plan, *, note="", now=None) -> WeeklyPlan:
    """Mark a weekly plan line done, with what was done."""
    now = now or timezone.now()
    require_role(user, CAMPAIGNS_KEEP_ROLES, _("您的角色不能更新行动计划"))
    note = _text(note, "done_note", _("完成情况"), MAX_NOTE)
    with transaction.atomic():
        plan = WeeklyPlan.objects.select_for_update(of=("self",)).get(pk=plan.pk)
        if plan.done_at is not None:
            raise ValidationError({"done": _("该计划已标记完成")})
        plan.done_at, plan.done_note = now, note
        plan.save(update_fields=["done_at", "done_note"])
    return plan


# --- readiness -----------------------------------------------------------------------------------


def _percent(passed, total) -> float | None:
    return round(100 * passed / total, 1) if total else None


def readiness(campaign, user=None) -> dict:
    """Share passing in each checkpoint's latest inspection: overall, per kind, per item, the
    checkpoints below the 达标线 (worst first). Four queries."""
    checkpoints = list(
        _latest_inspections(
            scope_checkpoints(Checkpoint.objects.filter(campaign=campaign, is_active=True), user)
        ).values("pk", "name", "kind", "owner_name", "last_id", "last_passed", "last_items")
    )
    latest_ids = [c["last_id"] for c in checkpoints if c["last_id"]]
    passed = sum(c["last_passed"] or 0 for c in checkpoints)
    total = sum(c["last_items"] or 0 for c in checkpoints)
    by_kind = {}
    for c in checkpoints:
        row = by_kind.setdefault(
            c["kind"],
            {
                "kind": c["kind"],
                "label": CheckpointKind(c["kind"]).label,
                "checkpoints": 0,
                "inspected": 0,
                "ready": 0,
                "passed": 0,
                "total": 0,
            },
        )
        row["checkpoints"] += 1
        if c["last_id"]:
            row["inspected"] += 1
            row["passed"] += c["last_passed"]
            row["total"] += c["last_items"]
            if 100 * c["last_passed"] >= campaign.target_percent * c["last_items"]:
                row["ready"] += 1
    for row in by_kind.values():
        row["percent"] = _percent(row["passed"], row["total"])
    items = list(
        InspectionResult.objects.filter(inspection_id__in=latest_ids)
        .values("item_id", "item__name", "item__kind")
        .annotate(total=Count("id"), passed=Count("id", filter=Q(passed=True)))
        .order_by("item__kind", "item__order", "item_id")
    )
    for row in items:
        row["percent"] = _percent(row["passed"], row["total"])
        row["kind_label"] = CheckpointKind(row["item__kind"]).label
    below = sorted(
        (
            {**c, "percent": _percent(c["last_passed"], c["last_items"])}
            for c in checkpoints
            if c["last_id"] and 100 * c["last_passed"] < campaign.target_percent * c["last_items"]
        ),
        key=lambda c: (c["percent"], c["name"]),
    )
    inspected = sum(1 for c in checkpoints if c["last_id"])
    return {
        "percent": _percent(passed, total),
        "checkpoints": len(checkpoints),
        "inspected": inspected,
        "ready": inspected - len(below),
        "by_kind": [by_kind[k] for k in CheckpointKind.values if k in by_kind],
        "items": items,
        "below": below,
    }


def checkpoint_map(campaign, user=None) -> dict:
    """The checkpoints on the map (GeoJSON) with their latest share passing and whether they
    reach the 达标线. One query."""
    rows = _latest_inspections(
        scope_checkpoints(
            Checkpoint.objects.filter(campaign=campaign, is_active=True, lon__isnull=False), user
        )
    ).values("pk", "name", "kind", "owner_name", "lon", "lat", "last_passed", "last_items")
    features = []
    for r in rows:
        percent = _percent(r["last_passed"] or 0, r["last_items"] or 0)
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [r["lon"], r["lat"]]},
                "properties": {
                    "id": r["pk"],
                    "label": f"{r['name']}（{r['owner_name']}）"
                    + (f" {percent}%" if percent is not None else ""),
                    "kind": r["kind"],
                    "percent": percent,
                    "ready": percent is not None and percent >= campaign.target_percent,
                },
            }
        )
    return {"type": "FeatureCollection", "features": features}


def trend(campaign, user=None, limit=TREND_ROUNDS, micro_ids=None) -> list[dict]:
    """Round by round (oldest first): checkpoints inspected and the share of items passing, over
    the user's checkpoints (or those in the micro-grids `micro_ids`). One query."""
    inspections = Inspection.objects.filter(round__campaign=campaign)
    if user is not None:
        inspections = inspections.filter(
            checkpoint__in=scope_checkpoints(Checkpoint.objects.all(), user)
        )
    if micro_ids is not None:
        inspections = inspections.filter(checkpoint__micro_grid_id__in=list(micro_ids))
    rows = list(
        inspections.values("round_id", "round__number", "round__starts_on", "round__kind")
        .annotate(n=Count("id"), passed=Sum("passed_count"), total=Sum("item_count"))
        .order_by("-round__number")[:limit]
    )
    rows.reverse()
    return [
        {
            "round": r["round_id"],
            "number": r["round__number"],
            "starts_on": r["round__starts_on"],
            "kind": RoundKind(r["round__kind"]).label,
            "inspected": r["n"],
            "percent": _percent(r["passed"], r["total"]),
        }
        for r in rows
    ]


def repeat_failures(campaign, user=None, rounds=REPEAT_ROUNDS, times=REPEAT_TIMES) -> list[dict]:
    """Items failing at the same checkpoint in at least `times` of the last `rounds` rounds
    (the 顽症 the assessors will find), most failures first. Two queries."""
    last = list(campaign.rounds.order_by("-number").values_list("pk", flat=True)[:rounds])
    results = InspectionResult.objects.filter(inspection__round_id__in=last, passed=False)
    if user is not None:
        results = results.filter(
            inspection__checkpoint__in=scope_checkpoints(Checkpoint.objects.all(), user)
        )
    rows = (
        results.values(
            "inspection__checkpoint_id",
            "inspection__checkpoint__name",
            "inspection__checkpoint__owner_name",
            "item__name",
        )
        .annotate(times=Count("id"))
        .filter(times__gte=times)
        .order_by("-times", "inspection__checkpoint__name", "item__name")
    )
    return [
        {
            "checkpoint": r["inspection__checkpoint_id"],
            "name": r["inspection__checkpoint__name"],
            "owner": r["inspection__checkpoint__owner_name"],
            "item": r["item__name"],
            "times": r["times"],
        }
        for r in rows
    ]


def loop_figures(campaign, user=None) -> dict:
    """有督查就有情况反馈，有督查就有处理结果: failures found, cases opened, re-checked and passed."""
    results = InspectionResult.objects.filter(inspection__round__campaign=campaign)
    if user is not None:
        results = results.filter(
            inspection__checkpoint__in=scope_checkpoints(Checkpoint.objects.all(), user)
        )
    figures = results.aggregate(
        failures=Count("id", filter=Q(passed=False)),
        cases=Count("case_id", filter=Q(passed=False), distinct=True),
        rechecked=Count("id", filter=Q(recheck_of__isnull=False)),
        fixed=Count("id", filter=Q(recheck_of__isnull=False, passed=True)),
    )
    case_ids = results.filter(case__isnull=False).values("case_id")
    figures["open_cases"] = Case.objects.filter(pk__in=case_ids, status__in=OPEN_STATUSES).count()
    return figures


def report(campaign, user=None, today=None) -> dict:
    """The one-page readiness report (迎检准备情况) before an assessment date."""
    today = today or timezone.localdate()
    upcoming = [d for d in (campaign.review_on, campaign.re_review_on) if d and d >= today]
    week = today - datetime.timedelta(days=today.weekday())
    plans = WeeklyPlan.objects.filter(action__campaign=campaign, week_start=week).aggregate(
        n=Count("id"), done=Count("id", filter=Q(done_at__isnull=False))
    )
    return {
        "campaign": campaign,
        "today": today,
        "assessment_on": upcoming[0] if upcoming else None,
        "days_left": (upcoming[0] - today).days if upcoming else None,
        "readiness": readiness(campaign, user),
        "trend": trend(campaign, user),
        "repeats": repeat_failures(campaign, user),
        "loop": loop_figures(campaign, user),
        "plans": plans,
    }


def current_campaign() -> Campaign | None:
    return Campaign.objects.filter(is_active=True).order_by("-starts_on", "-id").first()


def dashboard_tile(micro_ids, first=None, last=None, now=None) -> dict | None:
    """The dashboard's 创建创评 tile (dashboard.tiles hook): the active campaign's share passing
    round by round over the checkpoints in `micro_ids` (None: the street), the latest round
    against the one before. Two queries; None without a campaign."""
    campaign = current_campaign()
    if campaign is None:
        return None
    rows = trend(campaign, limit=8, micro_ids=micro_ids)
    latest = rows[-1] if rows else None
    previous = rows[-2] if len(rows) > 1 else None
    change = None
    if latest and previous and latest["percent"] is not None and previous["percent"] is not None:
        change = round(latest["percent"] - previous["percent"], 1)
    return {
        "campaign": campaign.name,
        "campaign_id": campaign.pk,
        "latest": latest,
        "change": change,
        "trend": rows,
        "target": campaign.target_percent,
        "has_data": bool(rows),
    }


# --- 无违建: illegal structures and the 居村's status ------------------------------------------------


def _area(value):
    try:
        area = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, TypeError, ValueError):
        raise ValidationError({"area_m2": _("面积须为数字")}) from None
    if not area.is_finite() or area <= 0 or area >= Decimal("10000000"):
        raise ValidationError({"area_m2": _("面积须大于0（平方米）")})
    return area


def do_register_structure(
    user,
    *,
    community,
    address,
    description,
    area_m2,
    found_on,
    lon=None,
    lat=None,
    photos=(),
    now=None,
) -> IllegalStructure:
    """Put a found illegal structure (违法建筑) in the register (state 发现), with its photos."""
    now = now or timezone.now()
    require_role(user, CAMPAIGNS_KEEP_ROLES, _("您的角色不能登记违法建筑"))
    community = _community(community)
    address = _text(address, "address", _("地址"), 200, required=True)
    description = _text(description, "description", _("情况"), 300, required=True)
    area = _area(area_m2)
    found_on = _date(found_on, "found_on", _("发现日期"))
    if found_on > timezone.localdate(now):
        raise ValidationError({"found_on": _("发现日期不能晚于今天")})
    lon, lat = _point(lon, lat)
    uploads = inspection_photos.prepared(photos)
    _check_community_visible(user, community)
    with inspection_photos.atomic():
        structure = IllegalStructure.objects.create(
            community=community,
            micro_grid_id=_micro_grid_at(lon, lat),
            address=address,
            description=description,
            area_m2=area,
            found_on=found_on,
            changed_at=now,
        )
        StructureEvent.objects.create(
            structure=structure, to_state=StructureState.FOUND, user=user, at=now
        )
        inspection_photos.store_structure(structure, uploads)
    return structure


def do_move_structure(user, structure, *, to_state, note="", now=None) -> IllegalStructure:
    """One step of a structure: 告知, then 拆除 or 整改, then 复核."""
    now = now or timezone.now()
    require_role(user, CAMPAIGNS_KEEP_ROLES, _("您的角色不能处置违法建筑"))
    note = _text(note, "note", _("说明"), MAX_NOTE)
    with transaction.atomic():
        structure = IllegalStructure.objects.select_for_update(of=("self",)).get(pk=structure.pk)
        _check_community_visible(user, structure.community)
        if to_state not in StructureState.values or not may_move(
            STRUCTURE_TRANSITIONS, structure.state, to_state
        ):
            raise ValidationError(
                {
                    "to_state": _("“%(state)s”的违法建筑不能进行此操作")
                    % {"state": structure.get_state_display()}
                }
            )
        before = structure.state
        structure.state, structure.changed_at = to_state, now
        structure.save(update_fields=["state", "changed_at"])
        StructureEvent.objects.create(
            structure=structure, from_state=before, to_state=to_state, user=user, note=note, at=now
        )
    return structure


def do_set_creation_status(user, community, *, status, note="", now=None) -> CommunityCreation:
    """Move a 居村's 无违建 status (创建中 → 已创建 → 复评通过; back to 创建中 when a structure is
    found again). 已创建 and 复评通过 need every structure of the 居村 复核."""
    now = now or timezone.now()
    require_role(user, CAMPAIGNS_KEEP_ROLES, _("您的角色不能更改无违建创建状态"))
    community = _community(community)
    note = _text(note, "note", _("说明"), MAX_NOTE)
    _check_community_visible(user, community)
    if status not in CreationStatus.values:
        raise ValidationError({"status": _("请选择创建状态")})
    with transaction.atomic():
        creation, _created = CommunityCreation.objects.select_for_update(
            of=("self",)
        ).get_or_create(community=community, defaults={"changed_at": now})
        if not may_move(CREATION_TRANSITIONS, creation.status, status):
            raise ValidationError(
                {
                    "status": _("“%(from)s”不能改为“%(to)s”")
                    % {"from": creation.get_status_display(), "to": CreationStatus(status).label}
                }
            )
        if status != CreationStatus.IN_PROGRESS:
            pending = (
                IllegalStructure.objects.filter(community=community)
                .exclude(state=StructureState.VERIFIED)
                .count()
            )
            if pending:
                raise ValidationError(
                    {"status": _("该居村尚有%(n)s处违法建筑未复核") % {"n": pending}}
                )
        before = creation.status
        creation.status, creation.changed_at = status, now
        creation.save(update_fields=["status", "changed_at"])
        CreationEvent.objects.create(
            creation=creation, from_status=before, to_status=status, user=user, note=note, at=now
        )
    return creation


def structure_figures(user=None) -> list[dict]:
    """Per 居村: structures and their area by state, and the creation status. Two queries."""
    structures = scope_structures(IllegalStructure.objects.all(), user)
    rows = {}
    for r in structures.values("community_id", "community__name", "state").annotate(
        n=Count("id"), area=Sum("area_m2")
    ):
        row = rows.setdefault(
            r["community_id"],
            {
                "community": r["community_id"],
                "name": r["community__name"],
                "n": 0,
                "area": Decimal(0),
                "open": 0,
                "open_area": Decimal(0),
                "status": "",
            },
        )
        row["n"] += r["n"]
        row["area"] += r["area"] or 0
        if r["state"] != StructureState.VERIFIED:
            row["open"] += r["n"]
            row["open_area"] += r["area"] or 0
    for c in scope_creations(CommunityCreation.objects.all(), user).values(
        "community_id", "community__name", "status"
    ):
        row = rows.setdefault(
            c["community_id"],
            {
                "community": c["community_id"],
                "name": c["community__name"],
                "n": 0,
                "area": Decimal(0),
                "open": 0,
                "open_area": Decimal(0),
                "status": "",
            },
        )
        row["status"] = CreationStatus(c["status"]).label
    return sorted(rows.values(), key=lambda r: r["name"])
