"""创建/创评 campaigns (全国文明城区 and the like) with their 督查 rounds, and the 无违建 register
(seeds 003, 001, 000).

A campaign has a checklist per kind of checkpoint (its 测评体系), its actions (the 五大行动) with
owners and weekly plans, and checkpoints (点位) on the map, each with an owner. Every week a 督查
round assigns checkpoints to inspectors; an inspection scores the checklist item by item, and each
failed item becomes a case (source 督查) for the owner with a deadline and is re-checked in the next
round: "有督查就有情况反馈，有督查就有处理结果". Inspections and their results are immutable.

The 无违建 register keeps the illegal structures (违法建筑) of each 居村 through 发现 → 告知 →
拆除/整改 → 复核 and the 居村's creation status; both with immutable histories.

Rows change only through campaigns.services. Checkpoints and structures hang off a 居村 (and a
micro-grid when their point is in one), which is how grids.scoping scopes them.
"""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.campaigns.choices import (
    CampaignLevel,
    CheckpointKind,
    CreationStatus,
    OwnerKind,
    RoundKind,
    RoundState,
    StructureState,
)
from civicgrid.core.models import ImmutableModel


class Campaign(models.Model):
    """创建活动 (创评): a campaign for a title (全国文明城区 …), its period and assessment dates."""

    name = models.CharField(_("活动名称"), max_length=100, unique=True)
    level = models.CharField(_("级别"), max_length=20, choices=CampaignLevel.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    # 评审 and 复评: the readiness report is read before these.
    review_on = models.DateField(_("评审日期"), null=True, blank=True)
    re_review_on = models.DateField(_("复评日期"), null=True, blank=True)
    # Share of items passing that counts as ready (a checkpoint or the campaign).
    target_percent = models.PositiveSmallIntegerField(_("达标线（百分比）"), default=90)
    is_active = models.BooleanField(_("进行中"), default=True)

    class Meta:
        verbose_name = _("创建活动")
        verbose_name_plural = _("创建活动")
        ordering = ["-starts_on", "id"]

    def __str__(self):
        return self.name


class CampaignEvent(ImmutableModel):
    """创建活动变更记录: what an edit of a campaign changed (the campaign itself, a 测评项, an
    action or a 点位), by whom and when (immutable)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("创建活动"), on_delete=models.PROTECT, related_name="events"
    )
    subject = models.CharField(_("对象"), max_length=20)
    object_id = models.PositiveIntegerField(_("对象编号"), null=True, blank=True)
    object_name = models.CharField(_("对象名称"), max_length=100, blank=True)
    changes = models.TextField(_("变更内容"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("创建活动变更记录")
        verbose_name_plural = _("创建活动变更记录")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.object_name} {self.changes}"


class ChecklistItem(models.Model):
    """测评项: one line of the campaign's 测评体系 for one kind of checkpoint."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("创建活动"), on_delete=models.PROTECT, related_name="items"
    )
    kind = models.CharField(_("点位类型"), max_length=20, choices=CheckpointKind.choices)
    name = models.CharField(_("测评项"), max_length=60)
    description = models.CharField(_("测评内容"), max_length=300, blank=True)
    order = models.PositiveIntegerField(_("排序"), default=0)
    # A retired item keeps its past results; new inspections leave it out.
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("测评项")
        verbose_name_plural = _("测评项")
        ordering = ["campaign_id", "kind", "order", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind", "name"], name="campaigns_item_once_per_kind"
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()} · {self.name}"


class CampaignAction(models.Model):
    """创建行动: one of the campaign's actions (the 五大行动) and who leads it."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("创建活动"), on_delete=models.PROTECT, related_name="actions"
    )
    name = models.CharField(_("行动名称"), max_length=60)
    owner = models.CharField(_("牵头单位"), max_length=100)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("创建行动")
        verbose_name_plural = _("创建行动")
        ordering = ["campaign_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="campaigns_action_once")
        ]

    def __str__(self):
        return self.name


class WeeklyPlan(models.Model):
    """周行动计划: what an action will do this week, where, by whom; done or not
    ("周周有行动，一周一个样")."""

    action = models.ForeignKey(
        CampaignAction, verbose_name=_("创建行动"), on_delete=models.PROTECT, related_name="plans"
    )
    week_start = models.DateField(_("周起（周一）"), db_index=True)
    what = models.CharField(_("工作内容"), max_length=200)
    where = models.CharField(_("地点"), max_length=100)
    who = models.CharField(_("责任人"), max_length=60)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    done_note = models.CharField(_("完成情况"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("周行动计划")
        verbose_name_plural = _("周行动计划")
        ordering = ["-week_start", "action_id", "id"]

    def __str__(self):
        return f"{self.week_start:%m-%d} {self.what}"


class Checkpoint(models.Model):
    """测评点位: a place the assessors look at (小区, 背街小巷, 集贸市场 …) on the map, with its
    owner (居村, 部门, 物业 or 单位)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("创建活动"), on_delete=models.PROTECT, related_name="checkpoints"
    )
    kind = models.CharField(_("点位类型"), max_length=20, choices=CheckpointKind.choices)
    name = models.CharField(_("点位名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    community = models.ForeignKey(
        "grids.Grid", verbose_name=_("居村"), on_delete=models.PROTECT, related_name="+"
    )
    # The micro-grid the point lies in (grids.locator), for scoping and for the case.
    micro_grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("微网格"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    owner_kind = models.CharField(_("责任主体类型"), max_length=20, choices=OwnerKind.choices)
    owner_name = models.CharField(_("责任主体"), max_length=100)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("测评点位")
        verbose_name_plural = _("测评点位")
        ordering = ["campaign_id", "kind", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "kind", "name"], name="campaigns_checkpoint_once"
            )
        ]

    def __str__(self):
        return self.name


class InspectionRound(models.Model):
    """督查轮次: one week's 督查 (or a 模拟测评) of a campaign; its tasks assign checkpoints to
    inspectors. Closing it leaves what was not inspected as 未检."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("创建活动"), on_delete=models.PROTECT, related_name="rounds"
    )
    kind = models.CharField(
        _("轮次类型"), max_length=20, choices=RoundKind.choices, default=RoundKind.WEEKLY
    )
    number = models.PositiveIntegerField(_("轮次"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    state = models.CharField(
        _("状态"), max_length=20, choices=RoundState.choices, default=RoundState.PLANNED
    )
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("排定人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("督查轮次")
        verbose_name_plural = _("督查轮次")
        ordering = ["campaign_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "number"], name="campaigns_round_once")
        ]

    def __str__(self):
        return _("第%(n)s轮%(kind)s") % {"n": self.number, "kind": self.get_kind_display()}


class RoundEvent(ImmutableModel):
    """督查轮次记录: a round planned or closed, by whom and when (immutable)."""

    round = models.ForeignKey(
        InspectionRound, verbose_name=_("督查轮次"), on_delete=models.PROTECT, related_name="events"
    )
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("督查轮次记录")
        verbose_name_plural = _("督查轮次记录")
        ordering = ["-at", "-id"]


class Assignment(models.Model):
    """督查任务: one checkpoint of a round given to one inspector. `is_recheck` marks a checkpoint
    taken in because an item of it failed before (复查)."""

    round = models.ForeignKey(
        InspectionRound,
        verbose_name=_("督查轮次"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    checkpoint = models.ForeignKey(
        Checkpoint, verbose_name=_("点位"), on_delete=models.PROTECT, related_name="assignments"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督查人"),
        on_delete=models.PROTECT,
        related_name="campaign_assignments",
    )
    is_recheck = models.BooleanField(_("复查"), default=False)

    class Meta:
        verbose_name = _("督查任务")
        verbose_name_plural = _("督查任务")
        ordering = ["round_id", "checkpoint__kind", "checkpoint__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "checkpoint"], name="campaigns_checkpoint_once_per_round"
            )
        ]

    def __str__(self):
        return f"{self.round} {self.checkpoint}"


class Inspection(ImmutableModel):
    """督查记录: the scored checklist of one assignment (immutable once recorded)."""

    assignment = models.OneToOneField(
        Assignment, verbose_name=_("督查任务"), on_delete=models.PROTECT, related_name="inspection"
    )
    # Copied from the assignment so that readiness reads one table.
    round = models.ForeignKey(
        InspectionRound,
        verbose_name=_("督查轮次"),
        on_delete=models.PROTECT,
        related_name="inspections",
    )
    checkpoint = models.ForeignKey(
        Checkpoint, verbose_name=_("点位"), on_delete=models.PROTECT, related_name="inspections"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督查人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    inspected_at = models.DateTimeField(_("督查时间"), db_index=True)
    passed_count = models.PositiveIntegerField(_("合格项数"))
    item_count = models.PositiveIntegerField(_("测评项数"), validators=[MinValueValidator(1)])
    note = models.CharField(_("备注"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("督查记录")
        verbose_name_plural = _("督查记录")
        ordering = ["-inspected_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(passed_count__lte=models.F("item_count")),
                name="campaigns_passed_within_items",
            )
        ]

    def __str__(self):
        return f"{self.checkpoint} {self.passed_count}/{self.item_count}"

    @property
    def percent(self) -> int:
        return round(100 * self.passed_count / self.item_count) if self.item_count else 0


class InspectionResult(ImmutableModel):
    """测评结果: one item of one inspection, passed or not. A failure links its case (opened now,
    or the earlier one still open); `recheck_of` is the earlier failure this result re-checks."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("督查记录"), on_delete=models.PROTECT, related_name="results"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("测评项"), on_delete=models.PROTECT, related_name="results"
    )
    passed = models.BooleanField(_("合格"))
    note = models.CharField(_("情况说明"), max_length=300, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("案件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recheck_of = models.ForeignKey(
        "self",
        verbose_name=_("复查的结果"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="rechecks",
    )

    class Meta:
        verbose_name = _("测评结果")
        verbose_name_plural = _("测评结果")
        ordering = ["inspection_id", "item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="campaigns_result_once")
        ]

    def __str__(self):
        return f"{self.item} {'✓' if self.passed else '✗'}"


def photo_path(instance, filename):
    return f"campaigns/{instance.inspection_id}/{filename}"


class InspectionPhoto(ImmutableModel):
    """督查照片: taken with an inspection, stored cleaned like a case's photos."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("督查记录"), on_delete=models.PROTECT, related_name="photos"
    )
    file = models.FileField(_("文件"), upload_to=photo_path, max_length=200)
    content_type = models.CharField(_("内容类型"), max_length=50)
    width = models.PositiveIntegerField(_("宽度"))
    height = models.PositiveIntegerField(_("高度"))
    size = models.PositiveIntegerField(_("大小（字节）"))

    class Meta:
        verbose_name = _("督查照片")
        verbose_name_plural = _("督查照片")
        ordering = ["inspection_id", "id"]


class CommunityCreation(models.Model):
    """无违建居村创建: a 居村's status in the 无违建 creation (创建中, 已创建, 复评通过)."""

    community = models.OneToOneField(
        "grids.Grid", verbose_name=_("居村"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(
        _("创建状态"),
        max_length=20,
        choices=CreationStatus.choices,
        default=CreationStatus.IN_PROGRESS,
    )
    changed_at = models.DateTimeField(_("状态时间"))

    class Meta:
        verbose_name = _("无违建居村创建")
        verbose_name_plural = _("无违建居村创建")
        ordering = ["community__code"]

    def __str__(self):
        return f"{self.community} {self.get_status_display()}"


class CreationEvent(ImmutableModel):
    """无违建创建记录: a 居村's status changed (immutable)."""

    creation = models.ForeignKey(
        CommunityCreation,
        verbose_name=_("无违建居村创建"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("无违建创建记录")
        verbose_name_plural = _("无违建创建记录")
        ordering = ["-at", "-id"]


class IllegalStructure(models.Model):
    """违法建筑: one illegal structure of a 居村, its area and its state (发现 → 告知 →
    拆除/整改 → 复核)."""

    community = models.ForeignKey(
        "grids.Grid", verbose_name=_("居村"), on_delete=models.PROTECT, related_name="+"
    )
    micro_grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("微网格"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    address = models.CharField(_("地址"), max_length=200)
    description = models.CharField(_("情况"), max_length=300)
    area_m2 = models.DecimalField(
        _("面积（平方米）"),
        max_digits=9,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=StructureState.choices, default=StructureState.FOUND
    )
    found_on = models.DateField(_("发现日期"))
    changed_at = models.DateTimeField(_("状态时间"))

    class Meta:
        verbose_name = _("违法建筑")
        verbose_name_plural = _("违法建筑")
        ordering = ["community__code", "-found_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(area_m2__gt=0), name="campaigns_structure_area_positive"
            )
        ]

    def __str__(self):
        return f"{self.address} {self.area_m2}㎡"


class StructureEvent(ImmutableModel):
    """违法建筑处置记录: one step of a structure (immutable)."""

    structure = models.ForeignKey(
        IllegalStructure,
        verbose_name=_("违法建筑"),
        on_delete=models.PROTECT,
        related_name="events",
    )
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("违法建筑处置记录")
        verbose_name_plural = _("违法建筑处置记录")
        ordering = ["-at", "-id"]


def structure_photo_path(instance, filename):
    return f"campaigns/structures/{instance.structure_id}/{filename}"


class StructurePhoto(ImmutableModel):
    """违法建筑照片: taken when the structure was found (or at a later step), stored cleaned."""

    structure = models.ForeignKey(
        IllegalStructure,
        verbose_name=_("违法建筑"),
        on_delete=models.PROTECT,
        related_name="photos",
    )
    file = models.FileField(_("文件"), upload_to=structure_photo_path, max_length=200)
    content_type = models.CharField(_("内容类型"), max_length=50)
    width = models.PositiveIntegerField(_("宽度"))
    height = models.PositiveIntegerField(_("高度"))
    size = models.PositiveIntegerField(_("大小（字节）"))

    class Meta:
        verbose_name = _("违法建筑照片")
        verbose_name_plural = _("违法建筑照片")
        ordering = ["structure_id", "id"]
