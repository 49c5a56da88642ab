"""Fire-safety grading of rental houses (出租屋消防“三色码”, seeds 001–003).

"以消防‘三色码’为基础，构建消防安全分级管理数据库，对全镇1692户农村自建房出租屋实现‘一户一码’
全覆盖，形成动态‘作战图’": each let dwelling of the registry (registry.Household with use 出租 or
群租) gets one code (RentalHouse, with an unguessable token printed as a QR door label). An
inspection ticks the checklist (CheckItem: 重大 or 一般 hazards, editable), which grades the house
red, yellow or green (firesafety.workflow); every change of colour is an immutable ColourChange
with the inspection that caused it.

Rows change only through firesafety.services. Houses hang off a micro-grid (their address's),
which is how grids.scoping scopes them.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import ImmutableModel
from civicgrid.firesafety.choices import Colour, HouseUse, Severity, Structure


def new_token() -> str:
    """The code's token: 128 random bits, URL-safe (never the primary key)."""
    return secrets.token_urlsafe(16)


class CheckItem(models.Model):
    """消防检查项: one hazard the inspector looks for, 重大 or 一般 (editable; seeded with the
    default checklist)."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("隐患"), max_length=60, unique=True)
    description = models.CharField(_("检查内容"), max_length=200, blank=True)
    severity = models.CharField(_("等级"), max_length=10, choices=Severity.choices)
    order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("消防检查项")
        verbose_name_plural = _("消防检查项")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name

    @property
    def is_major(self) -> bool:
        return self.severity == Severity.MAJOR


class RentalHouse(models.Model):
    """出租屋（一户一码）: a let dwelling of the registry with its fire-safety particulars, its
    code's token, its colour and the dates that follow from it."""

    household = models.OneToOneField(
        "registry.Household",
        verbose_name=_("户"),
        on_delete=models.PROTECT,
        related_name="fire_house",
    )
    micro_grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("微网格"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    community = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("居村"),
        on_delete=models.PROTECT,
        related_name="fire_houses",
    )
    token = models.CharField(_("码"), max_length=32, unique=True, default=new_token)
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    area_m2 = models.DecimalField(
        _("建筑面积（平方米）"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    structure = models.CharField(_("结构"), max_length=20, choices=Structure.choices, blank=True)
    rooms = models.PositiveSmallIntegerField(_("出租间数"), null=True, blank=True)
    use = models.CharField(
        _("使用性质"), max_length=20, choices=HouseUse.choices, default=HouseUse.RESIDENTIAL
    )
    colour = models.CharField(
        _("三色码"), max_length=10, choices=Colour.choices, blank=True, db_index=True
    )
    colour_since = models.DateTimeField(_("本色起始"), null=True, blank=True)
    last_inspected_at = models.DateTimeField(_("最近检查"), null=True, blank=True)
    next_inspection_due = models.DateTimeField(_("下次检查"), null=True, blank=True, db_index=True)
    rectify_by = models.DateTimeField(_("整改期限"), null=True, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("红码案件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    escalated_at = models.DateTimeField(_("基层约请时间"), null=True, blank=True)
    is_active = models.BooleanField(_("在用"), default=True, db_index=True)
    coded_at = models.DateTimeField(_("赋码时间"), default=timezone.now)
    coded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("赋码人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("出租屋")
        verbose_name_plural = _("出租屋")
        ordering = ["community__code", "household__address__normalized", "id"]

    def __str__(self):
        return str(self.household.address)


class Inspection(ImmutableModel):
    """消防检查: one inspection of a rental house (immutable): the hazards found, the colour they
    give, the deadlines set, whether the landlord acknowledged it (签字确认)."""

    house = models.ForeignKey(
        RentalHouse, verbose_name=_("出租屋"), on_delete=models.PROTECT, related_name="inspections"
    )
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("检查人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    inspected_at = models.DateTimeField(_("检查时间"), db_index=True)
    colour = models.CharField(_("评定"), max_length=10, choices=Colour.choices)
    major_count = models.PositiveSmallIntegerField(_("重大隐患数"), default=0)
    minor_count = models.PositiveSmallIntegerField(_("一般隐患数"), default=0)
    occupants = models.PositiveSmallIntegerField(_("居住人数"), default=0)
    landlord_acknowledged = models.BooleanField(_("房东签字确认"), default=False)
    acknowledged_by = models.CharField(_("确认人"), max_length=50, blank=True)
    note = models.CharField(_("备注"), max_length=300, blank=True)
    rectify_by = models.DateTimeField(_("整改期限"), null=True, blank=True)
    next_due = models.DateTimeField(_("下次检查"))

    class Meta:
        verbose_name = _("消防检查")
        verbose_name_plural = _("消防检查")
        ordering = ["-inspected_at", "-id"]

    def __str__(self):
        return f"{self.house} {self.inspected_at:%Y-%m-%d}"


class Finding(ImmutableModel):
    """检查发现: one hazard found at an inspection, with what the inspector saw."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.PROTECT, related_name="findings"
    )
    item = models.ForeignKey(
        CheckItem, verbose_name=_("检查项"), on_delete=models.PROTECT, related_name="findings"
    )
    severity = models.CharField(_("等级"), max_length=10, choices=Severity.choices)
    note = models.CharField(_("情况说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("检查发现")
        verbose_name_plural = _("检查发现")
        ordering = ["inspection", "item__order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="fire_finding_once"),
        ]

    def __str__(self):
        return str(self.item)


def inspection_photo_path(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"firesafety/{timezone.localdate():%Y/%m/%d}/{secrets.token_hex(16)}.{ext}"


class InspectionPhoto(ImmutableModel):
    """检查照片: a photo taken at a fire-safety inspection, stored cleaned like a case's."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.PROTECT, related_name="photos"
    )
    file = models.FileField(_("文件"), upload_to=inspection_photo_path, max_length=200)
    content_type = models.CharField(_("内容类型"), max_length=50)
    width = models.PositiveIntegerField(_("宽度"))
    height = models.PositiveIntegerField(_("高度"))
    size = models.PositiveIntegerField(_("大小（字节）"))

    class Meta:
        verbose_name = _("消防检查照片")
        verbose_name_plural = _("消防检查照片")
        ordering = ["id"]


class ColourChange(ImmutableModel):
    """三色码变更记录: the house's colour changed (or was first given) by an inspection."""

    house = models.ForeignKey(
        RentalHouse, verbose_name=_("出租屋"), on_delete=models.PROTECT, related_name="changes"
    )
    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.PROTECT, related_name="changes"
    )
    from_colour = models.CharField(_("原颜色"), max_length=10, blank=True)
    to_colour = models.CharField(_("新颜色"), max_length=10, choices=Colour.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("三色码变更记录")
        verbose_name_plural = _("三色码变更记录")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.house} {self.from_colour or '—'}→{self.to_colour}"

    @property
    def from_label(self) -> str:
        return Colour(self.from_colour).label if self.from_colour in Colour.values else ""

    @property
    def to_label(self) -> str:
        return Colour(self.to_colour).label
