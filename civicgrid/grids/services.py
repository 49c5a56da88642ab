"""Every change to grids and their staffing goes through these functions (one transaction each).

Grids: `save_grid` (admin edits, with code propagation to the subtree), `renumber_micro_grids`
(GB/T 30428 numbering west→east, north→south). Staffing "1+2+N": `appoint`, `end_post`,
`update_post`, `remove_post`, `save_staff_member`, and the read-side `staffing_summary`.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

import shapely
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from shapely.geometry import shape as to_shape

from civicgrid.accounts.policy import GRID_TREE_EDIT_ROLES
from civicgrid.grids.choices import (
    COMMUNITY_HOUSEHOLD_LIMIT,
    GROUP_POST_ROLES,
    CommunityKind,
    Duty,
    GridLevel,
    PostRole,
)
from civicgrid.grids.codes import CodeError, derive_code
from civicgrid.grids.models import (
    Grid,
    GridCodeHistory,
    GridPost,
    StaffMember,
    StaffPhoneAccess,
)
from civicgrid.grids.signals import bump_tree_revision
from civicgrid.grids.synthetic import number_west_east_north_south

# ------------------------------------------------------------------------------------ geometry


def validate_geometry(value) -> dict:
    """A GeoJSON Polygon/MultiPolygon dict, valid (not self-intersecting), in lon/lat."""
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError(_("边界必须是 GeoJSON Polygon 或 MultiPolygon"))
    try:
        geom = to_shape(value)
    except Exception as exc:  # shapely raises several types on malformed coordinates
        raise ValidationError(_("边界坐标无法解析：%(err)s") % {"err": exc}) from exc
    if geom.is_empty:
        raise ValidationError(_("边界为空"))
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        raise ValidationError(_("坐标超出经纬度范围（应为 WGS84 经度、纬度）"))
    if not geom.is_valid:
        raise ValidationError(
            _("多边形无效（如自相交）：%(reason)s") % {"reason": shapely.is_valid_reason(geom)}
        )
    return {"type": value["type"], "coordinates": value["coordinates"]}


# ------------------------------------------------------------------------------------ numbering


def order_west_east_north_south(shapes) -> list[int]:
    """Indices of `shapes` in GB/T 30428 numbering order: rows north→south, west→east in a row.

    The rule is grids.synthetic.number_west_east_north_south, so generated and imported trees
    are numbered alike.
    """
    numbers = number_west_east_north_south(list(shapes))  # 1-based number of each polygon
    return sorted(range(len(numbers)), key=lambda i: numbers[i])


def _code_for(grid: Grid, parent: Grid | None) -> str:
    return derive_code(
        grid.level,
        grid.number,
        parent.code if parent else None,
        county_code=grid.county_code,
        street_code=parent.code[:9] if (parent and grid.level == GridLevel.COMMUNITY) else None,
    )


def _rewrite_codes(roots: list[Grid]):
    """Write new number/parent/code/path of `roots` (set on the instances) and the new codes and
    paths of all their descendants, without ever breaking the unique constraints.

    Phase 1 moves every affected row to a temporary code (and the roots to temporary numbers), so
    phase 2 can write the final values in any row order — PostgreSQL checks a non-deferrable
    unique index row by row, and a swap of two numbers would otherwise collide half-way.
    """
    if not roots:
        return
    old_paths = dict(Grid.objects.filter(pk__in=[r.pk for r in roots]).values_list("pk", "path"))
    condition = Q(pk__in=[])
    for p in old_paths.values():
        condition |= Q(path__startswith=p)
    root_pks = {r.pk for r in roots}
    descendants = list(
        Grid.objects.filter(condition)
        .exclude(pk__in=root_pks)
        .only("id", "level", "number", "county_code", "parent_id", "code", "path")
    )
    nodes = {r.pk: r for r in roots}
    nodes.update({d.pk: d for d in descendants})
    parents = {r.parent_id for r in roots if r.parent_id}
    parents = {g.pk: g for g in Grid.objects.filter(pk__in=parents - set(nodes))}

    def depth(g):
        return old_paths.get(g.pk, g.path).count("/")

    for g in sorted(nodes.values(), key=depth):
        parent = nodes.get(g.parent_id) or parents.get(g.parent_id)
        try:
            g.code = _code_for(g, parent)
        except CodeError as exc:
            raise ValidationError({"number": str(exc)}) from exc
        g.path = (parent.path if parent else "/") + g.code + "/"
    new_codes = [g.code for g in nodes.values()]
    if len(set(new_codes)) != len(new_codes):
        raise ValidationError(_("重新编号后出现重复编码"))
    clash = (
        Grid.objects.filter(code__in=new_codes)
        .exclude(pk__in=list(nodes))
        .values_list("code", flat=True)
        .first()
    )
    if clash:
        raise ValidationError(_("编码 %(code)s 已被其他网格使用") % {"code": clash})
    final = {g.pk: (g.code, g.number) for g in nodes.values()}
    for g in nodes.values():
        g.code = f"~{g.pk}"
        if g.pk in root_pks:
            g.number = 10_000_000 + g.pk
    Grid.objects.bulk_update(list(nodes.values()), ["code", "number"], batch_size=1000)
    for g in nodes.values():
        g.code, g.number = final[g.pk]
    # A root's new number is unique under its new parent only: write both together.
    Grid.objects.bulk_update(
        [g for g in nodes.values() if g.pk not in root_pks],
        ["code", "number", "path"],
        batch_size=1000,
    )
    Grid.objects.bulk_update(roots, ["code", "number", "path", "parent"], batch_size=1000)


def renumber_micro_grids(community: Grid) -> list[Grid]:
    """Number the micro-grids of `community` west→east, north→south (GB/T 30428) and recompute
    their codes and their building groups' codes and paths, atomically."""
    if community.level != GridLevel.COMMUNITY:
        raise ValidationError(_("只能对居村的微网格重新编号"))
    with transaction.atomic():
        # Lock the community so two renumberings of it cannot interleave.
        Grid.objects.select_for_update().filter(pk=community.pk).first()
        community.refresh_from_db()
        micros = list(
            Grid.objects.filter(parent=community, level=GridLevel.MICRO_GRID).order_by("number")
        )
        if not micros:
            return []
        if any(not m.geometry for m in micros):
            raise ValidationError(_("有微网格缺少边界，无法按方位编号"))
        order = order_west_east_north_south([to_shape(m.geometry) for m in micros])
        changed = []
        for number, i in enumerate(order, start=1):
            m = micros[i]
            if m.number != number:
                m.number = number
                changed.append(m)
        for m in changed:
            m.parent = community
        _rewrite_codes(changed)
        if changed:
            bump_tree_revision()
        return [micros[i] for i in order]


# ------------------------------------------------------------------------------------ grid edits


def check_grid(grid: Grid) -> str:
    """Validate an unsaved edit of `grid` (polygon, level order, code) and return its new code.
    Raises ValidationError keyed by field, so admin forms can show it next to the field."""
    if grid.geometry:
        try:
            grid.geometry = validate_geometry(grid.geometry)
        except ValidationError as exc:
            raise ValidationError({"geometry": exc.messages}) from exc
    grid.clean()
    if grid.level != GridLevel.STREET:
        grid.county_code = ""
    try:
        new_code = _code_for(grid, grid.parent)
    except CodeError as exc:
        field = (
            "county_code"
            if grid.level == GridLevel.STREET and grid.number is not None
            else "number"
        )
        raise ValidationError({field: str(exc)}) from exc
    if Grid.objects.filter(code=new_code).exclude(pk=grid.pk).exists():
        raise ValidationError({"number": _("编码 %(code)s 已被其他网格使用") % {"code": new_code}})
    if grid.parent_id is not None and (
        Grid.objects.filter(parent_id=grid.parent_id, number=grid.number)
        .exclude(pk=grid.pk)
        .exists()
    ):
        raise ValidationError({"number": _("同一上级下序号已被使用")})
    if grid.pk:
        before = Grid.objects.filter(pk=grid.pk).values("level").first()
        if before and before["level"] != grid.level and Grid.objects.filter(parent=grid).exists():
            raise ValidationError({"level": _("有下级网格的网格不能改变层级")})
        if grid.parent_id and grid.parent.path.startswith(
            Grid.objects.filter(pk=grid.pk).values_list("path", flat=True).first() or "~"
        ):
            raise ValidationError({"parent": _("上级网格不能是本网格或其下级")})
    return new_code


@transaction.atomic
def save_grid(grid: Grid) -> Grid:
    """Create or update one grid from the admin. Validates level order, code and polygon; when the
    number or parent changes, every descendant's code and path follows."""
    if grid.pk:
        Grid.objects.select_for_update().filter(pk=grid.pk).first()
    new_code = check_grid(grid)
    if grid.pk:
        before = Grid.objects.filter(pk=grid.pk).values_list("code", flat=True).first()
        if before != new_code:
            _rewrite_codes([grid])
    grid.save()  # the post_save signal bumps the tree revision
    _propagate_community_kind(grid)
    return grid


def _propagate_community_kind(grid: Grid):
    """The micro-grids and building groups of a 居村 carry its kind (居委会/村委会), so that
    their labels (楼组/队组) need no join."""
    if grid.level in (GridLevel.COMMUNITY, GridLevel.MICRO_GRID):
        Grid.objects.filter(path__startswith=grid.path).exclude(pk=grid.pk).exclude(
            community_kind=grid.community_kind
        ).update(community_kind=grid.community_kind)


REFERENCE_CHUNK = 2000  # ids per query when counting references


def references(grids) -> dict[int, list[str]]:
    """pk → ["标准地址 3 条", …] for every row of another model that points at one of `grids`.

    Walks Grid's reverse relations generically, so relations added by other apps count too. A
    grid with references is not deleted (delete_grid, the replacing import).
    """
    if not grids:
        return {}
    pks = [g.pk for g in grids]
    found = defaultdict(list)
    for rel in Grid._meta.related_objects:
        if rel.related_model in (Grid, GridCodeHistory) or not (rel.one_to_many or rel.one_to_one):
            continue
        model = rel.related_model
        fname = rel.field.name
        counts = defaultdict(int)
        for start in range(0, len(pks), REFERENCE_CHUNK):
            chunk = pks[start : start + REFERENCE_CHUNK]
            for pk in model._base_manager.filter(**{f"{fname}__in": chunk}).values_list(
                fname, flat=True
            ):
                counts[pk] += 1
        for pk, count in counts.items():
            found[pk].append(f"{model._meta.verbose_name} {count} 条")
    return found


@transaction.atomic
def delete_grid(grid: Grid):
    if Grid.objects.filter(parent=grid).exists():
        raise ValidationError(_("请先删除下级网格"))
    refs = references([grid]).get(grid.pk)
    if refs:
        raise ValidationError(_("网格仍被%(refs)s引用，不能删除") % {"refs": "、".join(refs)})
    grid.delete()


# ------------------------------------------------------------------------------------ households


def annotate_households(queryset):
    """Add `households_sum` (households summed over a 居村's micro-grids) in the same query, for
    Grid.micro_grid_households and Grid.over_household_limit."""
    total = (
        Grid.objects.filter(parent=OuterRef("pk"), level=GridLevel.MICRO_GRID)
        .order_by()
        .values("parent")
        .annotate(n=Sum("household_count"))
        .values("n")
    )
    return queryset.annotate(
        households_sum=Coalesce(Subquery(total, output_field=IntegerField()), 0)
    )


def over_household_limit(queryset):
    """The 居委 (not villages) of `queryset` with more than 3,000 households."""
    return (
        annotate_households(queryset)
        .filter(level=GridLevel.COMMUNITY)
        .exclude(community_kind=CommunityKind.VILLAGE)
        .filter(households_sum__gt=COMMUNITY_HOUSEHOLD_LIMIT)
    )


# ------------------------------------------------------------------------------------ old codes


def grid_by_code(code: str, queryset=None) -> Grid | None:
    """The grid with this code now, or the grid that had it before a change of the tree
    (GridCodeHistory, the latest change first). `queryset` limits the search (scoping)."""
    queryset = Grid.objects.all() if queryset is None else queryset
    code = (code or "").strip()
    if not code:
        return None
    grid = queryset.filter(code=code).first()
    if grid is not None:
        return grid
    pks = GridCodeHistory.objects.filter(old_code=code, grid__isnull=False).values_list(
        "grid_id", flat=True
    )
    for pk in pks:  # latest first (the model's ordering)
        grid = queryset.filter(pk=pk).first()
        if grid is not None:
            return grid
    return None


# ------------------------------------------------------------------------------------ split


def _next_community_number(street_code: str) -> int:
    numbers = Grid.objects.filter(
        level=GridLevel.COMMUNITY, code__startswith=street_code
    ).values_list("number", flat=True)
    return max(numbers, default=0) + 1


def _union_geometry(grids) -> dict | None:
    from shapely.geometry import mapping
    from shapely.ops import unary_union

    if not grids or any(not g.geometry for g in grids):
        return None
    union = unary_union([to_shape(g.geometry) for g in grids])
    if union.is_empty or union.geom_type not in ("Polygon", "MultiPolygon"):
        return None
    data = mapping(union)
    return {"type": data["type"], "coordinates": data["coordinates"]}


# Apps above the grid tree that know who works a micro-grid (fieldwork: a 居委 cadre's 巡块责任区)
# tell the split through `register_work_source`: function(micro-grid ids) → {user id: {ids}}.
WORK_SOURCES: list = []


def register_work_source(function) -> None:
    if function not in WORK_SOURCES:
        WORK_SOURCES.append(function)


def _who_works(micro_ids, on: datetime.date) -> dict:
    """{user id: micro-grid ids of `micro_ids` they work}: active grid posts of their staff
    record, and what the registered work sources say."""
    work = defaultdict(set)
    posts = (
        GridPost.objects.filter(active_posts_q(on), micro_grid_id__in=micro_ids)
        .exclude(staff__user__isnull=True)
        .values_list("staff__user_id", "micro_grid_id")
    )
    for user_id, mg in posts:
        work[user_id].add(mg)
    for source in WORK_SOURCES:
        for user_id, mgs in source(micro_ids).items():
            work[user_id] |= set(mgs) & set(micro_ids)
    return work


def _reassign_community_staff(community: Grid, new: Grid, moved_ids, all_ids, on) -> list:
    """居委 staff accounts scoped to `community` whose work there (posts, 巡块责任区 …) lies only
    in the micro-grids that moved follow them to `new`; those who work both sides, or none of
    its grids, stay. Returns the accounts moved."""
    from django.contrib.auth import get_user_model

    from civicgrid.accounts.choices import Role

    work = _who_works(list(all_ids), on)
    staff = (
        get_user_model()
        .objects.select_for_update()
        .filter(community=community, role=Role.COMMUNITY_STAFF)
    )
    moving = [u for u in staff if work.get(u.pk) and work[u.pk] <= set(moved_ids)]
    if moving:
        get_user_model().objects.filter(pk__in=[u.pk for u in moving]).update(community=new)
    for u in moving:
        u.community = new
    return moving


def split_community(
    community: Grid,
    micro_grids,
    *,
    name: str,
    number: int | None = None,
    user=None,
    reason: str = "",
    now=None,
) -> Grid:
    """Split a 居委: a new 居委 under the same 片区 takes `micro_grids` (and their building
    groups). Their codes follow the 15-digit rule under the new 居委's number; each changed
    code is kept in GridCodeHistory. Cases, posts, addresses and households point at the grids
    by key, so they follow without a write; so do the grid leaders' and workers' accounts (their
    scope is their posts). The 居委 staff accounts of the old 居委 who work only the moved
    micro-grids (posts, 巡块责任区) are moved to the new 居委 (`new.reassigned_accounts`);
    the others stay. Returns the new 居委. `user=None`: a trusted caller.
    """
    if user is not None and getattr(user, "effective_role", None) not in GRID_TREE_EDIT_ROLES:
        raise PermissionDenied(_("您的角色不能拆分居委"))
    now = now or timezone.now()
    name = (name or "").strip()
    with transaction.atomic():
        community = (
            Grid.objects.select_for_update().filter(pk=getattr(community, "pk", None)).first()
        )
        if community is None or community.level != GridLevel.COMMUNITY:
            raise ValidationError({"community": _("只能拆分居村")})
        if community.community_kind == CommunityKind.VILLAGE:
            raise ValidationError({"community": _("村委会不按居委拆分")})
        pks = {getattr(m, "pk", m) for m in micro_grids}
        chosen = list(Grid.objects.filter(pk__in=pks).order_by("number"))
        errors = {}
        if not name:
            errors["name"] = _("请填写新居委的名称")
        if len(chosen) != len(pks) or any(
            m.level != GridLevel.MICRO_GRID or m.parent_id != community.pk for m in chosen
        ):
            errors["micro_grids"] = _("只能划出本居村的微网格")
        else:
            remaining = list(
                Grid.objects.filter(parent=community, level=GridLevel.MICRO_GRID).exclude(
                    pk__in=pks
                )
            )
            if not chosen:
                errors["micro_grids"] = _("请至少选择一个微网格")
            elif not remaining:
                errors["micro_grids"] = _("不能划出居村的全部微网格")
        street_code = community.code[:9]
        if number is None:
            number = _next_community_number(street_code)
        else:
            try:
                code = derive_code(GridLevel.COMMUNITY, number, None, street_code=street_code)
            except CodeError as exc:
                errors["number"] = str(exc)
            else:
                if (
                    Grid.objects.filter(code=code).exists()
                    or Grid.objects.filter(parent_id=community.parent_id, number=number).exists()
                ):
                    errors["number"] = _("编码 %(code)s 已被其他网格使用") % {"code": code}
        if errors:
            raise ValidationError(errors)

        subtree = Q(pk__in=[])
        for m in chosen:
            subtree |= Q(path__startswith=m.path)
        old_codes = dict(Grid.objects.filter(subtree).values_list("pk", "code"))

        moved_households = sum(m.household_count for m in chosen)
        new = Grid(
            name=name,
            level=GridLevel.COMMUNITY,
            parent_id=community.parent_id,
            number=number,
            community_kind=CommunityKind.RESIDENTS,
            geometry=_union_geometry(chosen),
            household_count=moved_households,
        )
        new.parent = community.parent
        new.save()

        for i, m in enumerate(chosen, start=1):
            m.parent = new
            m.number = i
        _rewrite_codes(chosen)
        _propagate_community_kind(new)

        community.household_count = max(0, community.household_count - moved_households)
        outline = _union_geometry(remaining)
        if outline is not None:
            community.geometry = outline
        community.save()

        new_codes = dict(Grid.objects.filter(pk__in=list(old_codes)).values_list("pk", "code"))
        why = reason or _("拆分居委：%(old)s 划出微网格新建 %(new)s") % {
            "old": community.name,
            "new": new.name,
        }
        GridCodeHistory.objects.bulk_create(
            [
                GridCodeHistory(
                    grid_id=pk,
                    old_code=old,
                    new_code=new_codes[pk],
                    reason=why[:200],
                    changed_by=user,
                    changed_at=now,
                )
                for pk, old in old_codes.items()
                if new_codes[pk] != old
            ]
        )
        all_ids = [m.pk for m in chosen] + [m.pk for m in remaining]
        new.reassigned_accounts = _reassign_community_staff(
            community, new, [m.pk for m in chosen], all_ids, timezone.localdate(now)
        )
        bump_tree_revision()  # bulk updates send no signals
        return new


# ------------------------------------------------------------------------------------ staffing


# Apps above the grid tree with a rule about who may hold a post (party: the 网格长 is the
# micro-grid's party organisation's head) register a check through `register_post_check`:
# function(staff, micro_grid, role, start_date, end_date) → None, raising ValidationError.
POST_CHECKS: list = []


def register_post_check(function) -> None:
    if function not in POST_CHECKS:
        POST_CHECKS.append(function)


def _overlapping(qs, start: datetime.date, end: datetime.date | None):
    qs = qs.filter(Q(end_date__isnull=True) | Q(end_date__gte=start))
    if end is not None:
        qs = qs.filter(start_date__lte=end)
    return qs


def check_post(
    staff, micro_grid, role, start_date, end_date=None, exclude_pk=None, building_group=None
):
    """Raise ValidationError (field → Chinese message) if this post may not exist.

    楼组长 and 村民小组长 sit on a building group (楼组 of a 居委, 队组 of a village), the
    "1+2+N" posts on a micro-grid; a building group has one head at a time."""
    errors = {}
    group_role = role in GROUP_POST_ROLES
    if role not in PostRole.values:
        errors["role"] = _("岗位必须是网格长、专职网格员、兼职网格员、先锋骨干、楼组长或村民小组长")
    elif group_role:
        if building_group is None or building_group.level != GridLevel.BUILDING_GROUP:
            errors["building_group"] = _("楼组长、村民小组长只能设在楼组（队组）")
        elif building_group.community_kind != GROUP_POST_ROLES[role]:
            errors["role"] = (
                _("村里的队组设村民小组长，不设楼组长")
                if building_group.is_village
                else _("居委的楼组设楼组长，不设村民小组长")
            )
        elif micro_grid is not None and micro_grid.pk != building_group.parent_id:
            errors["micro_grid"] = _("楼组不属于该微网格")
    elif building_group is not None:
        errors["building_group"] = _("网格长、网格员和先锋骨干设在微网格，不设在楼组")
    if not group_role and (micro_grid is None or micro_grid.level != GridLevel.MICRO_GRID):
        errors["micro_grid"] = _("岗位只能设在微网格")
    if start_date is None:
        errors["start_date"] = _("请填写起始日期")
    elif end_date is not None and end_date < start_date:
        errors["end_date"] = _("结束日期不能早于起始日期")
    if errors:
        raise ValidationError(errors)
    if group_role:
        others = _overlapping(
            GridPost.objects.filter(building_group=building_group), start_date, end_date
        )
    else:
        others = _overlapping(
            GridPost.objects.filter(micro_grid=micro_grid, building_group__isnull=True),
            start_date,
            end_date,
        )
    if exclude_pk:
        others = others.exclude(pk=exclude_pk)
    if staff.pk and others.filter(staff=staff, role=role).exists():
        place = building_group if group_role else micro_grid
        raise ValidationError(
            {
                "staff": _("%(name)s 在“%(grid)s”已担任此岗位")
                % {"name": staff.name, "grid": place.name}
            }
        )
    if group_role:
        current = others.filter(role__in=list(GROUP_POST_ROLES)).select_related("staff").first()
        if current is not None:
            raise ValidationError(
                {
                    "role": _("“%(grid)s”在该期间已有%(role)s %(name)s")
                    % {
                        "grid": building_group.name,
                        "role": current.get_role_display(),
                        "name": current.staff.name,
                    }
                }
            )
    if role == PostRole.LEADER:
        current = others.filter(role=PostRole.LEADER).select_related("staff").first()
        if current is not None:
            raise ValidationError(
                {
                    "role": _(
                        "微网格“%(grid)s”在该期间已有网格长 %(name)s，每个微网格只能有一名网格长"
                    )
                    % {"grid": micro_grid.name, "name": current.staff.name}
                }
            )
    for check in POST_CHECKS:
        check(staff, micro_grid, role, start_date, end_date)


def appoint(staff, micro_grid, role, start_date, end_date=None, *, building_group=None) -> GridPost:
    """A post on a micro-grid, or (楼组长, 村民小组长) on a building group, whose micro-grid
    is then the group's own (`micro_grid` may be None)."""
    with transaction.atomic():
        if building_group is not None and micro_grid is None:
            micro_grid = building_group.parent
        # Serialise appointments to one micro-grid so two leaders cannot slip in together.
        if micro_grid is not None:
            Grid.objects.select_for_update().filter(pk=micro_grid.pk).first()
        check_post(staff, micro_grid, role, start_date, end_date, building_group=building_group)
        return GridPost.objects.create(
            staff=staff,
            micro_grid=micro_grid,
            building_group=building_group,
            role=role,
            start_date=start_date,
            end_date=end_date,
        )


def end_post(post: GridPost, end_date: datetime.date) -> GridPost:
    with transaction.atomic():
        post = GridPost.objects.select_for_update().get(pk=post.pk)
        if end_date is None:
            raise ValidationError({"end_date": _("请填写结束日期")})
        if end_date < post.start_date:
            raise ValidationError({"end_date": _("结束日期不能早于起始日期")})
        if post.end_date is not None and post.end_date < end_date:
            raise ValidationError({"end_date": _("该岗位已于 %(d)s 结束") % {"d": post.end_date}})
        post.end_date = end_date
        post.save(update_fields=["end_date"])
        return post


def update_post(post: GridPost, **fields) -> GridPost:
    with transaction.atomic():
        for key, value in fields.items():
            setattr(post, key, value)
        if post.building_group_id and "micro_grid" not in fields:
            post.micro_grid = post.building_group.parent
        Grid.objects.select_for_update().filter(pk=post.micro_grid_id).first()
        check_post(
            post.staff,
            post.micro_grid,
            post.role,
            post.start_date,
            post.end_date,
            exclude_pk=post.pk,
            building_group=post.building_group,
        )
        post.save()
        return post


def remove_post(post: GridPost):
    with transaction.atomic():
        post.delete()


def save_staff_member(staff: StaffMember) -> StaffMember:
    with transaction.atomic():
        if not isinstance(staff.duties, list) or not set(staff.duties) <= set(Duty.values):
            raise ValidationError(
                {
                    "duties": _("六员职责只能取： %s")
                    % "、".join(str(label) for label in Duty.labels)
                }
            )
        # Keep the six duties in their canonical order, once each.
        staff.duties = [d for d in Duty.values if d in set(staff.duties)]
        staff.full_clean()
        staff.save()
        return staff


ROLE_KEYS = {
    PostRole.LEADER: "leader",
    PostRole.FULL_TIME: "full_time",
    PostRole.PART_TIME: "part_time",
    PostRole.PIONEER: "pioneer",
}


def active_posts_q(on: datetime.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}start_date__lte": on}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": on})
    )


def annotate_staffing(queryset, on: datetime.date | None = None):
    """Add staff_leader/staff_full_time/staff_part_time/staff_pioneer counts (active posts on
    `on`) to a Grid queryset in the same query — used by admin, API and summaries."""
    on = on or timezone.localdate()
    active = active_posts_q(on, "posts__")
    return queryset.annotate(
        **{
            f"staff_{key}": Count("posts", filter=active & Q(posts__role=role), distinct=True)
            for role, key in ROLE_KEYS.items()
        }
    )


def staffing_label(leader: int, full_time: int, part_time: int, pioneer: int) -> str:
    """ "1+2+N": 1 grid leader, 2 kinds of grid workers (专职 + 兼职), N pioneers."""
    return f"{leader}+{full_time + part_time}+{pioneer}"


# What "1+2+N" stands for, said once for the pages that show the figure.
STAFFING_MEANING = _lazy(
    "“1+2+N”：1 名网格长 + 2 类网格员（专职、兼职）+ N 名先锋骨干（党员、居村民小组长、志愿者等）"
)


def staffing_title(leader: int, full_time: int, part_time: int, pioneer: int) -> str:
    """The figure in words, for a tooltip: 网格长 1 名,专职 2 名,兼职 1 名,先锋骨干 5 名."""
    return _("网格长 %(l)d 名，专职网格员 %(f)d 名，兼职网格员 %(p)d 名，先锋骨干 %(n)d 名") % {
        "l": leader,
        "f": full_time,
        "p": part_time,
        "n": pioneer,
    }


def _row(grid) -> dict:
    counts = {key: getattr(grid, f"staff_{key}") for key in ROLE_KEYS.values()}
    return {
        "code": grid.code,
        "name": grid.name,
        **counts,
        "label": staffing_label(**counts),
        "title": staffing_title(**counts),
        # Complete when the "1" and both kinds of the "2" are filled.
        "complete": counts["leader"] == 1 and counts["full_time"] >= 1 and counts["part_time"] >= 1,
    }


def staffing_summary(grid: Grid, on: datetime.date | None = None, *, within=None) -> dict:
    """ "1+2+N" counts of a micro-grid, or of every micro-grid under a community/area/street with
    totals. Two queries whatever the size. `within` (a queryset of micro-grids, None = all) keeps a
    scoped user's rows *and totals* to the grids they may see."""
    if grid.level == GridLevel.BUILDING_GROUP:
        raise ValidationError(_("楼组没有网格力量配置，请查看其微网格"))
    if grid.level == GridLevel.MICRO_GRID:
        micro = Grid.objects.filter(pk=grid.pk)
    else:
        micro = Grid.objects.filter(level=GridLevel.MICRO_GRID, path__startswith=grid.path)
    posts = GridPost.objects.filter(
        active_posts_q(on or timezone.localdate()), role__in=list(ROLE_KEYS)
    ).filter(micro_grid__path__startswith=grid.path)
    if within is not None:
        micro = micro.filter(pk__in=within.values("pk"))
        posts = posts.filter(micro_grid__in=within.values("pk"))
    rows = [_row(g) for g in annotate_staffing(micro, on).order_by("code")]
    totals = {key: sum(r[key] for r in rows) for key in ROLE_KEYS.values()}
    people = posts.values("staff").distinct().count()
    return {
        "code": grid.code,
        "name": grid.name,
        "level": grid.level,
        "micro_grid_count": len(rows),
        "complete_count": sum(1 for r in rows if r["complete"]),
        "totals": {
            **totals,
            "label": staffing_label(**totals),
            "title": staffing_title(**totals),
            "people": people,
        },
        "meaning": STAFFING_MEANING,
        "micro_grids": rows,
    }


def reveal_staff_phone(user, staff: StaffMember, *, channel: str) -> str:
    """A staff member's full phone for a call, logged (StaffPhoneAccess). Only roles that work
    with personal data; the caller passes a staff member from the user's own scoped list."""

    if not user.may_view_full_pii:
        raise PermissionDenied(_("您的角色不能查看完整电话"))
    with transaction.atomic():
        if staff.phone:
            StaffPhoneAccess.objects.create(user=user, staff=staff, channel=channel)
    return staff.phone


__all__ = [
    "annotate_households",
    "appoint",
    "grid_by_code",
    "over_household_limit",
    "split_community",
    "reveal_staff_phone",
    "check_grid",
    "check_post",
    "delete_grid",
    "end_post",
    "order_west_east_north_south",
    "references",
    "remove_post",
    "renumber_micro_grids",
    "save_grid",
    "save_staff_member",
    "staffing_summary",
    "update_post",
    "validate_geometry",
]
