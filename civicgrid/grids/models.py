from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import ImmutableModel
from civicgrid.grids.choices import (
    COMMUNITY_HOUSEHOLD_LIMIT,
    AreaKind,
    CommunityKind,
    Duty,
    GridLevel,
    PostRole,
    StaffOrigin,
)

# The level's name where it depends on the kind of 居村 (a village has 队组, not 楼组).
VILLAGE_LEVEL_LABELS = {
    GridLevel.BUILDING_GROUP: _("队组"),
}


def micro_grid_display_name(name: str, community: str | None) -> str:
    """ "<居村> · <micro-grid>" (Grid.display_name from values already read)."""
    if not community or name.startswith(community):
        return name
    return f"{community} · {name}"


class Grid(models.Model):
    """One node of the five-level grid tree (街镇 → 片区 → 居村 → 微网格 → 楼组).

    `code` is derived from the parent's code and `number` (see grids.codes) and is unique across
    the tree. `path` is the chain of ancestor codes ("/street/area/community/micro/") so that a
    subtree is one indexed prefix query on either database. `geometry` is a GeoJSON Polygon or
    MultiPolygon in WGS84 longitude/latitude; shapely does the geometry in-process.
    """

    name = models.CharField(_("名称"), max_length=100)
    level = models.CharField(_("层级"), max_length=20, choices=GridLevel.choices, db_index=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级网格"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    number = models.PositiveIntegerField(
        _("序号"), help_text=_("在上级范围内的编号；微网格按自西向东、自北向南编排")
    )
    county_code = models.CharField(
        _("区县代码"), max_length=6, blank=True, help_text=_("GB/T 2260 六位代码，仅街镇填写")
    )
    code = models.CharField(_("网格编码"), max_length=18, unique=True)
    path = models.CharField(_("路径"), max_length=120, db_index=True, editable=False)
    geometry = models.JSONField(_("边界（GeoJSON）"), null=True, blank=True)
    area_m2 = models.FloatField(_("面积（平方米）"), default=0)
    centroid_lon = models.FloatField(_("中心经度"), null=True, blank=True)
    centroid_lat = models.FloatField(_("中心纬度"), null=True, blank=True)
    household_count = models.PositiveIntegerField(_("户数"), default=0)
    area_kind = models.CharField(
        _("片区类型"),
        max_length=20,
        choices=AreaKind.choices,
        blank=True,
        help_text=_("仅片区填写：镇管社区或派出所片区；片区缺省为镇管社区"),
    )
    community_kind = models.CharField(
        _("居村类型"),
        max_length=20,
        choices=CommunityKind.choices,
        blank=True,
        help_text=_("居委会或村委会；居村缺省为居委会，其微网格和楼组随所在居村"),
    )
    party_organisation = models.CharField(
        _("党组织"), max_length=100, blank=True, help_text=_("微网格的党支部或党小组")
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(
                fields=["parent", "number"],
                name="grid_unique_number_in_parent",
            ),
        ]

    def __str__(self):
        return f"{self.name}({self.code})"

    def save(self, *args, **kwargs):
        self.refresh_derived_fields()
        super().save(*args, **kwargs)

    @property
    def is_village(self) -> bool:
        return self.community_kind == CommunityKind.VILLAGE

    @property
    def display_name(self) -> str:
        """The name to show where the grid stands alone: a micro-grid with its 居村
        ("康桥半岛居委 · 第1网格" — "第1网格" repeats in every 居村), a 楼组 with its 居村 and
        micro-grid; other levels their own name. Reads the parents (select_related them)."""
        if self.level == GridLevel.MICRO_GRID and self.parent_id:
            return micro_grid_display_name(self.name, self.parent.name)
        if self.level == GridLevel.BUILDING_GROUP and self.parent_id:
            return f"{self.parent.display_name} · {self.name}"
        return self.name

    @property
    def level_label(self) -> str:
        """The level's name for this grid: 镇管社区/派出所片区 for an area, 居委会/村委会 for a
        居村, 楼组 in a 居委 and 队组 (村民小组) in a village."""
        if self.level == GridLevel.AREA and self.area_kind:
            return str(AreaKind(self.area_kind).label)
        if self.level == GridLevel.COMMUNITY and self.community_kind:
            return str(CommunityKind(self.community_kind).label)
        if self.is_village and self.level in VILLAGE_LEVEL_LABELS:
            return str(VILLAGE_LEVEL_LABELS[self.level])
        return str(GridLevel(self.level).label) if self.level else ""

    @property
    def staff_label(self) -> str:
        """What the staff of this grid's 居村 are called: 村委工作人员 in a village ("" above
        the 居村)."""
        if self.level in (GridLevel.STREET, GridLevel.AREA):
            return ""
        return str(_("村委工作人员") if self.is_village else _("居委工作人员"))

    @property
    def micro_grid_households(self) -> int:
        """A 居村's households: the sum over its micro-grids (annotated by
        grids.services.annotate_households in lists; one query otherwise)."""
        if hasattr(self, "households_sum"):
            return self.households_sum or 0
        if self.level != GridLevel.COMMUNITY or self.pk is None:
            return self.household_count
        total = Grid.objects.filter(parent=self, level=GridLevel.MICRO_GRID).aggregate(
            n=models.Sum("household_count")
        )["n"]
        return total or 0

    @property
    def over_household_limit(self) -> bool:
        """A 居委 with more than 3,000 households (seed 002: such committees are split)."""
        return (
            self.level == GridLevel.COMMUNITY
            and self.community_kind != CommunityKind.VILLAGE
            and self.micro_grid_households > COMMUNITY_HOUSEHOLD_LIMIT
        )

    def refresh_derived_fields(self):
        """Code, path, area and centroid follow from the number, the parent and the polygon;
        the kinds from the level (and, below a 居村, from the 居村)."""
        from civicgrid.grids import geometry
        from civicgrid.grids.codes import derive_code

        parent = self.parent
        self._refresh_kinds(parent)
        street_code = None
        if self.level == GridLevel.COMMUNITY and parent is not None:
            street_code = parent.code[:9]
        self.code = derive_code(
            self.level,
            self.number,
            parent.code if parent else None,
            county_code=self.county_code,
            street_code=street_code,
        )
        self.path = (parent.path if parent else "/") + self.code + "/"
        if self.geometry:
            shape = geometry.to_shape(self.geometry)
            self.area_m2 = round(geometry.area_m2(shape), 1)
            point = (
                shape.representative_point() if not shape.centroid.within(shape) else shape.centroid
            )
            self.centroid_lon, self.centroid_lat = round(point.x, 7), round(point.y, 7)

    def _refresh_kinds(self, parent):
        if self.level == GridLevel.AREA:
            self.area_kind = self.area_kind or AreaKind.TOWN_COMMUNITY
        else:
            self.area_kind = ""
        if self.level == GridLevel.COMMUNITY:
            self.community_kind = self.community_kind or CommunityKind.RESIDENTS
        elif self.level in (GridLevel.MICRO_GRID, GridLevel.BUILDING_GROUP):
            self.community_kind = (
                parent.community_kind if parent is not None else self.community_kind
            ) or CommunityKind.RESIDENTS
        else:
            self.community_kind = ""

    def clean(self):
        from civicgrid.grids.choices import PARENT_LEVEL

        if self.area_kind and self.level != GridLevel.AREA:
            raise ValidationError({"area_kind": _("只有片区填写片区类型")})
        if self.community_kind and self.level in (GridLevel.STREET, GridLevel.AREA):
            raise ValidationError({"community_kind": _("街镇和片区没有居村类型")})
        expected = PARENT_LEVEL.get(self.level)
        if expected is None and self.parent_id:
            raise ValidationError({"parent": _("街镇是最上级，不能有上级网格")})
        if expected is not None and (self.parent is None or self.parent.level != expected):
            raise ValidationError(
                {
                    "parent": _("%(level)s的上级必须是%(parent)s")
                    % {"level": self.level_label, "parent": GridLevel(expected).label}
                }
            )


class GridTreeRevision(models.Model):
    """A counter bumped whenever any grid's shape or place in the tree changes.

    Every process (web workers, the task worker) compares it with the revision its in-memory
    locator was built from, so a change made in one process reaches the others.
    """

    revision = models.PositiveBigIntegerField(_("版本"), default=0)
    changed_at = models.DateTimeField(_("变更时间"), auto_now=True)

    class Meta:
        verbose_name = _("网格树版本")
        verbose_name_plural = _("网格树版本")

    def __str__(self):
        return f"r{self.revision}"


class StaffMember(models.Model):
    """网格力量: a person on the grid rolls (grid leader, grid worker, pioneer, 楼组长) and where
    they come from (包干, 下沉, 双报到, volunteer, resident). May serve several grids."""

    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=32, blank=True)
    is_party_member = models.BooleanField(_("党员"), default=False)
    origin = models.CharField(
        _("人员来源"),
        max_length=20,
        choices=StaffOrigin.choices,
        default=StaffOrigin.COMMUNITY,
        db_index=True,
    )
    work_unit = models.CharField(
        _("工作单位"), max_length=100, blank=True, help_text=_("下沉干部、双报到党员填写")
    )
    registered_on = models.DateField(
        _("报到日期"), null=True, blank=True, help_text=_("双报到党员到居住地报到的日期")
    )
    duties = models.JSONField(
        _("六员职责"), default=list, blank=True, help_text=_("信息采集员、矛盾纠纷调解员等")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="staff_member",
    )

    class Meta:
        verbose_name = _("网格力量")
        verbose_name_plural = _("网格力量")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.origin == StaffOrigin.DUAL_REPORT:
            errors = {}
            if not (self.work_unit or "").strip():
                errors["work_unit"] = _("双报到党员须填写工作单位")
            if self.registered_on is None:
                errors["registered_on"] = _("双报到党员须填写报到日期")
            if not self.is_party_member:
                errors["is_party_member"] = _("双报到人员须为党员")
            if errors:
                raise ValidationError(errors)
        valid = set(Duty.values)
        if not isinstance(self.duties, list) or not set(self.duties) <= valid:
            raise ValidationError({"duties": _("六员职责只能取：%s") % "、".join(Duty.labels)})


class GridPost(models.Model):
    """网格岗位: one person's post in one micro-grid, with its role and term ("1+2+N"), or on one
    of its building groups (楼组长, 村民小组长: `building_group` set, `micro_grid` its
    micro-grid, so that scoping by micro-grid covers it)."""

    micro_grid = models.ForeignKey(
        Grid,
        verbose_name=_("微网格"),
        on_delete=models.CASCADE,
        related_name="posts",
        limit_choices_to={"level": GridLevel.MICRO_GRID},
    )
    building_group = models.ForeignKey(
        Grid,
        verbose_name=_("楼组（队组）"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="group_posts",
        limit_choices_to={"level": GridLevel.BUILDING_GROUP},
        help_text=_("仅楼组长、村民小组长填写"),
    )
    staff = models.ForeignKey(
        StaffMember, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="posts"
    )
    role = models.CharField(_("岗位"), max_length=20, choices=PostRole.choices)
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("网格岗位")
        verbose_name_plural = _("网格岗位")
        ordering = ["micro_grid__code", "role", "staff__name"]
        indexes = [models.Index(fields=["staff", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="gridpost_end_after_start",
            ),
        ]

    def __str__(self):
        grid = self.building_group if self.building_group_id else self.micro_grid
        return f"{grid.name} {self.get_role_display()} {self.staff.name}"

    def clean(self):
        if self.micro_grid_id and self.micro_grid.level != GridLevel.MICRO_GRID:
            raise ValidationError({"micro_grid": _("岗位只能设在微网格")})


class StaffPhoneAccess(ImmutableModel):
    """网格力量联系电话查看记录: an immutable row each time someone sees a staff member's (or a
    volunteer pioneer's) full phone; lists show it masked."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("查看人"),
        on_delete=models.PROTECT,
        related_name="staff_phone_accesses",
    )
    staff = models.ForeignKey(
        StaffMember, verbose_name=_("被查看人"), on_delete=models.PROTECT, related_name="+"
    )
    channel = models.CharField(_("途径"), max_length=100, blank=True)
    accessed_at = models.DateTimeField(_("查看时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("网格力量电话查看记录")
        verbose_name_plural = _("网格力量电话查看记录")
        ordering = ["-accessed_at"]

    def __str__(self):
        return f"{self.user} → {self.staff} {self.accessed_at:%Y-%m-%d %H:%M}"


class GridCodeHistory(ImmutableModel):
    """网格编码变更记录: a grid's code before and after a change of the tree (a 居委 split off,
    a renumbering), so that an old code on paper or in another system still finds the grid.
    Immutable."""

    grid = models.ForeignKey(
        Grid,
        verbose_name=_("网格"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="code_history",
    )
    old_code = models.CharField(_("原编码"), max_length=18, db_index=True)
    new_code = models.CharField(_("新编码"), max_length=18, db_index=True)
    reason = models.CharField(_("变更原因"), max_length=200)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField(_("变更时间"), db_index=True)

    class Meta:
        verbose_name = _("网格编码变更记录")
        verbose_name_plural = _("网格编码变更记录")
        ordering = ["-changed_at", "-id"]

    def __str__(self):
        return f"{self.old_code} → {self.new_code}"
