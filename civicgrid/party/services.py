"""Every change of the party app (党组织), and the read functions other apps use.

Each `do_*` is atomic, locks what it changes (select_for_update; on SQLite the IMMEDIATE
transaction serialises writers), checks the role (accounts.policy) and the scope (the grid the
organisation covers), writes an immutable PartyEvent and returns what it did. `user=None` is a
trusted caller (a command, the demo). Bad input raises ValidationError (field → Chinese message)
and nothing is written; a role or scope problem PermissionDenied.

Rules kept here:
- one organisation per micro-grid: while it is active, a micro-grid is covered by exactly one
  branch or group ("每个微网格中设立1个党支部或党小组"); a second is refused, a micro-grid
  without one is flagged by `coverage`;
- the 网格长 is the head of the micro-grid's organisation ("'1'即由微网格党组织负责人兼任网格长"):
  with CIVICGRID_PARTY_HEAD_RULE = "refuse" a 网格长 post for anyone else (grids.services calls
  `check_leader_post` through its post-check hook) and a secretary who is not the sitting 网格长
  are refused; with "flag" both are allowed and `coverage` lists the mismatch;
- "三会一课" completion: each standard period (quarter for 支部党员大会 and 党课, month for 支委会
  and 党小组会) since the organisation started counts as met when at least one meeting of that
  kind was held in it (`life_completion`).

Read functions for the notices and the bulletin: `star_roll(year)`, `coverage(scope)`,
`life_completion(year)`, `public_points()`, `tile(scope)`.
"""

import datetime
import functools
from collections import defaultdict
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Case, Count, IntegerField, Q, When
from django.db.models.functions import ExtractMonth, ExtractQuarter
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from civicgrid.accounts.policy import PARTY_EDIT_ROLES, PARTY_VIEW_ROLES
from civicgrid.core.masking import mask_phone, normalize_phone
from civicgrid.core.text import field_text as _text
from civicgrid.grids.choices import GridLevel, PostRole
from civicgrid.grids.models import Grid, GridPost, StaffMember
from civicgrid.grids.scoping import visible_grids, visible_micro_grids
from civicgrid.party.choices import (
    LIFE_PER_YEAR,
    MICRO_GRID_LEVELS,
    OWED_BY_LEVEL,
    PARENT_LEVELS,
    AssignmentKind,
    LifeKind,
    OrgLevel,
    PointKind,
    PointTier,
    Sector,
    Venue,
    WorkStatus,
)
from civicgrid.party.models import (
    Assignment,
    CoBuilding,
    LifeMeeting,
    Member,
    MemberPhoneAccess,
    Organisation,
    PartyEvent,
    ServicePoint,
    StarRating,
)
from civicgrid.registry.models import Resident

# A bulk registration larger than this is a file to split, not one request.
MAX_MEMBERS_AT_ONCE = 5000
# Service points lie in or near Shanghai (the map's 15-minute circles are drawn around them).
LAT_RANGE = (30.6, 31.9)
LNG_RANGE = (120.8, 122.2)
# "15分钟党群服务圈": a quarter of an hour on foot, about a kilometre.
WALK_RADIUS_METRES = 1000


# --- checks ----------------------------------------------------------------------------------


def may_view(user) -> bool:
    return user is not None and user.is_authenticated and user.effective_role in PARTY_VIEW_ROLES


def may_edit(user) -> bool:
    return user is not None and user.is_authenticated and user.effective_role in PARTY_EDIT_ROLES


def _area_grid_ids(user):
    """The ids of the grids whose party rows lie in `user`'s area, or None for every grid. The
    whole street's desk: anything; a 居委: its 居村 and what is below it (never the street's or
    a 片区's organisations)."""
    if user is None or user.sees_whole_street:
        return None
    micro = visible_micro_grids(user)
    if micro is None:
        return None
    below = visible_grids(user).exclude(
        level__in=[GridLevel.STREET, GridLevel.AREA, GridLevel.COMMUNITY]
    )
    return set(below.values_list("pk", flat=True)) | set(micro.values_list("parent_id", flat=True))


def _editable_grid(user, grid: Grid | None) -> bool:
    """May `user` keep what hangs off `grid`, as far as the area goes (_area_grid_ids)?"""
    ids = _area_grid_ids(user)
    return ids is None or (grid is not None and grid.pk in ids)


def may_change(user, grid: Grid | None) -> bool:
    """Whether `user` may change the party rows of `grid` (an organisation's grid, a point's):
    the role (may_edit) and the area (_editable_grid) — what every do_* checks. The pages offer
    an edit only where this holds: 居委 staff see the street's organisations above theirs (the
    tree), and were offered edits that the save then refused."""
    return user is None or (may_edit(user) and _editable_grid(user, grid))


def changeable_grids(user):
    """may_change for many rows at once: the ids of the grids whose party rows `user` may
    change (a set; empty for a role that may not edit), or None for every grid."""
    if user is not None and not may_edit(user):
        return set()
    return _area_grid_ids(user)


def _check_edit(user, grid: Grid | None):
    if user is None:
        return
    if not may_edit(user):
        raise PermissionDenied(_("您的角色无权维护党组织信息"))
    if not _editable_grid(user, grid):
        raise PermissionDenied(_("该党组织不在您的管辖范围内"))


def scope_organisations(queryset, user):
    """Organisations of the grids the user may see (and their ancestors, to show the tree)."""
    if user is None or user.sees_whole_street:
        return queryset
    if not may_view(user):
        return queryset.none()
    return queryset.filter(grid__in=visible_grids(user))


def scope_members(queryset, user):
    """Members held by organisations of the 居村 and micro-grids the user may see; the street's
    and a 片区's organisations' members only for the whole street's roles."""
    if user is None or user.sees_whole_street:
        return queryset
    if not may_view(user):
        return queryset.none()
    return queryset.filter(
        organisation__grid__in=visible_grids(user),
        organisation__grid__level__in=[
            GridLevel.COMMUNITY,
            GridLevel.MICRO_GRID,
            GridLevel.BUILDING_GROUP,
        ],
    )


def _event(action, user, organisation=None, obj=None, **detail):
    return PartyEvent.objects.create(
        kind=action,
        organisation=organisation,
        object_id=getattr(obj, "pk", None),
        user=user,
        detail=detail,
    )


def _date(value, field, label, errors, *, required=True):
    if value in (None, ""):
        if required:
            errors[field] = _("请填写%(label)s") % {"label": label}
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError:
        errors[field] = _("%(label)s格式不正确（应为 YYYY-MM-DD）") % {"label": label}
        return None


def _int(value, field, label, errors, low, high, *, required=True):
    if value in (None, ""):
        if required:
            errors[field] = _("请填写%(label)s") % {"label": label}
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        errors[field] = _("%(label)s必须是整数") % {"label": label}
        return None
    if not low <= number <= high:
        errors[field] = _("%(label)s应在 %(low)d 到 %(high)d 之间") % {
            "label": label,
            "low": low,
            "high": high,
        }
        return None
    return number


_CHOICE_VALUES: dict = {}


def _choice(value, choices, field, label, errors):
    # TextChoices.values builds a new list on each call; bulk services check thousands of rows.
    values = _CHOICE_VALUES.get(choices)
    if values is None:
        values = _CHOICE_VALUES[choices] = frozenset(choices.values)
    if value not in values:
        errors[field] = _("请选择有效的%(label)s") % {"label": label}
        return None
    return value


def _active_q(on: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}started_on__lte": on}) & (
        Q(**{f"{prefix}ended_on__isnull": True}) | Q(**{f"{prefix}ended_on__gte": on})
    )


def _overlapping(qs, start, end):
    qs = qs.filter(Q(ended_on__isnull=True) | Q(ended_on__gte=start))
    if end is not None:
        qs = qs.filter(started_on__lte=end)
    return qs


def head_rule() -> str:
    return "refuse" if settings.CIVICGRID_PARTY_HEAD_RULE == "refuse" else "flag"


def _leader_on(micro_grid_id, on) -> GridPost | None:
    return (
        GridPost.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on),
            micro_grid_id=micro_grid_id,
            role=PostRole.LEADER,
            start_date__lte=on,
        )
        .select_related("staff")
        .first()
    )


def check_leader_post(staff, micro_grid, role, start_date, end_date):
    """grids.services' post check: under the "refuse" rule a 网格长 must be the head of the
    micro-grid's active party organisation (when it has one with a head on the staff rolls)."""
    if role != PostRole.LEADER or micro_grid is None or head_rule() != "refuse":
        return
    org = (
        _overlapping(Organisation.objects.filter(grid=micro_grid), start_date, end_date)
        .select_related("secretary")
        .first()
    )
    if org is None or org.secretary is None or org.secretary.staff_id is None:
        return
    if org.secretary.staff_id != getattr(staff, "pk", None):
        raise ValidationError(
            {
                "staff": _("网格长由微网格党组织负责人兼任：“%(org)s”的负责人是 %(name)s")
                % {"org": org.short_name, "name": org.secretary.name}
            }
        )


# --- organisations ---------------------------------------------------------------------------


ORG_FIELDS = ("name", "short_name", "level", "sector", "parent", "grid", "started_on", "ended_on")


def _clean_organisation(data: dict, instance: Organisation | None) -> dict:
    errors: dict = {}
    out = {
        "name": _text(data.get("name"), "name", _("全称"), 120, required=True, errors=errors),
        "short_name": _text(
            data.get("short_name"), "short_name", _("简称"), 60, required=True, errors=errors
        ),
        "note": _text(data.get("note"), "note", _("备注"), 200, errors=errors),
        "level": _choice(data.get("level"), OrgLevel, "level", _("层级"), errors),
        "sector": _choice(data.get("sector"), Sector, "sector", _("领域"), errors),
        "started_on": _date(data.get("started_on"), "started_on", _("成立日期"), errors),
        "ended_on": _date(data.get("ended_on"), "ended_on", _("撤销日期"), errors, required=False),
    }
    parent = data.get("parent")
    if parent is not None and not isinstance(parent, Organisation):
        parent = Organisation.objects.filter(pk=parent).first() if str(parent).isdigit() else None
        if parent is None:
            errors["parent"] = _("上级党组织不存在")
    grid = data.get("grid")
    if grid is not None and not isinstance(grid, Grid):
        grid = Grid.objects.filter(pk=grid).first() if str(grid).isdigit() else None
        if grid is None:
            errors["grid"] = _("覆盖网格不存在")
    out["parent"], out["grid"] = parent, grid
    level = out["level"]
    if level and level != OrgLevel.COMMITTEE and parent is None and "parent" not in errors:
        errors["parent"] = _("除党委外，党组织须有上级党组织")
    if level and parent is not None and parent.level not in PARENT_LEVELS[level]:
        errors["parent"] = _("%(level)s不能设在%(parent)s之下") % {
            "level": OrgLevel(level).label,
            "parent": parent.get_level_display(),
        }
    if parent is not None and instance is not None:
        node = parent
        while node is not None:
            if node.pk == instance.pk:
                errors["parent"] = _("上级党组织不能是本组织或其下级")
                break
            node = node.parent
    if parent is not None and parent.ended_on is not None and "parent" not in errors:
        errors["parent"] = _("上级党组织已撤销")
    if (
        grid is not None
        and level
        and grid.level == GridLevel.MICRO_GRID
        and level not in MICRO_GRID_LEVELS
    ):
        errors["level"] = _("微网格设党支部或党小组")
    if out["started_on"] and out["ended_on"] and out["ended_on"] < out["started_on"]:
        errors["ended_on"] = _("撤销日期不能早于成立日期")
    if errors:
        raise ValidationError(errors)
    return out


def _check_one_per_micro_grid(grid, started_on, ended_on, exclude_pk=None):
    if grid is None or grid.level != GridLevel.MICRO_GRID:
        return
    others = _overlapping(Organisation.objects.filter(grid=grid), started_on, ended_on)
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    other = others.first()
    if other is not None:
        raise ValidationError(
            {
                "grid": _("微网格“%(grid)s”在该期间已有党组织“%(org)s”，每个微网格只设一个党组织")
                % {"grid": grid.display_name, "org": other.short_name}
            }
        )


def do_save_organisation(data: dict, user=None, organisation: Organisation | None = None):
    """Create an organisation, or change one (`organisation`). Returns the organisation."""
    clean = _clean_organisation(data, organisation)
    _check_edit(user, clean["grid"])
    with transaction.atomic():
        if clean["grid"] is not None:
            # Serialise organisations of one grid so two cannot slip into one micro-grid.
            Grid.objects.select_for_update(of=("self",)).filter(pk=clean["grid"].pk).first()
        if organisation is not None:
            organisation = Organisation.objects.select_for_update(of=("self",)).get(
                pk=organisation.pk
            )
            _check_edit(user, organisation.grid)
        _check_one_per_micro_grid(
            clean["grid"],
            clean["started_on"],
            clean["ended_on"],
            exclude_pk=organisation.pk if organisation else None,
        )
        created = organisation is None
        if created:
            organisation = Organisation(**clean)
        else:
            for key, value in clean.items():
                setattr(organisation, key, value)
        organisation.save()
        _event(
            "create" if created else "update",
            user,
            organisation,
            organisation,
            name=organisation.name,
            grid=organisation.grid_id,
        )
    return organisation


def do_keep_organisation(data: dict, user=None, organisation: Organisation | None = None):
    """The staff's organisation form in one transaction: the particulars (do_save_organisation)
    and, when `data` names one ("secretary": a Member, its id, or None to clear), the head
    (do_set_secretary, the 网格长 rule included). A refused head saves nothing."""
    with transaction.atomic():
        organisation = do_save_organisation(data, user, organisation)
        if "secretary" in data:
            member = data.get("secretary")
            if member is not None and not isinstance(member, Member):
                found = Member.objects.filter(pk=member).first() if str(member).isdigit() else None
                if found is None:
                    raise ValidationError({"secretary": _("所选党员不存在")})
                member = found
            if member is not None or organisation.secretary_id is not None:
                if getattr(member, "pk", None) != organisation.secretary_id:
                    organisation = do_set_secretary(organisation, member, user)
    return organisation


def do_save_organisations_many(rows: list[dict], user=None) -> list[Organisation]:
    """Many new organisations at once (a street's tree, the demo's): each row checked as
    do_save_organisation checks it, the one-organisation rule across the batch and against the
    database, one bad row refuses them all; one PartyEvent records the batch. Parents must
    already be saved (build a tree level by level)."""
    clean = []
    errors: dict = {}
    for index, row in enumerate(rows):
        try:
            clean.append(_clean_organisation(row, None))
        except ValidationError as error:
            errors = {
                k: _("第 %(n)d 行：%(m)s") % {"n": index + 1, "m": v[0]}
                for k, v in error.message_dict.items()
            }
            break
    if errors:
        raise ValidationError(errors)
    for row in clean:
        _check_edit(user, row["grid"])
    with transaction.atomic():
        micro = [
            r for r in clean if r["grid"] is not None and r["grid"].level == GridLevel.MICRO_GRID
        ]
        ids = [r["grid"].pk for r in micro]
        list(
            Grid.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .values_list("pk", flat=True)
        )
        taken = defaultdict(list)
        for grid_id, started, ended in Organisation.objects.filter(grid_id__in=ids).values_list(
            "grid_id", "started_on", "ended_on"
        ):
            taken[grid_id].append((started, ended))
        for row in micro:
            for started, ended in taken[row["grid"].pk]:
                if (ended is None or ended >= row["started_on"]) and (
                    row["ended_on"] is None or started <= row["ended_on"]
                ):
                    raise ValidationError(
                        {
                            "grid": _(
                                "微网格“%(grid)s”在该期间已有党组织，每个微网格只设一个党组织"
                            )
                            % {"grid": row["grid"].name}
                        }
                    )
            taken[row["grid"].pk].append((row["started_on"], row["ended_on"]))
        organisations = Organisation.objects.bulk_create([Organisation(**row) for row in clean])
        _event("create_many", user, None, None, count=len(organisations))
    return organisations


def do_set_secretaries_many(pairs: list[tuple[Organisation, "Member"]], user=None) -> int:
    """Heads of many organisations at once: each (organisation, member) checked as
    do_set_secretary checks it (the member is the organisation's or its parent's; the head rule
    against the sitting 网格长 when it refuses)."""
    refuse = head_rule() == "refuse"
    today = timezone.localdate()
    leaders = {}
    if refuse:
        micro_ids = [o.grid_id for o, _m in pairs if o.grid_id]
        leaders = dict(
            GridPost.objects.filter(
                Q(end_date__isnull=True) | Q(end_date__gte=today),
                micro_grid_id__in=micro_ids,
                role=PostRole.LEADER,
                start_date__lte=today,
            ).values_list("micro_grid_id", "staff_id")
        )
    for org, member in pairs:
        _check_edit(user, org.grid)
        if member.organisation_id not in (org.pk, org.parent_id):
            raise ValidationError({"secretary": _("负责人须是本组织（或上级组织）的党员")})
        leader = leaders.get(org.grid_id)
        if refuse and leader is not None and leader != member.staff_id:
            raise ValidationError({"secretary": _("微网格党组织负责人兼任网格长")})
    with transaction.atomic():
        for org, member in pairs:
            org.secretary = member
        Organisation.objects.bulk_update([o for o, _m in pairs], ["secretary"], batch_size=500)
        _event("secretary_many", user, None, None, count=len(pairs))
    return len(pairs)


def do_close_organisation(organisation: Organisation, ended_on, user=None, reason: str = ""):
    """撤销: the organisation ends on `ended_on` (its micro-grid is then uncovered)."""
    errors: dict = {}
    ended_on = _date(ended_on, "ended_on", _("撤销日期"), errors)
    reason = _text(reason, "reason", _("撤销原因"), 200, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update(of=("self",)).get(pk=organisation.pk)
        _check_edit(user, organisation.grid)
        if organisation.ended_on is not None:
            raise ValidationError({"ended_on": _("该党组织已撤销")})
        if ended_on < organisation.started_on:
            raise ValidationError({"ended_on": _("撤销日期不能早于成立日期")})
        if organisation.children.filter(ended_on__isnull=True).exists():
            raise ValidationError({"ended_on": _("请先撤销或调整其下级党组织")})
        organisation.ended_on = ended_on
        organisation.save(update_fields=["ended_on"])
        _event("close", user, organisation, organisation, ended_on=str(ended_on), reason=reason)
    return organisation


def do_set_secretary(organisation: Organisation, member: Member | None, user=None):
    """书记（组长）: a member of this organisation (or of its parent, for a 党小组). Under the
    "refuse" head rule a micro-grid organisation's head must be the sitting 网格长."""
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update(of=("self",)).get(pk=organisation.pk)
        _check_edit(user, organisation.grid)
        if member is not None:
            if member.organisation_id not in (organisation.pk, organisation.parent_id):
                raise ValidationError({"secretary": _("负责人须是本组织（或上级组织）的党员")})
            if not member.is_active:
                raise ValidationError({"secretary": _("该党员已不在册")})
            grid = organisation.grid
            if head_rule() == "refuse" and grid is not None and grid.level == GridLevel.MICRO_GRID:
                leader = _leader_on(grid.pk, timezone.localdate())
                if leader is not None and leader.staff_id != member.staff_id:
                    raise ValidationError(
                        {
                            "secretary": _("微网格党组织负责人兼任网格长：现任网格长是 %(name)s")
                            % {"name": leader.staff.name}
                        }
                    )
        organisation.secretary = member
        organisation.save(update_fields=["secretary"])
        _event("secretary", user, organisation, member, member=member.pk if member else None)
    return organisation


# --- members ---------------------------------------------------------------------------------


def _clean_member(row: dict, index: int | None, cache: dict) -> dict:
    errors: dict = {}
    out = {
        "name": _text(row.get("name"), "name", _lazy("姓名"), 50, required=True, errors=errors),
        "work_unit": _text(
            row.get("work_unit"), "work_unit", _lazy("工作单位"), 100, errors=errors
        ),
    }
    phone = normalize_phone(_text(row.get("phone"), "phone", _lazy("手机号"), 32, errors=errors))
    if phone and not (len(phone) == 11 and phone.startswith("1")):
        errors["phone"] = _("手机号应为11位数字")
    out["phone"] = phone
    out["work_status"] = _choice(
        row.get("work_status") or WorkStatus.IN_WORK,
        WorkStatus,
        "work_status",
        _lazy("在职状态"),
        errors,
    )
    community = row.get("dual_report_community")
    if community is not None and not isinstance(community, Grid):
        community = cache["communities"].get(int(community)) if str(community).isdigit() else None
        if community is None:
            errors["dual_report_community"] = _("双报到居村不存在")
    if isinstance(community, Grid) and community.level != GridLevel.COMMUNITY:
        errors["dual_report_community"] = _("双报到须报到到居村")
    out["dual_report_community"] = community
    out["dual_report_on"] = _date(
        row.get("dual_report_on"), "dual_report_on", _lazy("双报到日期"), errors, required=False
    )
    if (out["dual_report_community"] is None) != (out["dual_report_on"] is None):
        errors.setdefault("dual_report_on", _("双报到须同时填写居村和日期"))
    if out["dual_report_on"] and out["dual_report_on"] > timezone.localdate():
        errors["dual_report_on"] = _("双报到日期不能晚于今天")
    for key, model in (("resident", Resident), ("staff", StaffMember)):
        value = row.get(key)
        if value is not None and not isinstance(value, model):
            value = cache[key].get(int(value)) if str(value).isdigit() else None
            if value is None:
                errors[key] = _("关联的人员不存在")
        out[key] = value
    if errors:
        if index is not None:
            errors = {
                k: _("第 %(n)d 行：%(m)s") % {"n": index + 1, "m": v} for k, v in errors.items()
            }
        raise ValidationError(errors)
    return out


def do_register_members_many(organisation: Organisation, rows: list[dict], user=None) -> list:
    """Register many members of one organisation at once (a roll from the organisation
    department): every row is checked first, and one bad row refuses them all. One PartyEvent
    records the batch."""
    return _register_members(rows, user, organisation)


def do_register_members_bulk(rows: list[tuple[Organisation, dict]], user=None) -> list:
    """Members of several organisations at once (the demo's ~3,000 双报到 members): the same
    checks, one transaction, one PartyEvent."""
    return _register_members([row for _o, row in rows], user, None, [o for o, _r in rows])


def _register_members(rows, user, organisation, organisations=None) -> list:
    if not isinstance(rows, list) or not rows:
        raise ValidationError({"rows": _("没有要登记的党员")})
    if len(rows) > MAX_MEMBERS_AT_ONCE:
        raise ValidationError({"rows": _("一次最多登记 %(n)d 名党员") % {"n": MAX_MEMBERS_AT_ONCE}})
    orgs = organisations or [organisation] * len(rows)
    for org in {o.pk: o for o in orgs}.values():
        _check_edit(user, org.grid)

    # Every row's linked grid, resident and staff record read at once (the demo's 3,000 rows
    # must not cost 3,000 queries).
    def wanted(key):
        return {
            int(r[key])
            for r in rows
            if isinstance(r, dict) and r.get(key) is not None and str(r[key]).isdigit()
        }

    cache = {
        "communities": {
            g.pk: g for g in Grid.objects.filter(level=GridLevel.COMMUNITY).only("pk", "level")
        },
        "resident": Resident.objects.only("pk").in_bulk(wanted("resident")),
        "staff": StaffMember.objects.only("pk").in_bulk(wanted("staff")),
    }
    clean = [_clean_member(row, i if len(rows) > 1 else None, cache) for i, row in enumerate(rows)]
    with transaction.atomic():
        ids = {o.pk for o in orgs}
        locked = list(Organisation.objects.select_for_update(of=("self",)).filter(pk__in=ids))
        if len(locked) != len(ids):
            raise ValidationError({"organisation": _("党组织不存在")})
        if any(o.ended_on is not None for o in locked):
            raise ValidationError({"organisation": _("该党组织已撤销，不能登记党员")})
        members = Member.objects.bulk_create(
            [Member(organisation=org, **row) for org, row in zip(orgs, clean, strict=True)],
            batch_size=1000,
        )
        _event("members", user, organisation, None, count=len(members))
    return members


def do_register_member(organisation: Organisation, row: dict, user=None) -> Member:
    return do_register_members_many(organisation, [row], user)[0]


def do_update_member(member: Member, data: dict, user=None) -> Member:
    """Change a member's particulars: name, work status and unit, 双报到 居村 and date, 在册. The
    phone is changed only when a new one is given (the form never shows the full number)."""
    cache = {
        "communities": {
            g.pk: g for g in Grid.objects.filter(level=GridLevel.COMMUNITY).only("pk", "level")
        },
        "resident": {},
        "staff": {},
    }
    row = {key: data.get(key) for key in data if key not in ("resident", "staff", "organisation")}
    row.setdefault("name", member.name)
    clean = _clean_member(row, None, cache)
    if not clean["phone"]:
        clean.pop("phone")
    for key in ("resident", "staff"):
        clean.pop(key)
    is_active = data.get("is_active", member.is_active)
    if isinstance(is_active, str):
        is_active = is_active.lower() in ("1", "true", "on", "yes")
    with transaction.atomic():
        member = (
            Member.objects.select_for_update(of=("self",))
            .select_related("organisation__grid")
            .get(pk=member.pk)
        )
        _check_edit(user, member.organisation.grid)
        if not is_active and member.heads.exists():
            raise ValidationError({"is_active": _("该党员是党组织负责人，请先更换负责人")})
        for key, value in clean.items():
            setattr(member, key, value)
        member.is_active = bool(is_active)
        member.save()
        _event("member_update", user, member.organisation, member, member=member.pk)
    return member


def do_assign(member: Member, data: dict, user=None) -> Assignment:
    """A member's post: a grid post, a pioneer squad, a liaison to a 居委 or a 业委会."""
    errors: dict = {}
    kind = _choice(data.get("kind"), AssignmentKind, "kind", _("岗位类别"), errors)
    detail = _text(data.get("detail"), "detail", _("说明"), 100, errors=errors)
    started_on = _date(data.get("started_on"), "started_on", _("起始日期"), errors)
    grid = data.get("grid")
    if grid is not None and not isinstance(grid, Grid):
        grid = Grid.objects.filter(pk=grid).first() if str(grid).isdigit() else None
        if grid is None:
            errors["grid"] = _("网格不存在")
    if kind in (AssignmentKind.GRID_POST, AssignmentKind.COMMUNITY_LIAISON) and grid is None:
        errors.setdefault("grid", _("请选择网格或居村"))
    if kind == AssignmentKind.OWNERS_LIAISON and not detail:
        errors["detail"] = _("请填写所联络的业委会")
    if errors:
        raise ValidationError(errors)
    _check_edit(user, member.organisation.grid)
    with transaction.atomic():
        member = Member.objects.select_for_update(of=("self",)).get(pk=member.pk)
        if not member.is_active:
            raise ValidationError({"member": _("该党员已不在册")})
        assignment = Assignment.objects.create(
            member=member, kind=kind, grid=grid, detail=detail, started_on=started_on
        )
        _event("assign", user, member.organisation, assignment, kind=kind, member=member.pk)
    return assignment


def do_end_assignment(assignment: Assignment, data: dict, user=None) -> Assignment:
    """End a member's post (卸任): the last day and why. The row stays, shown as a past post;
    an ended post is not ended again (a wrong date is a new post, not a rewrite)."""
    # The role and scope first: a reader is refused whatever the body says.
    _check_edit(user, assignment.member.organisation.grid)
    errors: dict = {}
    ended_on = _date(data.get("ended_on"), "ended_on", _("结束日期"), errors)
    reason = _text(data.get("reason"), "reason", _("结束原因"), 200, required=True, errors=errors)
    if ended_on and ended_on > timezone.localdate():
        errors["ended_on"] = _("结束日期不能晚于今天")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("member__organisation__grid")
            .get(pk=assignment.pk)
        )
        member = assignment.member
        if assignment.ended_on is not None:
            raise ValidationError(
                {
                    "ended_on": _("该岗位已于 %(day)s 结束")
                    % {"day": assignment.ended_on.isoformat()}
                }
            )
        if ended_on < assignment.started_on:
            raise ValidationError({"ended_on": _("结束日期不能早于起始日期")})
        assignment.ended_on = ended_on
        assignment.end_reason = reason
        assignment.save(update_fields=["ended_on", "end_reason"])
        _event(
            "assignment_end",
            user,
            member.organisation,
            assignment,
            member=member.pk,
            kind=assignment.kind,
            ended_on=ended_on.isoformat(),
            reason=reason,
        )
    return assignment


def do_assign_many(rows: list[tuple[Member, dict]], user=None) -> list[Assignment]:
    """Many assignments at once (the demo's pioneer squads and grid posts): each row checked as
    do_assign checks it, one transaction, one PartyEvent."""
    if user is not None:
        for member in {m.pk: m for m, _d in rows}.values():
            _check_edit(user, member.organisation.grid)
    out = []
    for member, data in rows:
        errors: dict = {}
        kind = _choice(data.get("kind"), AssignmentKind, "kind", _lazy("岗位类别"), errors)
        detail = _text(data.get("detail"), "detail", _lazy("说明"), 100, errors=errors)
        started_on = _date(data.get("started_on"), "started_on", _lazy("起始日期"), errors)
        grid = data.get("grid")
        if kind in (AssignmentKind.GRID_POST, AssignmentKind.COMMUNITY_LIAISON) and grid is None:
            errors["grid"] = _("请选择网格或居村")
        if errors:
            raise ValidationError(errors)
        out.append(
            Assignment(member=member, kind=kind, grid=grid, detail=detail, started_on=started_on)
        )
    with transaction.atomic():
        created = Assignment.objects.bulk_create(out, batch_size=1000)
        _event("assign_many", user, None, None, count=len(created))
    return created


def reveal_member_phone(user, member: Member) -> str:
    """A member's full phone, for roles that may see full personal data; each view logged."""
    if user is None or not user.may_view_full_pii or not may_view(user):
        raise PermissionDenied(_("您的角色无权查看完整手机号"))
    if not scope_members(Member.objects, user).filter(pk=member.pk).exists():
        raise PermissionDenied(_("该党员不在您的管辖范围内"))
    MemberPhoneAccess.objects.create(user=user, member=member)
    return member.phone


def masked_phone(member: Member) -> str:
    return mask_phone(member.phone)


# --- star ratings ----------------------------------------------------------------------------


def _clean_rating(data: dict) -> dict:
    errors: dict = {}
    today = timezone.localdate()
    year = _int(data.get("year"), "year", _("年度"), errors, 2000, today.year)
    stars = _int(data.get("stars"), "stars", _("星级"), errors, 1, 5)
    awarded_by = _text(
        data.get("awarded_by"), "awarded_by", _("评定机关"), 100, required=True, errors=errors
    )
    criteria = _text(data.get("criteria"), "criteria", _("评定标准"), 2000, errors=errors)
    awarded_on = _date(data.get("awarded_on"), "awarded_on", _("评定日期"), errors)
    score = data.get("score")
    if score in ("", None):
        score = None
    else:
        try:
            score = round(float(score), 1)
        except (TypeError, ValueError):
            errors["score"] = _("得分必须是数字")
        else:
            if not 0 <= score <= 1000:
                errors["score"] = _("得分应在 0 到 1000 之间")
    if awarded_on and year and awarded_on.year < year:
        errors["awarded_on"] = _("评定日期不能早于评定年度")
    if awarded_on and awarded_on > today:
        errors["awarded_on"] = _("评定日期不能晚于今天")
    if errors:
        raise ValidationError(errors)
    return {
        "year": year,
        "stars": stars,
        "awarded_by": awarded_by,
        "score": None if score is None else Decimal(str(score)),
        "criteria": criteria,
        "awarded_on": awarded_on,
    }


def _year_taken(organisation: Organisation, year: int, exclude_pk=None):
    taken = StarRating.objects.filter(organisation=organisation, year=year)
    if exclude_pk is not None:
        taken = taken.exclude(pk=exclude_pk)
    if taken.exists():
        raise ValidationError(
            {
                "year": _("%(org)s %(year)d 年度已有星级评定")
                % {"org": organisation.short_name, "year": year}
            }
        )


def do_rate(organisation: Organisation, data: dict, user=None) -> StarRating:
    """星级评定 of one organisation for one year (one rating a year)."""
    _check_edit(user, organisation.grid)
    clean = _clean_rating(data)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update(of=("self",)).get(pk=organisation.pk)
        _year_taken(organisation, clean["year"])
        rating = StarRating.objects.create(organisation=organisation, **clean)
        _event("rate", user, organisation, rating, year=clean["year"], stars=clean["stars"])
    return rating


def _shown(value):
    # PartyEvent.detail is JSON: dates and decimals as text, as the form shows them.
    return value if value is None or isinstance(value, int | str) else str(value)


def do_edit_rating(rating: StarRating, data: dict, user=None) -> StarRating:
    """Correct a star rating: year, stars, awarding body, score, criteria, date (the organisation
    stays: another organisation is another rating). One rating a year still holds; the
    PartyEvent keeps every changed field as old → new, so a corrected honour roll can be
    traced."""
    # The role and scope first: a reader is refused whatever the body says.
    _check_edit(user, rating.organisation.grid)
    clean = _clean_rating(data)
    with transaction.atomic():
        rating = (
            StarRating.objects.select_for_update(of=("self",))
            .select_related("organisation__grid")
            .get(pk=rating.pk)
        )
        if clean["year"] != rating.year:
            _year_taken(rating.organisation, clean["year"], exclude_pk=rating.pk)
        changed = {
            key: [_shown(getattr(rating, key)), _shown(value)]
            for key, value in clean.items()
            if getattr(rating, key) != value
        }
        if not changed:
            return rating
        for key, value in clean.items():
            setattr(rating, key, value)
        rating.save()
        _event("rate_update", user, rating.organisation, rating, changed=changed)
    return rating


def star_roll(year: int, min_stars: int = 5) -> list[dict]:
    """The honour roll (光荣榜) of a year: organisations rated at least `min_stars`, by stars then
    name — full official names, as the roll prints them."""
    rows = (
        StarRating.objects.filter(year=year, stars__gte=min_stars)
        .select_related("organisation")
        .order_by("-stars", "organisation__name")
    )
    return [
        {
            "organisation_id": r.organisation_id,
            "name": r.organisation.name,
            "short_name": r.organisation.short_name,
            "stars": r.stars,
            "awarded_by": r.awarded_by,
            "year": r.year,
        }
        for r in rows
    ]


# --- organisational life ---------------------------------------------------------------------


def _owed(level) -> tuple:
    return OWED_BY_LEVEL.get(level, ())


def do_record_life(organisation: Organisation, data: dict, user=None) -> LifeMeeting:
    """组织生活: one meeting held (三会一课, 主题党日), with attendance and venue; a video branch
    venue names its main session."""
    _check_edit(user, organisation.grid)
    errors: dict = {}
    kind = _choice(data.get("kind"), LifeKind, "kind", _("类别"), errors)
    held_on = _date(data.get("held_on"), "held_on", _("日期"), errors)
    topic = _text(data.get("topic"), "topic", _("主题"), 120, required=True, errors=errors)
    expected = _int(data.get("expected"), "expected", _("应到人数"), errors, 1, 10000)
    attended = _int(data.get("attended"), "attended", _("实到人数"), errors, 0, 10000)
    venue = _choice(data.get("venue") or Venue.MAIN, Venue, "venue", _("会场"), errors)
    if expected is not None and attended is not None and attended > expected:
        errors["attended"] = _("实到人数不能多于应到人数")
    if held_on and held_on > timezone.localdate():
        errors["held_on"] = _("不能登记尚未召开的组织生活")
    if held_on and held_on < organisation.started_on:
        errors["held_on"] = _("日期早于党组织成立日期")
    if held_on and organisation.ended_on and held_on > organisation.ended_on:
        errors["held_on"] = _("日期晚于党组织撤销日期")
    if kind and kind != LifeKind.THEME_DAY and kind not in _owed(organisation.level):
        errors["kind"] = _("%(level)s不召开%(kind)s") % {
            "level": organisation.get_level_display(),
            "kind": LifeKind(kind).label,
        }
    main = data.get("main_session")
    if main is not None and not isinstance(main, LifeMeeting):
        main = LifeMeeting.objects.filter(pk=main).first() if str(main).isdigit() else None
        if main is None:
            errors["main_session"] = _("主会场记录不存在")
    if venue == Venue.REMOTE and main is None:
        errors.setdefault("main_session", _("视频分会场须选择主会场"))
    if venue == Venue.MAIN and main is not None:
        errors["main_session"] = _("主会场不能再关联主会场")
    if isinstance(main, LifeMeeting) and held_on and main.held_on != held_on:
        errors["main_session"] = _("分会场与主会场须同日召开")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update(of=("self",)).get(pk=organisation.pk)
        meeting = LifeMeeting.objects.create(
            organisation=organisation,
            kind=kind,
            held_on=held_on,
            topic=topic,
            expected=expected,
            attended=attended,
            venue=venue,
            main_session=main,
            recorded_by=user,
        )
        _event("life", user, organisation, meeting, kind=kind, held_on=str(held_on))
    return meeting


def do_record_life_many(rows: list[tuple[Organisation, dict]]) -> int:
    """The demo's year of meetings: trusted rows, each checked as do_record_life checks it (no
    remote venues), written in one transaction with one event."""
    meetings = []
    for organisation, data in rows:
        errors: dict = {}
        kind = _choice(data.get("kind"), LifeKind, "kind", _lazy("类别"), errors)
        if kind and kind != LifeKind.THEME_DAY and kind not in _owed(organisation.level):
            errors["kind"] = _("该层级不召开此类组织生活")
        held_on = data["held_on"]
        if held_on > timezone.localdate() or held_on < organisation.started_on:
            errors["held_on"] = _("日期不在党组织存续期内")
        if data["attended"] > data["expected"] or data["expected"] < 1:
            errors["attended"] = _("实到人数不能多于应到人数")
        if errors:
            raise ValidationError(errors)
        meetings.append(
            LifeMeeting(
                organisation=organisation,
                kind=kind,
                held_on=held_on,
                topic=data["topic"],
                expected=data["expected"],
                attended=data["attended"],
                venue=Venue.MAIN,
            )
        )
    with transaction.atomic():
        LifeMeeting.objects.bulk_create(meetings, batch_size=2000)
        _event("life_many", None, None, None, count=len(meetings))
    return len(meetings)


@functools.lru_cache(maxsize=4096)
def _periods(kind, year: int, start: datetime.date, upto: datetime.date) -> tuple[int, ...]:
    """The standard periods of `kind` in `year` that have begun by `upto` and end on or after the
    organisation's start: months 1–12 for monthly kinds, quarters 1–4 for quarterly ones."""
    monthly = LIFE_PER_YEAR[kind] == 12
    out = []
    for n in range(1, 13 if monthly else 5):
        first_month = n if monthly else 3 * n - 2
        last_month = n if monthly else 3 * n
        begins = datetime.date(year, first_month, 1)
        following = (
            datetime.date(year + 1, 1, 1)
            if last_month == 12
            else datetime.date(year, last_month + 1, 1)
        )
        ends = following - datetime.timedelta(days=1)
        if begins <= upto and ends >= start:
            out.append(n)
    # Cached: most organisations share their start and the day asked about.
    return tuple(out)


def life_completion(
    year: int, organisations=None, upto: datetime.date | None = None, *, instances=True
) -> list[dict]:
    """ "三会一课" completion per organisation for `year`, up to `upto` (default: today, or the
    year's end for a past year): for each kind the organisation owes, the standard periods due
    (quarters or months since it started) and those with at least one meeting held. Two
    queries whatever the number of organisations. Rows: organisation, kinds {kind: (met, due)},
    met, due, percent (None when nothing is due yet)."""
    today = timezone.localdate()
    year_end = datetime.date(year, 12, 31)
    upto = min(upto or today, year_end)
    qs = organisations if organisations is not None else Organisation.objects.all()
    qs = (
        qs.filter(started_on__lte=upto)
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=datetime.date(year, 1, 1)))
        .exclude(level=OrgLevel.COMMITTEE)
        .order_by("grid__code", "name", "id")
    )
    # The dashboard's tile wants figures only: plain rows, no model instances.
    fields = ("pk", "level", "started_on", "ended_on")
    if instances:
        orgs = list(qs.only("name", "short_name", "grid_id", *fields))
        keys = [(o.pk, o.level, o.started_on, o.ended_on) for o in orgs]
    else:
        keys = list(qs.values_list(*fields))
        orgs = [pk for pk, *_rest in keys]
    # Distinct periods with a meeting, per organisation and kind, counted by the database (a
    # meeting is never before its organisation's start, so its period is always a due one).
    monthly = [k for k, n in LIFE_PER_YEAR.items() if n == 12]
    period = Case(
        When(kind__in=monthly, then=ExtractMonth("held_on")),
        default=ExtractQuarter("held_on"),
        output_field=IntegerField(),
    )
    held = {
        (org_id, kind): n
        for org_id, kind, n in LifeMeeting.objects.filter(
            organisation__in=[k[0] for k in keys],
            held_on__gte=datetime.date(year, 1, 1),
            held_on__lte=upto,
        )
        .exclude(kind=LifeKind.THEME_DAY)
        .annotate(period=period)
        .values("organisation_id", "kind")
        .annotate(n=Count("period", distinct=True))
        .values_list("organisation_id", "kind", "n")
    }
    out = []
    for org, (pk, level, started_on, ended_on) in zip(orgs, keys, strict=True):
        end = min(upto, ended_on) if ended_on else upto
        kinds = {}
        for kind in _owed(level):
            due = len(_periods(kind, year, started_on, end))
            kinds[kind] = (min(held.get((pk, kind), 0), due), due)
        met = sum(m for m, _d in kinds.values())
        due = sum(d for _m, d in kinds.values())
        out.append(
            {
                "organisation": org,
                "kinds": kinds,
                "met": met,
                "due": due,
                "percent": round(100 * met / due, 1) if due else None,
            }
        )
    return out


def completion_summary(rows: list[dict]) -> dict:
    """Totals of `life_completion` rows: periods met and due, percent, organisations complete."""
    met = sum(r["met"] for r in rows)
    due = sum(r["due"] for r in rows)
    return {
        "met": met,
        "due": due,
        "percent": round(100 * met / due, 1) if due else None,
        "complete": sum(1 for r in rows if r["due"] and r["met"] == r["due"]),
        "organisations": len(rows),
    }


# --- coverage --------------------------------------------------------------------------------


def coverage(scope=None, on: datetime.date | None = None) -> dict:
    """One organisation per micro-grid: the micro-grids of `scope` (a queryset of micro-grids;
    None: the whole street) with their active organisation, those without one (flagged), and
    those whose 网格长 is not the organisation's head (the flag of the "flag" head rule). A
    fixed number of queries (four) whatever the size of the street."""
    on = on or timezone.localdate()
    micro = Grid.objects.filter(level=GridLevel.MICRO_GRID)
    if scope is not None:
        micro = micro.filter(pk__in=scope.values("pk"))
    grids = list(
        micro.select_related("parent")
        .order_by("code")
        .only("pk", "name", "level", "code", "number", "parent__name", "parent__code", "parent_id")
    )
    ids = [g.pk for g in grids]
    orgs: dict[int, list] = defaultdict(list)
    for org_id, grid_id, short, staff_id in Organisation.objects.filter(
        _active_q(on), grid_id__in=ids
    ).values_list("pk", "grid_id", "short_name", "secretary__staff_id"):
        orgs[grid_id].append((org_id, short, staff_id))
    leaders = dict(
        GridPost.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on),
            micro_grid_id__in=ids,
            role=PostRole.LEADER,
            start_date__lte=on,
        ).values_list("micro_grid_id", "staff_id")
    )
    by_community: dict[int, dict] = {}
    uncovered, doubled, mismatched = [], [], []
    for grid in grids:
        community = by_community.setdefault(
            grid.parent_id,
            {
                "community": grid.parent,
                "micro_grids": 0,
                "covered": 0,
                "uncovered": [],
                "mismatched": 0,
            },
        )
        community["micro_grids"] += 1
        found = orgs.get(grid.pk, [])
        if not found:
            uncovered.append(grid)
            community["uncovered"].append(grid)
            continue
        community["covered"] += 1
        if len(found) > 1:
            doubled.append(grid)
        staff_id = found[0][2]
        leader = leaders.get(grid.pk)
        if leader is not None and staff_id is not None and staff_id != leader:
            mismatched.append(grid)
            community["mismatched"] += 1
    total = len(grids)
    covered = total - len(uncovered)
    return {
        "on": on,
        "micro_grids": total,
        "covered": covered,
        "percent": round(100 * covered / total, 1) if total else None,
        "uncovered": uncovered,
        "doubled": doubled,
        "head_mismatch": mismatched,
        "head_rule": head_rule(),
        "by_community": sorted(by_community.values(), key=lambda r: r["community"].code),
    }


# --- service points --------------------------------------------------------------------------


def _clean_point(data: dict) -> dict:
    errors: dict = {}
    out = {
        "name": _text(data.get("name"), "name", _("名称"), 100, required=True, errors=errors),
        "address": _text(
            data.get("address"), "address", _("地址"), 200, required=True, errors=errors
        ),
        "hours": _text(
            data.get("hours"), "hours", _("开放时间"), 100, required=True, errors=errors
        ),
        "tier": _choice(data.get("tier"), PointTier, "tier", _("层级"), errors),
        "kind": _choice(data.get("kind") or PointKind.CENTRE, PointKind, "kind", _("类型"), errors),
    }
    services = data.get("services") or []
    if isinstance(services, str):
        services = [s for s in services.replace("，", "、").replace(",", "、").split("、")]
    if not isinstance(services, list) or len(services) > 30:
        errors["services"] = _("服务项目最多30项")
        services = []
    out["services"] = [
        _text(s, "services", _("服务项目"), 40, errors=errors) for s in services if str(s).strip()
    ]
    for key, label, (low, high) in (("lat", _("纬度"), LAT_RANGE), ("lng", _("经度"), LNG_RANGE)):
        try:
            value = float(data.get(key))
        except (TypeError, ValueError):
            errors[key] = _("请填写有效的%(label)s") % {"label": label}
            continue
        if not low <= value <= high:
            errors[key] = _("%(label)s不在上海范围内") % {"label": label}
            continue
        out[key] = value
    for key, model in (("organisation", Organisation), ("grid", Grid)):
        value = data.get(key)
        if value is not None and not isinstance(value, model):
            value = model.objects.filter(pk=value).first() if str(value).isdigit() else None
            if value is None:
                errors[key] = _("所选对象不存在")
        out[key] = value
    if "is_active" in data:
        out["is_active"] = bool(data["is_active"])
    if errors:
        raise ValidationError(errors)
    return out


def do_save_service_point(data: dict, user=None, point: ServicePoint | None = None):
    """A service point of the "1+6+62+X" circle, created or changed."""
    clean = _clean_point(data)
    _check_edit(user, clean["grid"])
    with transaction.atomic():
        if point is not None:
            point = ServicePoint.objects.select_for_update(of=("self",)).get(pk=point.pk)
            _check_edit(user, point.grid)
            for key, value in clean.items():
                setattr(point, key, value)
        else:
            point = ServicePoint(**clean)
        created = point.pk is None
        point.save()
        _event(
            "point" if created else "point_update",
            user,
            point.organisation,
            point,
            name=point.name,
        )
    return point


def public_points() -> list[dict]:
    """What the public map shows of each open service point: no person, only the place."""
    rows = ServicePoint.objects.filter(is_active=True).order_by("tier", "name")
    return [
        {
            "id": p.pk,
            "name": p.name,
            "tier": p.tier,
            "tier_label": str(p.get_tier_display()),
            "kind": p.kind,
            "kind_label": str(p.get_kind_display()),
            "address": p.address,
            "hours": p.hours,
            "services": p.services,
            "lat": p.lat,
            "lng": p.lng,
        }
        for p in rows
    ]


# --- co-building -----------------------------------------------------------------------------


def _names(value, field, label, errors, *, required=False) -> list[str]:
    value = value or []
    if isinstance(value, str):
        value = [v for v in value.replace("，", "、").replace(",", "、").split("、")]
    if not isinstance(value, list) or len(value) > 200:
        errors[field] = _("%(label)s最多200项") % {"label": label}
        return []
    out = [_text(v, field, label, 100, errors=errors) for v in value if str(v).strip()]
    if required and not out:
        errors.setdefault(field, _("请填写%(label)s") % {"label": label})
    return out


def _clean_co_building(data: dict):
    errors: dict = {}
    title = _text(data.get("title"), "title", _("协议名称"), 120, required=True, errors=errors)
    partners = _names(data.get("partners"), "partners", _("共建单位"), errors, required=True)
    projects = _names(data.get("projects"), "projects", _("共建项目"), errors)
    group = _text(data.get("working_group"), "working_group", _("专项推进组"), 100, errors=errors)
    signed_on = _date(data.get("signed_on"), "signed_on", _("签约日期"), errors)
    if signed_on and signed_on > timezone.localdate():
        errors["signed_on"] = _("签约日期不能晚于今天")
    if errors:
        raise ValidationError(errors)
    return title, partners, projects, group, signed_on


def do_update_co_building(agreement: CoBuilding, data: dict, user=None) -> CoBuilding:
    """Change an agreement's title, partners, date, working group or projects (the lead
    organisation stays: another lead is another agreement)."""
    title, partners, projects, group, signed_on = _clean_co_building(data)
    with transaction.atomic():
        agreement = (
            CoBuilding.objects.select_for_update(of=("self",))
            .select_related("organisation__grid")
            .get(pk=agreement.pk)
        )
        _check_edit(user, agreement.organisation.grid)
        agreement.title, agreement.partners, agreement.projects = title, partners, projects
        agreement.working_group, agreement.signed_on = group, signed_on
        agreement.save()
        _event(
            "co_building_update",
            user,
            agreement.organisation,
            agreement,
            partners=len(partners),
        )
    return agreement


def do_sign_co_building(organisation: Organisation, data: dict, user=None) -> CoBuilding:
    """党建联建: an agreement between `organisation` and enterprises or units."""
    _check_edit(user, organisation.grid)
    title, partners, projects, group, signed_on = _clean_co_building(data)
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update(of=("self",)).get(pk=organisation.pk)
        if organisation.ended_on is not None:
            raise ValidationError({"organisation": _("该党组织已撤销")})
        agreement = CoBuilding.objects.create(
            title=title,
            organisation=organisation,
            partners=partners,
            signed_on=signed_on,
            working_group=group,
            projects=projects,
        )
        _event("co_building", user, organisation, agreement, partners=len(partners))
    return agreement


# --- the dashboard tile ----------------------------------------------------------------------


def dashboard_tile(micro_ids, first, last, now) -> dict:
    """党建引领 on the dashboard (dashboard.tiles hook): coverage of the micro-grids `micro_ids`
    (None: the street) and "三会一课" completion this year of their organisations and their
    居村's — four queries, whatever the size of the street."""
    on = timezone.localdate(now) if now is not None else timezone.localdate()
    micro = Grid.objects.filter(level=GridLevel.MICRO_GRID)
    orgs = Organisation.objects.all()
    if micro_ids is not None:
        micro = micro.filter(pk__in=micro_ids)
        orgs = orgs.filter(
            Q(grid_id__in=micro_ids)
            | Q(grid__in=Grid.objects.filter(pk__in=micro_ids).values("parent_id"))
        )
    total = micro.count()
    covered = (
        Organisation.objects.filter(_active_q(on), grid__in=micro)
        .values("grid_id")
        .distinct()
        .count()
    )
    summary = completion_summary(life_completion(on.year, orgs, on, instances=False))
    return {
        "micro_grids": total,
        "covered": covered,
        "uncovered": total - covered,
        "percent": round(100 * covered / total, 1) if total else None,
        "life_percent": summary["percent"],
        "life_complete": summary["complete"],
        "organisations": summary["organisations"],
        "has_data": bool(covered or summary["organisations"]),
    }


def counts() -> dict:
    """Figures of the whole tree by level (for pages and the bulletin)."""
    today = timezone.localdate()
    by_level = dict(
        Organisation.objects.filter(_active_q(today))
        .values_list("level")
        .annotate(n=Count("id"))
        .values_list("level", "n")
    )
    return {
        "by_level": by_level,
        "members": Member.objects.filter(is_active=True).count(),
        "dual_report": Member.objects.filter(
            is_active=True, dual_report_community__isnull=False
        ).count(),
        "points": ServicePoint.objects.filter(is_active=True).count(),
        "co_buildings": CoBuilding.objects.count(),
    }
