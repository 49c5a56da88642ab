"""爱心银行 (the volunteer time bank; seed 002: “奉献—回报—奉献”).

Volunteers (a registry resident or someone from outside) serve elders in projects (助餐, 助洁 …)
run with partners; a service record, once verified by the project's coordinator, earns time
coins (时间币: one hour of service is one coin) which holders keep, give to a declared relative,
donate to the pool, or, at 65 or over, redeem for services.

The ledger is double-entry and each posting is one row (Transfer) holding its debit account, its
credit account and a positive amount of minutes: every row is the pair of lines (−m, +m) and sums
to zero by construction, so the database needs no deferred trigger to balance a transaction (a
header with free lines would). The database refuses a non-positive amount, an account posting
to itself and (on Account) a negative balance of a person or the pool; the services update the
stored balance in the transaction that writes the row, the account rows locked
(select_for_update; on SQLite the IMMEDIATE transaction serialises writers), and a test checks
that each balance is its credits minus its debits. Transfers and history rows are immutable
(ImmutableModel); a mistake is corrected by a reversal, never by an edit.

Everything carries its 居村 (`community`), which scopes it (timebank.scoping).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import ImmutableModel
from civicgrid.grids.choices import GridLevel
from civicgrid.timebank.choices import (
    AccountKind,
    PartnerKind,
    ProjectKind,
    RecordState,
    RequestState,
    TransferKind,
)


def _community(null=False):
    return models.ForeignKey(
        "grids.Grid",
        verbose_name=_("居村"),
        on_delete=models.PROTECT,
        null=null,
        blank=null,
        related_name="+",
        limit_choices_to={"level": GridLevel.COMMUNITY},
    )


def _by():
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )


class Rules(ImmutableModel):
    """时间银行规则: the bank's rules as data, one version per change (the newest in force)."""

    rounding_minutes = models.PositiveSmallIntegerField(_("计时取整（分钟）"), default=30)
    daily_cap_minutes = models.PositiveSmallIntegerField(_("每日上限（分钟）"), default=480)
    redeem_age = models.PositiveSmallIntegerField(_("兑换年龄"), default=65)
    credit_own_household = models.BooleanField(_("为本户服务计时"), default=False)
    gifts_to_relatives_only = models.BooleanField(_("仅可赠与亲属"), default=True)
    by = _by()
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("时间银行规则")
        verbose_name_plural = _("时间银行规则")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rounding_minutes__gte=1, rounding_minutes__lte=60),
                name="timebank_rules_rounding",
            ),
            models.CheckConstraint(
                condition=Q(daily_cap_minutes__gte=30, daily_cap_minutes__lte=1440),
                name="timebank_rules_cap",
            ),
        ]


class Partner(models.Model):
    """公益伙伴: a partner (social organisation, company, unit, shop) of the bank's projects."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    kind = models.CharField(_("类别"), max_length=20, choices=PartnerKind.choices)
    community = _community(null=True)
    contact = models.CharField(_("联系人"), max_length=50, blank=True)
    is_active = models.BooleanField(_("合作中"), default=True)
    joined_on = models.DateField(_("加入日期"))

    class Meta:
        verbose_name = _("公益伙伴")
        verbose_name_plural = _("公益伙伴")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Team(models.Model):
    """志愿者队伍: a team of volunteers of a 居村 (or of a partner)."""

    name = models.CharField(_("队伍名称"), max_length=100, unique=True)
    community = _community()
    partner = models.ForeignKey(
        Partner, verbose_name=_("公益伙伴"), on_delete=models.PROTECT, null=True, blank=True
    )

    class Meta:
        verbose_name = _("志愿者队伍")
        verbose_name_plural = _("志愿者队伍")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Project(models.Model):
    """助老项目: a kind of help (助餐, 理发 …) offered in a 居村 with its coordinator, who verifies
    its service records."""

    name = models.CharField(_("项目名称"), max_length=100, unique=True)
    kind = models.CharField(_("类别"), max_length=20, choices=ProjectKind.choices)
    community = _community()
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("协调人"),
        on_delete=models.PROTECT,
        related_name="timebank_projects",
    )
    partners = models.ManyToManyField(
        Partner, verbose_name=_("公益伙伴"), blank=True, related_name="projects"
    )
    is_active = models.BooleanField(_("进行中"), default=True)
    started_on = models.DateField(_("开始日期"))

    class Meta:
        verbose_name = _("助老项目")
        verbose_name_plural = _("助老项目")
        ordering = ["community_id", "name"]

    def __str__(self):
        return self.name


class Volunteer(models.Model):
    """志愿者: a registry resident or someone from outside (their name and phone kept here),
    with skills, a team and the 双报到 flag (a party member reporting from their unit)."""

    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=32, blank=True)
    resident = models.OneToOneField(
        "registry.Resident",
        verbose_name=_("居民"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteer",
    )
    community = _community()
    team = models.ForeignKey(
        Team, verbose_name=_("队伍"), on_delete=models.PROTECT, null=True, blank=True
    )
    skills = models.JSONField(_("技能"), default=list, blank=True)
    double_report = models.BooleanField(_("双报到"), default=False)
    unit = models.CharField(_("报到单位"), max_length=100, blank=True)
    joined_on = models.DateField(_("注册日期"))
    is_active = models.BooleanField(_("在册"), default=True)
    # An honour roll or the 社区报 names a volunteer only with this consent (issue 16), and the
    # date it was given; withdrawing it clears the date.
    name_consent = models.BooleanField(_("同意在光荣榜/社区报上公开姓名"), default=False)
    name_consent_on = models.DateField(_("同意公开姓名日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("志愿者")
        verbose_name_plural = _("志愿者")
        ordering = ["community_id", "name", "id"]

    def __str__(self):
        return self.name


class Account(models.Model):
    """时间账户: a person's account (a volunteer's, or a registry resident's: an elder who
    receives a gift), or one of the bank's three (issued, redeemed, the pool). The stored
    balance (minutes) is kept by the services under the row's lock; a person's and the pool's
    never go below zero (the database refuses it)."""

    kind = models.CharField(_("类型"), max_length=20, choices=AccountKind.choices)
    volunteer = models.OneToOneField(
        Volunteer,
        verbose_name=_("志愿者"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="account",
    )
    resident = models.OneToOneField(
        "registry.Resident",
        verbose_name=_("居民"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="time_account",
    )
    # The resident account (role 居民) the 居委 linked to this account after checking who signs
    # in: a volunteer records their service with it, a family member asks help for an elder.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="time_account",
    )
    community = _community(null=True)
    balance = models.IntegerField(_("余额（分钟）"), default=0)
    opened_at = models.DateTimeField(_("开户时间"))

    class Meta:
        verbose_name = _("时间账户")
        verbose_name_plural = _("时间账户")
        constraints = [
            # A person's account is a resident's or (someone from outside) a volunteer's.
            models.CheckConstraint(
                condition=(
                    Q(kind=AccountKind.PERSON)
                    & (Q(resident__isnull=False) | Q(volunteer__isnull=False))
                )
                | (~Q(kind=AccountKind.PERSON) & Q(resident__isnull=True, volunteer__isnull=True)),
                name="timebank_account_owner",
            ),
            models.UniqueConstraint(
                fields=["kind"],
                condition=~Q(kind=AccountKind.PERSON),
                name="timebank_account_bank_once",
            ),
            models.CheckConstraint(
                condition=Q(balance__gte=0) | Q(kind=AccountKind.ISSUED),
                name="timebank_balance_not_negative",
            ),
        ]

    def __str__(self):
        if self.resident_id:
            return self.resident.name
        if self.volunteer_id:
            return self.volunteer.name
        return self.get_kind_display()

    @property
    def coins(self):
        return self.balance / 60


class Relative(ImmutableModel):
    """亲属: a relative an account holder declared (checked by the 居委), who may receive their
    coins as a gift."""

    account = models.ForeignKey(
        Account, verbose_name=_("账户"), on_delete=models.PROTECT, related_name="relatives"
    )
    resident = models.ForeignKey(
        "registry.Resident", verbose_name=_("亲属"), on_delete=models.PROTECT, related_name="+"
    )
    relation = models.CharField(_("关系"), max_length=20)
    by = _by()
    at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("亲属")
        verbose_name_plural = _("亲属")
        ordering = ["account_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["account", "resident"], name="timebank_relative_once")
        ]


class HelpRequest(models.Model):
    """求助: an elder (or their family for them) asks for help in a project; the coordinator
    matches a volunteer; it ends done or cancelled."""

    elder = models.ForeignKey(
        "registry.Resident", verbose_name=_("老人"), on_delete=models.PROTECT, related_name="+"
    )
    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT)
    community = _community()
    wanted_on = models.DateField(_("希望日期"))
    description = models.CharField(_("需求说明"), max_length=300)
    contact_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("求助人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=RequestState.choices, default=RequestState.OPEN
    )
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT, null=True, blank=True
    )
    created_at = models.DateTimeField(_("求助时间"), db_index=True)

    class Meta:
        verbose_name = _("求助")
        verbose_name_plural = _("求助")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.project} · {self.wanted_on:%Y-%m-%d}"


class RequestEvent(ImmutableModel):
    """求助记录: one step of a request (history)."""

    request = models.ForeignKey(
        HelpRequest, verbose_name=_("求助"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("动作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    by = _by()
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("求助记录")
        verbose_name_plural = _("求助记录")
        ordering = ["at", "id"]


class ServiceRecord(models.Model):
    """服务记录: a volunteer's service to an elder (or a group activity), its times and the
    elder's confirmation or a photo; verified by the project's coordinator, it earns coins."""

    project = models.ForeignKey(Project, verbose_name=_("项目"), on_delete=models.PROTECT)
    volunteer = models.ForeignKey(
        Volunteer, verbose_name=_("志愿者"), on_delete=models.PROTECT, related_name="records"
    )
    recipient = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("服务对象"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    activity = models.CharField(_("集体活动"), max_length=100, blank=True)
    request = models.ForeignKey(
        HelpRequest, verbose_name=_("求助"), on_delete=models.PROTECT, null=True, blank=True
    )
    community = _community()
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    ended_at = models.DateTimeField(_("结束时间"))
    confirmation = models.CharField(_("服务对象确认"), max_length=100, blank=True)
    photo = models.ImageField(_("照片"), upload_to="timebank/%Y/%m/", blank=True)
    state = models.CharField(
        _("状态"), max_length=20, choices=RecordState.choices, default=RecordState.DRAFT
    )
    credited_minutes = models.PositiveIntegerField(_("计入时长（分钟）"), default=0)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = _by()
    created_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-started_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__gt=F("started_at")), name="timebank_record_order"
            ),
            models.CheckConstraint(
                condition=Q(recipient__isnull=False) | ~Q(activity=""),
                name="timebank_record_whom",
            ),
        ]

    def __str__(self):
        return f"{self.volunteer} · {self.project} · {self.started_at:%Y-%m-%d}"

    @property
    def credited_hours(self) -> float:
        return self.credited_minutes / 60

    @property
    def minutes(self) -> int:
        return int((self.ended_at - self.started_at).total_seconds() // 60)


class RecordEvent(ImmutableModel):
    """服务记录日志: one step of a service record (history)."""

    record = models.ForeignKey(
        ServiceRecord, verbose_name=_("服务记录"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("动作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    by = _by()
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("服务记录日志")
        verbose_name_plural = _("服务记录日志")
        ordering = ["at", "id"]


class Transfer(ImmutableModel):
    """时间币分录: `minutes` move from the debit account to the credit account. The row is both
    lines of the transaction (−minutes, +minutes), so it sums to zero by construction."""

    debit = models.ForeignKey(
        Account, verbose_name=_("借方账户"), on_delete=models.PROTECT, related_name="debits"
    )
    credit = models.ForeignKey(
        Account, verbose_name=_("贷方账户"), on_delete=models.PROTECT, related_name="credits"
    )
    minutes = models.PositiveIntegerField(_("时长（分钟）"))
    kind = models.CharField(_("事由"), max_length=20, choices=TransferKind.choices)
    record = models.ForeignKey(
        ServiceRecord,
        verbose_name=_("服务记录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers",
    )
    reverses = models.OneToOneField(
        "self",
        verbose_name=_("冲正分录"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reversed_by",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    by = _by()
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("时间币分录")
        verbose_name_plural = _("时间币分录")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(minutes__gt=0), name="timebank_transfer_positive"),
            models.CheckConstraint(
                condition=~Q(debit=F("credit")), name="timebank_transfer_two_accounts"
            ),
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(kind=TransferKind.EARN),
                name="timebank_earn_once",
            ),
        ]

    @property
    def coins(self):
        return self.minutes / 60
