"""The garbage-sorting ledger (生活垃圾分类; seeds 000, 001, 004).

Drop-off points with their bins and windows, the guides' rosters, households' pledges and the
estate's convention, weighings against a baseline, scored inspections with their cards, and the
green-account points ledger. Everything changes through sorting.services; history, weighings,
inspections and ledger entries are written once (ImmutableModel).

An estate (小区) or a unit (单位: a school, an office, a market) is a "subject": it is weighed,
has a baseline and is inspected. Each subject row carries its 居村 (`community`), which scopes it
(sorting.scoping); points hang off a micro-grid.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import ImmutableModel
from civicgrid.grids.choices import GridLevel
from civicgrid.sorting.choices import (
    AccountKind,
    CardColour,
    EntryReason,
    GuideKind,
    PointKind,
    PointState,
    ShiftState,
    UnitKind,
    WasteCategory,
)

PASS_SCORE = 90
FULL_SCORE = 100


def _community():
    return models.ForeignKey(
        "grids.Grid",
        verbose_name=_("居村"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": GridLevel.COMMUNITY},
    )


def _one_subject(name):
    # Exactly one of estate and unit: a weighing or an inspection is of one subject.
    return models.CheckConstraint(
        condition=(Q(estate__isnull=False) & Q(unit__isnull=True))
        | (Q(estate__isnull=True) & Q(unit__isnull=False)),
        name=name,
    )


class SortingUnit(models.Model):
    """单位: a school, office, company or market that sorts, is weighed and inspected on its own
    (not an estate's households)."""

    name = models.CharField(_("单位名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=UnitKind.choices)
    community = _community()
    micro_grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("微网格"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": GridLevel.MICRO_GRID},
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("分类单位")
        verbose_name_plural = _("分类单位")
        ordering = ["community__code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="sorting_unit_once"),
        ]

    def __str__(self):
        return self.name


class DropOffPoint(models.Model):
    """投放点: a bin room (箱房), a timed point (定时定点), a late drop-off point (误时投放点) or a
    recyclables service point, of an estate or a unit, with its bins per category, the
    households it serves and its state (规划中, 使用中, 已撤并)."""

    name = models.CharField(_("点位名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=PointKind.choices)
    estate = models.ForeignKey(
        "estates.Estate",
        verbose_name=_("小区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sorting_points",
    )
    unit = models.ForeignKey(
        SortingUnit,
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="points",
    )
    community = _community()
    micro_grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("微网格"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": GridLevel.MICRO_GRID},
    )
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    households_served = models.PositiveIntegerField(_("服务户数"), default=0)
    bins_recyclable = models.PositiveSmallIntegerField(_("可回收物桶数"), default=0)
    bins_hazardous = models.PositiveSmallIntegerField(_("有害垃圾桶数"), default=0)
    bins_wet = models.PositiveSmallIntegerField(_("湿垃圾桶数"), default=0)
    bins_dry = models.PositiveSmallIntegerField(_("干垃圾桶数"), default=0)
    state = models.CharField(
        _("状态"), max_length=20, choices=PointState.choices, default=PointState.PLANNED
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("并入点位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
    )
    rebuilt_on = models.DateField(
        _("四分类箱房改造日期"), null=True, blank=True, help_text=_("改建为四分类垃圾箱房的日期")
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("投放点")
        verbose_name_plural = _("投放点")
        ordering = ["community__code", "name", "id"]
        constraints = [
            _one_subject("sorting_point_one_subject"),
            models.CheckConstraint(
                condition=Q(merged_into__isnull=True) | Q(state=PointState.MERGED),
                name="sorting_point_merged_has_target",
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def subject(self):
        return self.estate or self.unit

    def bins(self) -> dict:
        return {
            WasteCategory.RECYCLABLE: self.bins_recyclable,
            WasteCategory.HAZARDOUS: self.bins_hazardous,
            WasteCategory.WET: self.bins_wet,
            WasteCategory.DRY: self.bins_dry,
        }


class DropOffWindow(models.Model):
    """投放时段: when a point is open for drop-off (commonly 07:00–09:00 and 18:00–20:00)."""

    point = models.ForeignKey(
        DropOffPoint, verbose_name=_("投放点"), on_delete=models.CASCADE, related_name="windows"
    )
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))

    class Meta:
        verbose_name = _("投放时段")
        verbose_name_plural = _("投放时段")
        ordering = ["start"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="sorting_window_order"),
            models.UniqueConstraint(fields=["point", "start"], name="sorting_window_once"),
        ]

    def __str__(self):
        return f"{self.start:%H:%M}–{self.end:%H:%M}"


class PointChange(ImmutableModel):
    """投放点变更记录: who set up, changed, opened or merged a point, and when."""

    point = models.ForeignKey(
        DropOffPoint, verbose_name=_("投放点"), on_delete=models.PROTECT, related_name="changes"
    )
    action = models.CharField(_("操作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("投放点变更记录")
        verbose_name_plural = _("投放点变更记录")
        ordering = ["-at", "-id"]


class VolunteerTeam(models.Model):
    """志愿者队伍: one of the teams that stand at the points (seed 000: six of them)."""

    name = models.CharField(_("队伍名称"), max_length=100, unique=True)
    community = _community()
    leader_name = models.CharField(_("队长"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("志愿者队伍")
        verbose_name_plural = _("志愿者队伍")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Guide(models.Model):
    """点位指导员: a member of staff, a volunteer or a 楼组长 who guides residents at a point; with
    an account (`user`) they check in on the phone."""

    name = models.CharField(_("姓名"), max_length=50)
    kind = models.CharField(_("身份"), max_length=20, choices=GuideKind.choices)
    community = _community()
    team = models.ForeignKey(
        VolunteerTeam,
        verbose_name=_("志愿者队伍"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="guides",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sorting_guide",
    )
    is_active = models.BooleanField(_("在岗"), default=True)

    class Meta:
        verbose_name = _("点位指导员")
        verbose_name_plural = _("点位指导员")
        ordering = ["community__code", "name", "id"]

    def __str__(self):
        return self.name


class GuideShift(models.Model):
    """值守班次: a guide at a point in one window of one day. No guide: unfilled (缺岗); the window
    over without a check-in: missed (漏岗)."""

    point = models.ForeignKey(
        DropOffPoint, verbose_name=_("投放点"), on_delete=models.PROTECT, related_name="shifts"
    )
    community = _community()
    day = models.DateField(_("日期"), db_index=True)
    start = models.TimeField(_("开始"))
    end = models.TimeField(_("结束"))
    guide = models.ForeignKey(
        Guide,
        verbose_name=_("指导员"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shifts",
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=ShiftState.choices, default=ShiftState.PLANNED
    )
    checked_in_at = models.DateTimeField(_("签到时间"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("签退时间"), null=True, blank=True)
    households_guided = models.PositiveIntegerField(_("指导户次"), default=0)
    wrong_drops = models.PositiveIntegerField(_("纠正错投次数"), default=0)
    note = models.CharField(_("值守情况"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("值守班次")
        verbose_name_plural = _("值守班次")
        ordering = ["day", "start", "point_id"]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="sorting_shift_order"),
            models.UniqueConstraint(fields=["point", "day", "start"], name="sorting_shift_once"),
        ]

    def __str__(self):
        return f"{self.point} {self.day} {self.start:%H:%M}"


class ShiftEvent(ImmutableModel):
    """值守记录: each step of a shift (assigned, checked in, checked out, cancelled)."""

    shift = models.ForeignKey(
        GuideShift, verbose_name=_("值守班次"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=20)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("值守记录")
        verbose_name_plural = _("值守记录")
        ordering = ["at", "id"]


class Pledge(ImmutableModel):
    """垃圾分类承诺书: a household's signed pledge to sort (seed 000: "签订承诺书"), once."""

    household = models.OneToOneField(
        "registry.Household",
        verbose_name=_("户"),
        on_delete=models.PROTECT,
        related_name="sorting_pledge",
    )
    estate = models.ForeignKey(
        "estates.Estate",
        verbose_name=_("小区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    community = _community()
    signed_on = models.DateField(_("签订日期"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("垃圾分类承诺书")
        verbose_name_plural = _("垃圾分类承诺书")
        ordering = ["-signed_on", "-id"]


class Convention(ImmutableModel):
    """居民公约: an estate's residents' convention on sorting, versioned — a new text is a new
    version, the old ones stay as adopted."""

    estate = models.ForeignKey(
        "estates.Estate",
        verbose_name=_("小区"),
        on_delete=models.PROTECT,
        related_name="sorting_conventions",
    )
    community = _community()
    version = models.PositiveSmallIntegerField(_("版本"))
    title = models.CharField(_("标题"), max_length=100)
    text = models.TextField(_("公约内容"), max_length=5000)
    adopted_on = models.DateField(_("通过日期"))
    adopted_at = models.CharField(
        _("通过会议"), max_length=200, blank=True, help_text=_("通过该公约的会议（如居民议事会）")
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("通过该公约的三会"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("已召开的听证会、协调会或评议会"),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("居民公约")
        verbose_name_plural = _("居民公约")
        ordering = ["estate_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "version"], name="sorting_convention_once"),
        ]

    def __str__(self):
        return f"{self.title} v{self.version}"


class Baseline(models.Model):
    """减量基数: the dry/mixed kilograms per day an estate or a unit put out before sorting
    started; reduction is measured against it from `start_date` on."""

    estate = models.OneToOneField(
        "estates.Estate",
        verbose_name=_("小区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sorting_baseline",
    )
    unit = models.OneToOneField(
        SortingUnit,
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="baseline",
    )
    community = _community()
    kg_per_day = models.DecimalField(_("基数（公斤/日）"), max_digits=10, decimal_places=2)
    start_date = models.DateField(_("分类起始日期"))
    note = models.CharField(_("测算说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("减量基数")
        verbose_name_plural = _("减量基数")
        constraints = [
            _one_subject("sorting_baseline_one_subject"),
            models.CheckConstraint(condition=Q(kg_per_day__gt=0), name="sorting_baseline_positive"),
        ]

    def __str__(self):
        return f"{self.estate or self.unit} {self.kg_per_day}"


class Weighing(ImmutableModel):
    """称重记录: one load of one category from an estate or a unit on a day, in kilograms, with
    the hauler; a load the hauler refused as mixed (混装拒收) is kept but never counted."""

    day = models.DateField(_("日期"), db_index=True)
    estate = models.ForeignKey(
        "estates.Estate",
        verbose_name=_("小区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        SortingUnit,
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    community = _community()
    category = models.CharField(_("类别"), max_length=20, choices=WasteCategory.choices)
    kg = models.DecimalField(_("重量（公斤）"), max_digits=10, decimal_places=2)
    hauler = models.CharField(_("清运单位"), max_length=100)
    refused_mixed = models.BooleanField(_("混装拒收"), default=False)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("称重记录")
        verbose_name_plural = _("称重记录")
        ordering = ["-day", "-id"]
        constraints = [
            _one_subject("sorting_weighing_one_subject"),
            models.CheckConstraint(condition=Q(kg__gt=0), name="sorting_weighing_positive"),
        ]


class InspectionTemplate(models.Model):
    """检查评分表: the itemised score sheet (out of 100) inspectors fill in. Editing it makes a
    new version; inspections keep the items they were scored on."""

    name = models.CharField(_("名称"), max_length=100)
    version = models.PositiveSmallIntegerField(_("版本"), unique=True)
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("检查评分表")
        verbose_name_plural = _("检查评分表")
        ordering = ["-version"]

    def __str__(self):
        return f"{self.name} v{self.version}"


class TemplateItem(models.Model):
    """评分项: one line of the score sheet with its maximum points; `is_purity` marks bin purity
    (桶内纯净度)."""

    template = models.ForeignKey(
        InspectionTemplate, verbose_name=_("评分表"), on_delete=models.PROTECT, related_name="items"
    )
    name = models.CharField(_("评分项"), max_length=100)
    max_points = models.PositiveSmallIntegerField(_("分值"))
    is_purity = models.BooleanField(_("桶内纯净度"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "name"], name="sorting_item_once"),
            models.CheckConstraint(condition=Q(max_points__gt=0), name="sorting_item_positive"),
        ]

    def __str__(self):
        return self.name


class Inspection(ImmutableModel):
    """垃圾分类检查: an itemised score out of 100 of an estate or a unit; 90 or more passes. A fail
    opens a case for the 物业 and is due a re-inspection within 5 working days."""

    estate = models.ForeignKey(
        "estates.Estate",
        verbose_name=_("小区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        SortingUnit,
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    community = _community()
    point = models.ForeignKey(
        DropOffPoint,
        verbose_name=_("投放点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
    )
    template = models.ForeignKey(
        InspectionTemplate, verbose_name=_("评分表"), on_delete=models.PROTECT, related_name="+"
    )
    inspected_at = models.DateTimeField(_("检查时间"), db_index=True)
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    score = models.PositiveSmallIntegerField(_("得分"))
    passed = models.BooleanField(_("达标"))
    reinspection_of = models.ForeignKey(
        "self",
        verbose_name=_("复查对象"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reinspections",
    )
    reinspect_by = models.DateTimeField(_("复查期限"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("整改案件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("检查意见"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("垃圾分类检查")
        verbose_name_plural = _("垃圾分类检查")
        ordering = ["-inspected_at", "-id"]
        constraints = [
            _one_subject("sorting_inspection_one_subject"),
            models.CheckConstraint(
                condition=Q(score__lte=FULL_SCORE), name="sorting_inspection_score_max"
            ),
            models.CheckConstraint(
                condition=Q(passed=True, score__gte=PASS_SCORE)
                | Q(passed=False, score__lt=PASS_SCORE),
                name="sorting_inspection_pass_mark",
            ),
        ]

    def __str__(self):
        return f"{self.estate or self.unit} {self.inspected_at:%Y-%m-%d} {self.score}"

    @property
    def subject(self):
        return self.estate or self.unit


class InspectionScore(ImmutableModel):
    """检查得分: the points one inspection gave one item (the item's name and maximum copied, so
    a later template does not change it)."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.PROTECT, related_name="scores"
    )
    item = models.CharField(_("评分项"), max_length=100)
    max_points = models.PositiveSmallIntegerField(_("分值"))
    points = models.PositiveSmallIntegerField(_("得分"))
    is_purity = models.BooleanField(_("桶内纯净度"), default=False)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("检查得分")
        verbose_name_plural = _("检查得分")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(points__lte=F("max_points")), name="sorting_score_within_max"
            ),
        ]


def inspection_photo_path(instance, filename: str) -> str:
    import secrets

    from django.utils import timezone

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"sorting/{timezone.localdate():%Y/%m/%d}/{secrets.token_hex(16)}.{ext}"


class InspectionPhoto(ImmutableModel):
    """检查照片: a photo taken at an inspection, stored cleaned (type sniffed, re-encoded without
    metadata) like a case's photos."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.PROTECT, related_name="photos"
    )
    file = models.FileField(_("文件"), upload_to=inspection_photo_path, max_length=200)
    content_type = models.CharField(_("内容类型"), max_length=50)
    width = models.PositiveIntegerField(_("宽度"))
    height = models.PositiveIntegerField(_("高度"))
    size = models.PositiveIntegerField(_("大小（字节）"))

    class Meta:
        verbose_name = _("检查照片")
        verbose_name_plural = _("检查照片")
        ordering = ["id"]


class Card(ImmutableModel):
    """黄牌/红牌: raised when an estate or a unit fails again (two fails in a row: yellow; three
    or more: red)."""

    estate = models.ForeignKey(
        "estates.Estate",
        verbose_name=_("小区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    unit = models.ForeignKey(
        SortingUnit,
        verbose_name=_("单位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    community = _community()
    colour = models.CharField(_("颜色"), max_length=10, choices=CardColour.choices)
    inspection = models.OneToOneField(
        Inspection, verbose_name=_("检查"), on_delete=models.PROTECT, related_name="card"
    )
    fails_in_a_row = models.PositiveSmallIntegerField(_("连续不达标次数"))
    issued_at = models.DateTimeField(_("亮牌时间"))

    class Meta:
        verbose_name = _("黄牌/红牌")
        verbose_name_plural = _("黄牌/红牌")
        ordering = ["-issued_at", "-id"]
        constraints = [_one_subject("sorting_card_one_subject")]


class PointsAccount(models.Model):
    """绿色账户: a household's points account, or one of the street's two (issued, redeemed)."""

    kind = models.CharField(_("类型"), max_length=20, choices=AccountKind.choices)
    household = models.OneToOneField(
        "registry.Household",
        verbose_name=_("户"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="green_account",
    )
    community = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("居村"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    opened_at = models.DateTimeField(_("开户时间"))

    class Meta:
        verbose_name = _("绿色账户")
        verbose_name_plural = _("绿色账户")
        constraints = [
            # A household's account has its household; the street's two have none, one each.
            models.CheckConstraint(
                condition=Q(kind=AccountKind.HOUSEHOLD, household__isnull=False)
                | (~Q(kind=AccountKind.HOUSEHOLD) & Q(household__isnull=True)),
                name="sorting_account_owner",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=~Q(kind=AccountKind.HOUSEHOLD),
                name="sorting_account_street_once",
            ),
        ]

    def __str__(self):
        if self.household_id:
            return str(self.household)
        return self.get_kind_display()


class PointsEntry(ImmutableModel):
    """积分分录: one posting of the green-account ledger — `amount` points move from the debit
    account to the credit account. Each entry carries both legs (−amount, +amount), so every
    entry, and the whole ledger, sums to zero by construction; the database refuses a missing
    leg, a non-positive amount and an account posting to itself."""

    debit = models.ForeignKey(
        PointsAccount, verbose_name=_("借方账户"), on_delete=models.PROTECT, related_name="debits"
    )
    credit = models.ForeignKey(
        PointsAccount, verbose_name=_("贷方账户"), on_delete=models.PROTECT, related_name="credits"
    )
    amount = models.PositiveIntegerField(_("积分"))
    reason = models.CharField(_("事由"), max_length=20, choices=EntryReason.choices)
    shift = models.ForeignKey(
        GuideShift,
        verbose_name=_("值守班次"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("积分分录")
        verbose_name_plural = _("积分分录")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="sorting_entry_positive"),
            models.CheckConstraint(
                condition=~Q(debit=F("credit")), name="sorting_entry_two_accounts"
            ),
        ]


class Reward(models.Model):
    """兑换礼品: an item of the goods list households redeem their green-account points for (an
    eco bag, washing-up liquid …) at its price in points. Withdrawn items stay (inactive) so the
    statements that name them still read."""

    name = models.CharField(_("礼品名称"), max_length=50, unique=True)
    points = models.PositiveIntegerField(_("所需积分"))
    is_active = models.BooleanField(_("可兑换"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("兑换礼品")
        verbose_name_plural = _("兑换礼品")
        ordering = ["order", "points", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(points__gt=0), name="sorting_reward_positive"),
        ]

    def __str__(self):
        return self.name
