"""The street-shop roll (沿街商铺) and 门责 inspections (seeds 002, 003, 000).

"全镇共划分37个沿街商铺区块,实行包干责任人负责制,每半月更新覆盖一次": the street front is cut into
blocks (区块), each with a responsible person (包干责任人) who, every half-month, confirms, adds or
closes every shop of the block (RefreshRound). Shops are the first rows of the registry of units
(实有单位). Self-discipline associations (商铺自律联盟) group the shops of a commercial street.
门责 inspections check each shop's front item by item; a failed item becomes a case.

Rows change only through shops.services; history, access logs and inspections are immutable.
Every row hangs off a 居村 through its block, which is how grids.scoping scopes them.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import ImmutableModel
from civicgrid.shops.choices import ShopAction, ShopState, Trade


class Block(models.Model):
    """沿街商铺区块: a stretch of street front (a road segment or a polygon, GeoJSON) in one 居村,
    with its 包干责任人 and a deputy."""

    code = models.CharField(_("区块编号"), max_length=20, unique=True)
    name = models.CharField(_("区块名称"), max_length=100)
    community = models.ForeignKey(
        "grids.Grid", verbose_name=_("居村"), on_delete=models.PROTECT, related_name="shop_blocks"
    )
    geometry = models.JSONField(_("路段或范围（GeoJSON）"), null=True, blank=True)
    responsible = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("包干责任人"),
        on_delete=models.PROTECT,
        related_name="shop_blocks",
    )
    deputy = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("副责任人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shop_blocks_deputy",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    # A block is judged on the half-month before this one only if it existed then.
    created_at = models.DateTimeField(_("设立时间"), default=timezone.now)

    class Meta:
        verbose_name = _("商铺区块")
        verbose_name_plural = _("商铺区块")
        ordering = ["code"]

    def __str__(self):
        return f"{self.code} {self.name}"


class Association(models.Model):
    """商铺自律联盟: the shops of a commercial street that keep a convention (公约) together,
    led by a head (会长) from among its members."""

    name = models.CharField(_("联盟名称"), max_length=100, unique=True)
    head = models.ForeignKey(
        "Shop",
        verbose_name=_("会长单位"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    convention = models.TextField(_("自律公约"), blank=True)
    convention_adopted_on = models.DateField(_("公约通过日期"), null=True, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("商铺自律联盟")
        verbose_name_plural = _("商铺自律联盟")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Shop(models.Model):
    """沿街商铺 (a 实有单位): sign, place, 统一社会信用代码, trade, operator, state and 门责协议.

    `in_roll` is False once the shop is gone (注销); its history stays."""

    sign_name = models.CharField(_("店招名称"), max_length=100)
    block = models.ForeignKey(
        Block, verbose_name=_("所属区块"), on_delete=models.PROTECT, related_name="shops"
    )
    address = models.CharField(_("地址"), max_length=200)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    trade = models.CharField(_("行业"), max_length=20, choices=Trade.choices)
    operator_name = models.CharField(_("经营者"), max_length=50, blank=True)
    operator_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    state = models.CharField(
        _("经营状态"), max_length=20, choices=ShopState.choices, default=ShopState.OPEN
    )
    association = models.ForeignKey(
        Association,
        verbose_name=_("自律联盟"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="members",
    )
    agreement_date = models.DateField(_("门责协议签订日期"), null=True, blank=True)
    in_roll = models.BooleanField(_("在册"), default=True, db_index=True)
    registered_at = models.DateTimeField(_("登记时间"))
    last_confirmed_at = models.DateTimeField(_("最近核实时间"), null=True, blank=True)
    last_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("最近核实人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("沿街商铺")
        verbose_name_plural = _("沿街商铺")
        ordering = ["block__code", "address", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~models.Q(credit_code="") & models.Q(in_roll=True),
                name="shop_credit_code_once_in_roll",
            ),
        ]

    def __str__(self):
        return self.sign_name


class RefreshRound(models.Model):
    """半月更新: one block's refresh for one half-month (the 1st–15th or the 16th–end). It is
    complete when every shop in the roll has been confirmed, added or closed in it."""

    block = models.ForeignKey(
        Block, verbose_name=_("区块"), on_delete=models.PROTECT, related_name="rounds"
    )
    period_start = models.DateField(_("半月起"))
    period_end = models.DateField(_("半月止"))
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("完成人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("半月更新轮次")
        verbose_name_plural = _("半月更新轮次")
        ordering = ["-period_start", "block__code"]
        constraints = [
            models.UniqueConstraint(fields=["block", "period_start"], name="round_once_per_half"),
        ]

    def __str__(self):
        return f"{self.block.code} {self.period_start:%Y-%m-%d}"


class ShopEvent(ImmutableModel):
    """商铺变更记录: one change or confirmation of a shop, by whom and when (immutable). A row
    with a `round` counts for that half-month's refresh."""

    shop = models.ForeignKey(
        Shop, verbose_name=_("商铺"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("动作"), max_length=20, choices=ShopAction.choices)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, blank=True)
    round = models.ForeignKey(
        RefreshRound,
        verbose_name=_("更新轮次"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    data = models.JSONField(_("变更内容"), default=dict, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("商铺变更记录")
        verbose_name_plural = _("商铺变更记录")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.shop} {self.get_action_display()}"

    @property
    def from_label(self) -> str:
        return ShopState(self.from_state).label if self.from_state in ShopState.values else ""

    @property
    def to_label(self) -> str:
        return ShopState(self.to_state).label if self.to_state in ShopState.values else ""


class ShopDataAccess(ImmutableModel):
    """经营者信息查看记录: each full view of a shop operator's name and phone (like the registry's
    PersonalDataAccess)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("查看人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    shop = models.ForeignKey(
        Shop, verbose_name=_("商铺"), on_delete=models.PROTECT, related_name="data_accesses"
    )
    channel = models.CharField(_("途径"), max_length=100, blank=True)
    accessed_at = models.DateTimeField(_("查看时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("经营者信息查看记录")
        verbose_name_plural = _("经营者信息查看记录")
        ordering = ["-accessed_at", "-id"]

    def __str__(self):
        return f"{self.user} {self.shop}"


class InspectionItem(models.Model):
    """门责检查项: one line of the 门责 check (门前整洁, 无跨门营业 …) and the case category a
    failure of it opens."""

    name = models.CharField(_("检查项"), max_length=50, unique=True)
    description = models.CharField(_("检查内容"), max_length=200, blank=True)
    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("不合格时的案件类别"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("门责检查项")
        verbose_name_plural = _("门责检查项")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class Inspection(ImmutableModel):
    """门责检查: one inspection of a shop's front (immutable once recorded). One with a failed
    item carries the date its re-inspection (复查) is due; a re-inspection points at the
    inspection it checks again."""

    shop = models.ForeignKey(
        Shop, verbose_name=_("商铺"), on_delete=models.PROTECT, related_name="inspections"
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
    passed = models.BooleanField(_("全部合格"))
    note = models.CharField(_("备注"), max_length=300, blank=True)
    reinspection_of = models.ForeignKey(
        "self",
        verbose_name=_("复查的检查"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reinspections",
    )
    reinspect_by = models.DateTimeField(_("复查期限"), null=True, blank=True)

    class Meta:
        verbose_name = _("门责检查")
        verbose_name_plural = _("门责检查")
        ordering = ["-inspected_at", "-id"]

    def __str__(self):
        return f"{self.shop} {self.inspected_at:%Y-%m-%d}"


class InspectionResult(ImmutableModel):
    """检查结果: one item of one inspection, passed or not; a failure links the case it opened."""

    inspection = models.ForeignKey(
        Inspection, verbose_name=_("检查"), on_delete=models.PROTECT, related_name="results"
    )
    item = models.ForeignKey(
        InspectionItem, verbose_name=_("检查项"), on_delete=models.PROTECT, related_name="results"
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

    class Meta:
        verbose_name = _("检查结果")
        verbose_name_plural = _("检查结果")
        constraints = [
            models.UniqueConstraint(fields=["inspection", "item"], name="inspection_item_once"),
        ]

    def __str__(self):
        return f"{self.item} {'✓' if self.passed else '✗'}"
