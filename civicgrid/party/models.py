"""党组织 on the grid (seeds 000, 002, 003, 004).

Organisations form a tree (党委 → 总支 → 支部 → 党小组) and each covers a grid node: the town's
党委 the street, a 社区党委 its 片区, a 居村's 总支 the 居村, and one branch or group every
active micro-grid ("每个微网格中设立1个党支部或党小组"). Members are kept minimal (name, a phone
shown masked, where the membership is held, 双报到 居村 and date) and link to the registry's
resident where one exists. Organisational life ("三会一课", 主题党日), star ratings, the
"1+6+62+X" service points and co-building agreements hang off organisations. Every change is a
service (party.services) that writes an immutable PartyEvent.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import ImmutableModel
from civicgrid.party.choices import (
    AssignmentKind,
    LifeKind,
    OrgLevel,
    PointKind,
    PointTier,
    Sector,
    Venue,
    WorkStatus,
)


class Organisation(models.Model):
    """党组织: 党委, 总支, 支部, 联合支部, 党小组 or a temporary project branch."""

    name = models.CharField(_("全称"), max_length=120)
    short_name = models.CharField(_("简称"), max_length=60)
    level = models.CharField(_("层级"), max_length=20, choices=OrgLevel.choices, db_index=True)
    sector = models.CharField(_("领域"), max_length=20, choices=Sector.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("上级党组织"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("覆盖网格"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_organisations",
    )
    # The secretary (书记) or, for a 党小组, its head (组长): a member of this organisation or of
    # its parent. Set after the members exist, so nullable.
    secretary = models.ForeignKey(
        "party.Member",
        verbose_name=_("书记（组长）"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="heads",
    )
    started_on = models.DateField(_("成立日期"))
    ended_on = models.DateField(_("撤销日期"), null=True, blank=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")
        ordering = ["level", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="party_org_dates_in_order",
            ),
        ]

    def __str__(self):
        return self.short_name or self.name


class Member(models.Model):
    """党员: minimal, personal data masked on every surface (the phone shown as 139****5678)."""

    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("手机号"), max_length=32, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("组织关系所在党组织"),
        on_delete=models.PROTECT,
        related_name="members",
    )
    work_status = models.CharField(
        _("在职状态"), max_length=10, choices=WorkStatus.choices, default=WorkStatus.IN_WORK
    )
    work_unit = models.CharField(_("工作单位"), max_length=100, blank=True)
    resident = models.ForeignKey(
        "registry.Resident",
        verbose_name=_("实有人口"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_memberships",
    )
    staff = models.ForeignKey(
        "grids.StaffMember",
        verbose_name=_("网格力量人员"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_memberships",
    )
    # 双报到: an in-work member reports to the 居村 where they live as well as to their unit.
    dual_report_community = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("双报到居村"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="dual_report_members",
    )
    dual_report_on = models.DateField(_("双报到日期"), null=True, blank=True)
    is_active = models.BooleanField(_("在册"), default=True)

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["organisation_id", "name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(dual_report_community__isnull=True, dual_report_on__isnull=True)
                | Q(dual_report_community__isnull=False, dual_report_on__isnull=False),
                name="party_member_dual_report_complete",
            ),
        ]

    def __str__(self):
        return self.name


class Assignment(models.Model):
    """党员岗位: a grid post, a pioneer squad, a liaison to a 居委 or a 业委会."""

    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.CASCADE, related_name="assignments"
    )
    kind = models.CharField(_("岗位类别"), max_length=20, choices=AssignmentKind.choices)
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("网格或居村"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_assignments",
    )
    detail = models.CharField(_("说明"), max_length=100, blank=True)
    started_on = models.DateField(_("起始日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    end_reason = models.CharField(_("结束原因"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("党员岗位")
        verbose_name_plural = _("党员岗位")
        ordering = ["member_id", "started_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="party_assignment_dates_in_order",
            ),
        ]

    def __str__(self):
        return f"{self.member} · {self.get_kind_display()}"


class StarRating(models.Model):
    """星级党组织评定: 1–5 stars per organisation and year (普陀区 2018 年度“五星级党支部”)."""

    organisation = models.ForeignKey(
        Organisation, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="ratings"
    )
    year = models.PositiveSmallIntegerField(_("年度"))
    stars = models.PositiveSmallIntegerField(
        _("星级"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    awarded_by = models.CharField(_("评定机关"), max_length=100)
    score = models.DecimalField(_("得分"), max_digits=5, decimal_places=1, null=True, blank=True)
    criteria = models.TextField(_("评定标准"), blank=True)
    awarded_on = models.DateField(_("评定日期"))

    class Meta:
        verbose_name = _("星级评定")
        verbose_name_plural = _("星级评定")
        ordering = ["-year", "-stars", "organisation_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "year"], name="party_one_rating_a_year"
            ),
            models.CheckConstraint(
                condition=Q(stars__gte=1, stars__lte=5), name="party_stars_one_to_five"
            ),
        ]

    def __str__(self):
        return f"{self.organisation} {self.year} {self.stars}★"


class LifeMeeting(models.Model):
    """组织生活: one 支部党员大会, 支委会, 党小组会, 党课 or 主题党日 held by an organisation."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("党组织"),
        on_delete=models.PROTECT,
        related_name="life_meetings",
    )
    kind = models.CharField(_("类别"), max_length=20, choices=LifeKind.choices, db_index=True)
    held_on = models.DateField(_("日期"), db_index=True)
    topic = models.CharField(_("主题"), max_length=120)
    expected = models.PositiveIntegerField(_("应到人数"))
    attended = models.PositiveIntegerField(_("实到人数"))
    venue = models.CharField(_("会场"), max_length=10, choices=Venue.choices, default=Venue.MAIN)
    # 双重组织生活 / a main venue with video branch venues (seed 003): a remote venue's session
    # names the main session it joined.
    main_session = models.ForeignKey(
        "self",
        verbose_name=_("主会场"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="remote_sessions",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("组织生活")
        verbose_name_plural = _("组织生活")
        ordering = ["-held_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(attended__lte=models.F("expected")),
                name="party_life_attended_le_expected",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} {self.get_kind_display()} {self.held_on}"


class ServicePoint(models.Model):
    """党群服务阵地 of the "1+6+62+X" 15-minute circle: a centre, a station or an X point."""

    name = models.CharField(_("名称"), max_length=100)
    tier = models.CharField(_("层级"), max_length=20, choices=PointTier.choices, db_index=True)
    kind = models.CharField(
        _("类型"), max_length=20, choices=PointKind.choices, default=PointKind.CENTRE
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所属党组织"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_points",
    )
    grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("所在网格"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="party_service_points",
    )
    address = models.CharField(_("地址"), max_length=200)
    hours = models.CharField(_("开放时间"), max_length=100)
    services = models.JSONField(_("服务项目"), default=list, blank=True)
    lat = models.FloatField(_("纬度"))
    lng = models.FloatField(_("经度"))
    is_active = models.BooleanField(_("开放"), default=True)

    class Meta:
        verbose_name = _("党群服务阵地")
        verbose_name_plural = _("党群服务阵地")
        ordering = ["tier", "name"]

    def __str__(self):
        return self.name


class CoBuilding(models.Model):
    """党建联建（共建）协议: the street's or a community's organisation and enterprises or units
    (seed 002: "1+6+7+x" 企业党建联建)."""

    title = models.CharField(_("协议名称"), max_length=120)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("牵头党组织"),
        on_delete=models.PROTECT,
        related_name="co_buildings",
    )
    partners = models.JSONField(_("共建单位"), default=list)
    signed_on = models.DateField(_("签约日期"))
    working_group = models.CharField(_("专项推进组"), max_length=100, blank=True)
    projects = models.JSONField(_("共建项目"), default=list, blank=True)

    class Meta:
        verbose_name = _("党建联建协议")
        verbose_name_plural = _("党建联建协议")
        ordering = ["-signed_on", "id"]

    def __str__(self):
        return self.title


class PartyEvent(ImmutableModel):
    """党组织变更记录: one row per service call (who, what, which object), never changed."""

    kind = models.CharField(_("操作"), max_length=40)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("党组织"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
    )
    object_id = models.PositiveBigIntegerField(_("对象编号"), null=True, blank=True)
    detail = models.JSONField(_("内容"), default=dict, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("党组织变更记录")
        verbose_name_plural = _("党组织变更记录")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.kind} {self.at:%Y-%m-%d %H:%M}"


class MemberPhoneAccess(ImmutableModel):
    """党员手机号查看记录: each full view of a member's phone."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("查看人"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    member = models.ForeignKey(
        Member, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="phone_views"
    )
    at = models.DateTimeField(_("查看时间"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("党员手机号查看记录")
        verbose_name_plural = _("党员手机号查看记录")
        ordering = ["-at"]

    def __str__(self):
        return f"{self.user} → {self.member}"
