"""Shared parking (错峰共享停车, seed 004: 春申复地城一期, "在册登记607辆车,车位数440个").

An estate's spaces (产权固定, 租赁固定, 公共, 访客) with the household that holds each, and the
vehicles its households registered. A holder shares a space in a recurring window (working days
08:00–18:00, or nights at a nearby office's car park) over a date range (Offer); residents of the
estates the offer names book slots inside it (Booking), walked through parking.workflow. The
业委会 adopts the rules (RuleSet, versioned and immutable): slot length, a weekly cap per
household, the grace before an overstay, and the strikes that suspend a booker. Congestion is
logged (CongestionReport) to compare before and after the launch.

Rows change only through parking.services; history rows are immutable. Every row carries its 居村
(`community`, through the space or the estate), which is how parking.scoping scopes it.

No two bookings of one space overlap: on PostgreSQL an exclusion constraint (migration 0002,
btree_gist) guarantees it; on SQLite the booking's transaction takes the write lock at BEGIN
(settings: transaction_mode IMMEDIATE) before the overlap check, so the check is serialised.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import ImmutableModel
from civicgrid.parking.choices import BookingState, Days, EscalationKind, SpaceKind


def mask_plate(value: str) -> str:
    """A plate as every screen shows it: "沪A12345" → "沪A***45" (province, issuing letter and the
    last two; a full plate with a household's address identifies its people)."""
    value = value or ""
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


class Space(models.Model):
    """车位: a parking space of an estate, or of an outside unit (an office or a school car park
    shared at night: `unit_name` set, `estate` empty). `holder` is the household that holds a
    fixed space (产权 or 租赁); public and visitor spaces have none."""

    code = models.CharField(_("车位编号"), max_length=30)
    kind = models.CharField(_("车位类型"), max_length=20, choices=SpaceKind.choices)
    estate = models.ForeignKey(
        "estates.Estate",
        verbose_name=_("小区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parking_spaces",
    )
    unit_name = models.CharField(_("外部单位"), max_length=100, blank=True)
    community = models.ForeignKey(
        "grids.Grid", verbose_name=_("居村"), on_delete=models.PROTECT, related_name="+"
    )
    holder = models.ForeignKey(
        "registry.Household",
        verbose_name=_("持有户"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="parking_spaces",
    )
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("车位")
        verbose_name_plural = _("车位")
        ordering = ["community_id", "unit_name", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["estate", "code"],
                condition=Q(estate__isnull=False),
                name="parking_space_code_in_estate",
            ),
            models.UniqueConstraint(
                fields=["unit_name", "code"],
                condition=Q(estate__isnull=True),
                name="parking_space_code_in_unit",
            ),
            models.CheckConstraint(
                condition=Q(estate__isnull=False) | ~Q(unit_name=""),
                name="parking_space_estate_or_unit",
            ),
        ]

    def __str__(self):
        return f"{self.estate or self.unit_name} {self.code}"

    @property
    def place(self) -> str:
        return str(self.estate) if self.estate_id else self.unit_name


class Vehicle(models.Model):
    """在册车辆: a household's registered car (the plate is personal data, shown masked)."""

    plate = models.CharField(_("车牌号"), max_length=10)
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("户"),
        on_delete=models.PROTECT,
        related_name="vehicles",
    )
    estate = models.ForeignKey(
        "estates.Estate",
        verbose_name=_("小区"),
        on_delete=models.PROTECT,
        related_name="parking_vehicles",
    )
    community = models.ForeignKey(
        "grids.Grid", verbose_name=_("居村"), on_delete=models.PROTECT, related_name="+"
    )
    since = models.DateField(_("登记日期"))
    is_active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("在册车辆")
        verbose_name_plural = _("在册车辆")
        ordering = ["estate_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plate"], condition=Q(is_active=True), name="parking_plate_once"
            ),
        ]

    def __str__(self):
        return mask_plate(self.plate)


class Member(models.Model):
    """共享停车住户: a resident account acting for a household of an estate (entered by the
    居委 or the 物业 after checking the household), so a resident may offer the household's space
    and book for it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("居民账户"),
        on_delete=models.CASCADE,
        related_name="parking_memberships",
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("户"),
        on_delete=models.PROTECT,
        related_name="parking_members",
    )
    estate = models.ForeignKey(
        "estates.Estate", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "grids.Grid", verbose_name=_("居村"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("共享停车住户")
        verbose_name_plural = _("共享停车住户")
        constraints = [
            models.UniqueConstraint(fields=["user", "household"], name="parking_member_once"),
        ]

    def __str__(self):
        return f"{self.user} · {self.household_id}"


class RuleSet(ImmutableModel):
    """停车共享规则: one version of the rules an estate's 业委会 adopted (immutable; a change is
    a new version). The version in force on a day is the newest whose `effective_from` is on or
    before it; the first version's date is the launch of the scheme."""

    estate = models.ForeignKey(
        "estates.Estate",
        verbose_name=_("小区"),
        on_delete=models.PROTECT,
        related_name="parking_rules",
    )
    committee = models.ForeignKey(
        "estates.OwnersCommittee",
        verbose_name=_("通过的业委会"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    version = models.PositiveIntegerField(_("版本"))
    effective_from = models.DateField(_("生效日期"))
    slot_minutes = models.PositiveIntegerField(_("时段长度（分钟）"))
    weekly_cap_hours = models.PositiveIntegerField(_("每户每周上限（小时）"))
    grace_minutes = models.PositiveIntegerField(_("超时宽限（分钟）"))
    strikes_to_suspend = models.PositiveIntegerField(_("暂停预约的超时次数"))
    strike_window_days = models.PositiveIntegerField(_("超时计数周期（天）"))
    suspend_days = models.PositiveIntegerField(_("暂停天数"))
    overstay_notice = models.CharField(_("超时处理说明"), max_length=300)
    adopted_at = models.DateTimeField(_("通过时间"))
    adopted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("停车共享规则")
        verbose_name_plural = _("停车共享规则")
        ordering = ["estate_id", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["estate", "version"], name="parking_rules_version"),
        ]

    def __str__(self):
        return f"{self.estate} v{self.version}"


class Offer(models.Model):
    """共享时段: a space shared in a window that recurs on the given days between two dates. A
    window whose end is not after its start runs over midnight (19:00–07:00). `estates` are the
    estates whose residents may book it (an office car park names the estates it serves)."""

    space = models.ForeignKey(
        Space, verbose_name=_("车位"), on_delete=models.PROTECT, related_name="offers"
    )
    community = models.ForeignKey(
        "grids.Grid", verbose_name=_("居村"), on_delete=models.PROTECT, related_name="+"
    )
    estates = models.ManyToManyField(
        "estates.Estate", verbose_name=_("可预约小区"), related_name="parking_offers"
    )
    first_day = models.DateField(_("开始日期"))
    last_day = models.DateField(_("结束日期"))
    days = models.CharField(_("重复"), max_length=20, choices=Days.choices)
    start_time = models.TimeField(_("每日开始"))
    end_time = models.TimeField(_("每日结束"))
    # The holder agreed to every booking inside the window by offering it; one who wants to see
    # each booker first confirms bookings one by one.
    auto_confirm = models.BooleanField(_("自动确认"), default=True)
    offered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("发布人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("发布时间"))
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("共享时段")
        verbose_name_plural = _("共享时段")
        ordering = ["-first_day", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(last_day__gte=F("first_day")), name="parking_offer_dates"
            ),
        ]

    def __str__(self):
        return f"{self.space} {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    @property
    def overnight(self) -> bool:
        return self.end_time <= self.start_time


class Booking(models.Model):
    """预约: one household's use of a space from `starts_at` to `ends_at`, inside an offer's
    window. Two bookings of one space that still hold it never overlap (see the module)."""

    offer = models.ForeignKey(
        Offer, verbose_name=_("共享时段"), on_delete=models.PROTECT, related_name="bookings"
    )
    space = models.ForeignKey(
        Space, verbose_name=_("车位"), on_delete=models.PROTECT, related_name="bookings"
    )
    community = models.ForeignKey(
        "grids.Grid", verbose_name=_("居村"), on_delete=models.PROTECT, related_name="+"
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("预约户"),
        on_delete=models.PROTECT,
        related_name="parking_bookings",
    )
    estate = models.ForeignKey(
        "estates.Estate",
        verbose_name=_("预约户所在小区"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    vehicle = models.ForeignKey(
        Vehicle,
        verbose_name=_("车辆"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="bookings",
    )
    booked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("预约人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"))
    state = models.CharField(
        _("状态"), max_length=20, choices=BookingState.choices, default=BookingState.REQUESTED
    )
    created_at = models.DateTimeField(_("预约时间"))
    arrived_at = models.DateTimeField(_("停入时间"), null=True, blank=True)
    left_at = models.DateTimeField(_("驶离时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("预约")
        verbose_name_plural = _("预约")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["space", "starts_at"], name="parking_booking_space")]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="parking_booking_positive"
            ),
        ]

    def __str__(self):
        return f"{self.space} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


class BookingEvent(ImmutableModel):
    """预约记录: one step of a booking (from a state to another), by whom and when."""

    booking = models.ForeignKey(
        Booking, verbose_name=_("预约"), on_delete=models.PROTECT, related_name="events"
    )
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=BookingState.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=300, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("预约记录")
        verbose_name_plural = _("预约记录")
        ordering = ["at", "id"]

    def __str__(self):
        return f"{self.booking_id} → {self.to_state}"


class Escalation(ImmutableModel):
    """升级处理: an overstay or a dispute over parking sent on — to the case loop (a 停车难 case)
    or to a coordination meeting (协调会) of the estate's 居村, planned in civicgrid.meetings."""

    estate = models.ForeignKey(
        "estates.Estate", verbose_name=_("小区"), on_delete=models.PROTECT, related_name="+"
    )
    community = models.ForeignKey(
        "grids.Grid", verbose_name=_("居村"), on_delete=models.PROTECT, related_name="+"
    )
    booking = models.ForeignKey(
        Booking,
        verbose_name=_("预约"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="escalations",
    )
    kind = models.CharField(_("去向"), max_length=20, choices=EscalationKind.choices)
    description = models.CharField(_("情况"), max_length=500)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("案件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    meeting = models.ForeignKey(
        "meetings.Meeting",
        verbose_name=_("协调会"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提交人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("停车升级处理")
        verbose_name_plural = _("停车升级处理")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.estate} {self.get_kind_display()}"


class CongestionReport(ImmutableModel):
    """拥堵记录: a jam at an estate (its gate, a lane): when, where, how long, who saw it."""

    estate = models.ForeignKey(
        "estates.Estate",
        verbose_name=_("小区"),
        on_delete=models.PROTECT,
        related_name="congestion_reports",
    )
    community = models.ForeignKey(
        "grids.Grid", verbose_name=_("居村"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("发生时间"), db_index=True)
    place = models.CharField(_("地点"), max_length=100)
    minutes = models.PositiveIntegerField(_("持续时间（分钟）"))
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("报告人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reporter_name = models.CharField(_("报告人姓名"), max_length=50, blank=True)

    class Meta:
        verbose_name = _("拥堵记录")
        verbose_name_plural = _("拥堵记录")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.estate} {self.place}"
