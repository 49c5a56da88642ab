"""公示公告 (public notices: 公示, 公告, 通报, 光荣榜; seeds 000, 002, 004).

A notice has a scope (a grid of the street — 街镇, 片区 or 居村 —, an estate or a relocation project;
`grid` is always the grid it hangs off, which scopes it for staff and places it on a kiosk), an
audience (public, residents of the scope, named households), a publishing department and an
approver. Its text is versioned: the draft is edited freely, each publication freezes a version
(NoticeVersion, immutable); a correction of a published notice is a new version, the old ones
stay readable. A 公示 has an objection period counted in working days (workcalendar): residents
object (Objection) and the publisher answers (ObjectionAnswer); both are kept, never edited.

Relocation (征收, seed 002: 花墙, “100%清盘”): a project with its households, their visits and
signing; the totals are disclosed to every affected household, a household's own 面积认定 and 评估
only to that household signed in (HouseholdLogin links a resident account to its household).

Nominations (身边好人): a resident nominates, the 居委 reviews, the honour roll (a notice of kind
光荣榜 with HonourEntry rows) publishes those who consented.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import ImmutableModel
from civicgrid.notices.choices import (
    Audience,
    NominationState,
    NoticeKind,
    NoticeSource,
    NoticeState,
    ScopeLevel,
    SigningStatus,
)


def _user(verbose, null=True):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose,
        on_delete=models.PROTECT,
        null=null,
        blank=null,
        related_name="+",
    )


class HouseholdLogin(models.Model):
    """住户账户: a resident account acting for a registry household (entered by the 居委 after
    checking the household), so that what is meant for the household reaches it signed in."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("居民账户"),
        on_delete=models.CASCADE,
        related_name="notice_households",
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("户"),
        on_delete=models.PROTECT,
        related_name="notice_logins",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("住户账户")
        verbose_name_plural = _("住户账户")
        constraints = [
            models.UniqueConstraint(fields=["user", "household"], name="notices_login_once")
        ]

    def __str__(self):
        return f"{self.user} → {self.household_id}"


class Relocation(models.Model):
    """征收项目: a relocation (动迁) project of a 居村 and its 指挥部."""

    name = models.CharField(_("项目名称"), max_length=100)
    community = models.ForeignKey(
        "grids.Grid", verbose_name=_("居村"), on_delete=models.PROTECT, related_name="+"
    )
    headquarters = models.CharField(_("动迁指挥部"), max_length=100, blank=True)
    basis = models.TextField(_("征收口径"), blank=True)
    starts_on = models.DateField(_("签约开始日期"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("征收项目")
        verbose_name_plural = _("征收项目")
        ordering = ["-starts_on", "id"]

    def __str__(self):
        return self.name


class RelocationHousehold(models.Model):
    """征收户: a household of a relocation project, its 面积认定, 评估 and signing."""

    relocation = models.ForeignKey(
        Relocation, verbose_name=_("征收项目"), on_delete=models.PROTECT, related_name="households"
    )
    household = models.ForeignKey(
        "registry.Household", verbose_name=_("户"), on_delete=models.PROTECT, related_name="+"
    )
    # 面积认定 and 评估 are the household's own: shown only to it and to staff.
    recognised_area = models.DecimalField(_("认定面积（平方米）"), max_digits=8, decimal_places=2)
    valuation = models.DecimalField(_("评估金额（元）"), max_digits=12, decimal_places=2)
    status = models.CharField(
        _("签约状态"), max_length=20, choices=SigningStatus.choices, default=SigningStatus.PENDING
    )
    signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    party_member = models.BooleanField(_("党员户"), default=False)

    class Meta:
        verbose_name = _("征收户")
        verbose_name_plural = _("征收户")
        ordering = ["relocation_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["relocation", "household"], name="notices_relocation_household_once"
            ),
            models.CheckConstraint(
                condition=models.Q(status=SigningStatus.PENDING, signed_on__isnull=True)
                | models.Q(status=SigningStatus.SIGNED, signed_on__isnull=False),
                name="notices_signed_has_date",
            ),
        ]

    def __str__(self):
        return f"{self.relocation} · {self.household_id}"


class RelocationEvent(ImmutableModel):
    """征收记录: a visit (走访) or a signing of a relocation household, never edited."""

    household = models.ForeignKey(
        RelocationHousehold,
        verbose_name=_("征收户"),
        on_delete=models.CASCADE,
        related_name="events",
    )
    action = models.CharField(_("事项"), max_length=20)
    on = models.DateField(_("日期"))
    note = models.CharField(_("说明"), max_length=500, blank=True)
    by = _user(_("操作人"))
    at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("征收记录")
        verbose_name_plural = _("征收记录")
        ordering = ["on", "id"]


class Notice(models.Model):
    """公示公告: a 公示, 公告, 通报 or 光荣榜, its scope, audience and state."""

    kind = models.CharField(_("类型"), max_length=20, choices=NoticeKind.choices)
    scope_level = models.CharField(_("范围"), max_length=20, choices=ScopeLevel.choices)
    grid = models.ForeignKey(
        "grids.Grid", verbose_name=_("所属网格"), on_delete=models.PROTECT, related_name="+"
    )
    estate = models.ForeignKey(
        "estates.Estate",
        verbose_name=_("小区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    relocation = models.ForeignKey(
        Relocation,
        verbose_name=_("征收项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
    )
    audience = models.CharField(
        _("公开对象"), max_length=20, choices=Audience.choices, default=Audience.PUBLIC
    )
    households = models.ManyToManyField(
        "registry.Household", verbose_name=_("指定住户"), blank=True, related_name="+"
    )
    # The draft's text; a publication copies it into an immutable version.
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("发布部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    department_name = models.CharField(_("发布单位"), max_length=100)
    author = _user(_("撰写人"))
    approver = _user(_("审核人"))
    state = models.CharField(
        _("状态"), max_length=20, choices=NoticeState.choices, default=NoticeState.DRAFT
    )
    objection_days = models.PositiveSmallIntegerField(_("异议期（工作日）"), default=0)
    # An approved notice may wait for a later publication time (state 定时待发布).
    publish_at = models.DateTimeField(_("定时发布时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    objection_until = models.DateTimeField(_("异议截止时间"), null=True, blank=True)
    expires_at = models.DateTimeField(_("下架时间"), null=True, blank=True)
    withdraw_reason = models.CharField(_("撤回原因"), max_length=500, blank=True)
    version = models.PositiveSmallIntegerField(_("当前版本"), default=0)
    source = models.CharField(
        _("来源"), max_length=30, choices=NoticeSource.choices, default=NoticeSource.MANUAL
    )
    # A generator's key (e.g. "meeting_outcome:12"): one notice per source object.
    source_key = models.CharField(_("来源编号"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("公示公告")
        verbose_name_plural = _("公示公告")
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["state", "grid"])]
        constraints = [
            models.UniqueConstraint(
                fields=["source_key"],
                condition=~models.Q(source_key=""),
                name="notices_one_per_source",
            )
        ]

    def __str__(self):
        return self.title


class NoticeVersion(ImmutableModel):
    """公示版本: the text as published; a correction adds the next version."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("公示公告"), on_delete=models.CASCADE, related_name="versions"
    )
    number = models.PositiveSmallIntegerField(_("版本号"))
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("正文"))
    correction_note = models.CharField(_("更正说明"), max_length=500, blank=True)
    published_by = _user(_("发布人"))
    published_at = models.DateTimeField(_("发布时间"))

    class Meta:
        verbose_name = _("公示版本")
        verbose_name_plural = _("公示版本")
        ordering = ["notice_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "number"], name="notices_version_once")
        ]


def attachment_path(instance, filename):
    return f"notices/{instance.notice_id}/{filename}"


class NoticeAttachment(ImmutableModel):
    """公示附件: a file published with the notice (a PDF, an image, a table)."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("公示公告"), on_delete=models.CASCADE, related_name="attachments"
    )
    name = models.CharField(_("附件名称"), max_length=200)
    file = models.FileField(_("文件"), upload_to=attachment_path)
    uploaded_by = _user(_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"))

    class Meta:
        verbose_name = _("公示附件")
        verbose_name_plural = _("公示附件")
        ordering = ["id"]


class NoticeEvent(ImmutableModel):
    """公示记录: one step of a notice (submitted, published, corrected, withdrawn …)."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("公示公告"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, blank=True)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    by = _user(_("操作人"))
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("公示记录")
        verbose_name_plural = _("公示记录")
        ordering = ["at", "id"]


class Objection(ImmutableModel):
    """异议: a signed-in resident's objection to a 公示 within its objection period."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("公示公告"), on_delete=models.PROTECT, related_name="objections"
    )
    version = models.PositiveSmallIntegerField(_("针对版本"))
    user = _user(_("提出人"), null=False)
    text = models.TextField(_("异议内容"))
    created_at = models.DateTimeField(_("提出时间"))

    class Meta:
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        ordering = ["created_at", "id"]


class ObjectionAnswer(ImmutableModel):
    """异议答复: the publisher's answer to an objection (one per objection)."""

    objection = models.OneToOneField(
        Objection, verbose_name=_("异议"), on_delete=models.PROTECT, related_name="answer"
    )
    text = models.TextField(_("答复内容"))
    by = _user(_("答复人"))
    at = models.DateTimeField(_("答复时间"))

    class Meta:
        verbose_name = _("异议答复")
        verbose_name_plural = _("异议答复")


class Nomination(models.Model):
    """身边好人推荐: a resident's nomination of a neighbour, reviewed by the 居委."""

    community = models.ForeignKey(
        "grids.Grid", verbose_name=_("居村"), on_delete=models.PROTECT, related_name="+"
    )
    nominee = models.CharField(_("被推荐人"), max_length=50)
    deed = models.TextField(_("事迹"))
    # The honour roll shows a name only with the nominee's consent.
    consent = models.BooleanField(_("本人同意公开"), default=False)
    nominated_by = _user(_("推荐人"))
    state = models.CharField(
        _("状态"),
        max_length=20,
        choices=NominationState.choices,
        default=NominationState.SUBMITTED,
    )
    review_note = models.CharField(_("审核意见"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("推荐时间"))

    class Meta:
        verbose_name = _("身边好人推荐")
        verbose_name_plural = _("身边好人推荐")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.nominee


class NominationEvent(ImmutableModel):
    """推荐记录: one step of a nomination."""

    nomination = models.ForeignKey(
        Nomination, verbose_name=_("推荐"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=20)
    note = models.CharField(_("说明"), max_length=500, blank=True)
    by = _user(_("操作人"))
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("推荐记录")
        verbose_name_plural = _("推荐记录")
        ordering = ["at", "id"]


class HonourEntry(ImmutableModel):
    """光荣榜条目: one honoured person or organisation of an honour roll (only with consent)."""

    notice = models.ForeignKey(
        Notice, verbose_name=_("光荣榜"), on_delete=models.CASCADE, related_name="entries"
    )
    position = models.PositiveSmallIntegerField(_("序号"))
    name = models.CharField(_("名称"), max_length=100)
    citation = models.CharField(_("事迹或称号"), max_length=300)
    nomination = models.ForeignKey(
        Nomination,
        verbose_name=_("推荐"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("光荣榜条目")
        verbose_name_plural = _("光荣榜条目")
        ordering = ["notice_id", "position"]
