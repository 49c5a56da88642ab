"""Community projects (社区项目): campaigns, projects, residents' ideas and support, panel scores,
milestones, deliverables and photos (seeds 000, 001, 002, 004).

"共征集62个创建项目和点位，并择优推荐8个": a campaign (征集) gathers proposals, each is screened,
put to its hearing (听证会, civicgrid.meetings), scored by a panel against the campaign's template,
and the best — at most the quota — are recommended; these are built, accepted and handed over to
long-term management (长效管理). Rows change only through projects.services; the history, the
scores and the photos are immutable. Every project hangs off a 居村, which is how it is scoped.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import ImmutableModel
from civicgrid.projects.choices import (
    CampaignLevel,
    HomeKind,
    MilestoneKind,
    PhotoStage,
    ProjectKind,
    ProjectState,
)


class ScoringTemplate(models.Model):
    """评分模板: the criteria a panel scores against (editable data)."""

    name = models.CharField(_("模板名称"), max_length=100, unique=True)

    class Meta:
        verbose_name = _("评分模板")
        verbose_name_plural = _("评分模板")
        ordering = ["id"]

    def __str__(self):
        return self.name


class Criterion(models.Model):
    """评分项: one criterion of a template with its maximum points."""

    template = models.ForeignKey(
        ScoringTemplate, verbose_name=_("模板"), on_delete=models.CASCADE, related_name="criteria"
    )
    name = models.CharField(_("评分项"), max_length=50)
    max_points = models.PositiveSmallIntegerField(_("满分"))
    order = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        verbose_name = _("评分项")
        verbose_name_plural = _("评分项")
        ordering = ["template_id", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["template", "name"], name="projects_criterion_once"),
            models.CheckConstraint(
                condition=models.Q(max_points__gt=0), name="projects_criterion_positive"
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.max_points}）"


class Campaign(models.Model):
    """项目征集: a call for projects (镇级 or 区级) with its focus areas, quota and template."""

    name = models.CharField(_("征集名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    level = models.CharField(_("层级"), max_length=20, choices=CampaignLevel.choices)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("截止日期"))
    focus_areas = models.JSONField(_("征集方向"), default=list, blank=True)
    quota = models.PositiveSmallIntegerField(_("推荐名额"), default=8)
    template = models.ForeignKey(
        ScoringTemplate, verbose_name=_("评分模板"), on_delete=models.PROTECT, related_name="+"
    )
    hearing_required = models.BooleanField(
        _("施工前须召开听证会"), default=True, help_text=_("开启后，项目须先召开听证会才能开工。")
    )

    class Meta:
        verbose_name = _("项目征集")
        verbose_name_plural = _("项目征集")
        ordering = ["-year", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="projects_campaign_dates",
            ),
        ]

    def __str__(self):
        return self.name


class Project(models.Model):
    """社区项目: a proposal and, once recommended, the works (创建项目和点位)."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("征集"), on_delete=models.PROTECT, related_name="projects"
    )
    title = models.CharField(_("项目名称"), max_length=100)
    community = models.ForeignKey(
        "grids.Grid", verbose_name=_("居村"), on_delete=models.PROTECT, related_name="+"
    )
    estate = models.ForeignKey(
        "estates.Estate",
        verbose_name=_("小区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    kind = models.CharField(_("项目类型"), max_length=30, choices=ProjectKind.choices)
    home_kind = models.CharField(
        _("美丽家园类别"), max_length=30, choices=HomeKind.choices, blank=True
    )
    summary = models.TextField(_("项目简介"), blank=True)
    cases = models.ManyToManyField("cases.Case", verbose_name=_("关联案件"), blank=True)
    hotspots = models.CharField(_("关联热点"), max_length=200, blank=True)
    # 牵头党组织: an organisation of the party register (party.Organisation, named by its label:
    # party sits beside this app and neither imports the other), or, for one outside the
    # register, its name as text.
    lead_party_organisation = models.ForeignKey(
        "party.Organisation",
        verbose_name=_("牵头党组织"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    lead_organisation = models.CharField(_("牵头党组织（名册外）"), max_length=100, blank=True)
    partners = models.CharField(_("共建单位"), max_length=200, blank=True)
    budget = models.DecimalField(_("预算（万元）"), max_digits=10, decimal_places=2, default=0)
    funding = models.CharField(_("资金来源"), max_length=100, blank=True)
    maintainer = models.CharField(_("移交后管护单位"), max_length=100, blank=True)
    state = models.CharField(
        _("状态"), max_length=20, choices=ProjectState.choices, default=ProjectState.SUBMITTED
    )
    proposer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("申报人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    submitted_at = models.DateTimeField(_("申报时间"))
    support_count = models.PositiveIntegerField(_("居民支持数"), default=0)
    score = models.DecimalField(_("评分"), max_digits=5, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = _("社区项目")
        verbose_name_plural = _("社区项目")
        ordering = ["campaign_id", "id"]
        indexes = [models.Index(fields=["campaign", "state"])]

    def __str__(self):
        return self.title


class Deliverable(models.Model):
    """建设内容: an item of the works with its quantity (立面、电线、车棚……)."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="deliverables"
    )
    item = models.CharField(_("建设内容"), max_length=50)
    quantity = models.DecimalField(_("数量"), max_digits=10, decimal_places=2)
    unit = models.CharField(_("单位"), max_length=10)

    class Meta:
        verbose_name = _("建设内容")
        verbose_name_plural = _("建设内容")
        ordering = ["project_id", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(quantity__gt=0), name="projects_deliverable_positive"
            ),
        ]

    def __str__(self):
        return f"{self.item} {self.quantity}{self.unit}"


class Milestone(models.Model):
    """节点: a stage of the works with its weight in the progress and its due date."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="milestones"
    )
    kind = models.CharField(_("节点"), max_length=20, choices=MilestoneKind.choices)
    weight = models.PositiveSmallIntegerField(_("权重"))
    due_on = models.DateField(_("计划完成日期"), null=True, blank=True)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目节点")
        verbose_name_plural = _("项目节点")
        ordering = ["project_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "kind"], name="projects_milestone_once"),
        ]

    def __str__(self):
        return self.get_kind_display()


class Support(models.Model):
    """居民支持: one resident's support of one project (once: a database constraint)."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.CASCADE, related_name="supports"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("居民账户"),
        on_delete=models.CASCADE,
        related_name="project_supports",
    )
    created_at = models.DateTimeField(_("支持时间"))

    class Meta:
        verbose_name = _("居民支持")
        verbose_name_plural = _("居民支持")
        constraints = [
            models.UniqueConstraint(fields=["project", "user"], name="projects_support_once"),
        ]

    def __str__(self):
        return f"{self.project_id} · {self.user_id}"


class Idea(models.Model):
    """居民金点子: a resident's idea for a campaign in a 居村."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("征集"), on_delete=models.PROTECT, related_name="ideas"
    )
    community = models.ForeignKey(
        "grids.Grid", verbose_name=_("居村"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("居民账户"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    text = models.TextField(_("建议内容"))
    created_at = models.DateTimeField(_("提出时间"))

    class Meta:
        verbose_name = _("居民金点子")
        verbose_name_plural = _("居民金点子")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return self.text[:30]


class IdeaDecision(ImmutableModel):
    """金点子处理: the desk's answer to a resident's idea — taken into a project (采纳) or declined
    with a reason (不采纳). One per idea (a database constraint); immutable, so it is the idea's
    history too."""

    idea = models.OneToOneField(
        Idea, verbose_name=_("金点子"), on_delete=models.PROTECT, related_name="decision"
    )
    accepted = models.BooleanField(_("采纳"))
    project = models.ForeignKey(
        Project,
        verbose_name=_("转成的项目"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="from_ideas",
    )
    reason = models.CharField(_("不采纳原因"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("处理人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("处理时间"))

    class Meta:
        verbose_name = _("金点子处理")
        verbose_name_plural = _("金点子处理")
        ordering = ["-at", "-id"]
        constraints = [
            # An accepted idea names its project; a declined one says why.
            models.CheckConstraint(
                condition=(
                    models.Q(accepted=True, project__isnull=False)
                    | (models.Q(accepted=False, project__isnull=True) & ~models.Q(reason=""))
                ),
                name="projects_idea_decision_complete",
            ),
        ]

    def __str__(self):
        return f"{self.idea_id} · {_('采纳') if self.accepted else _('不采纳')}"


class ScoreSheet(ImmutableModel):
    """评分表: one panel member's points for one project, per criterion (immutable)."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="score_sheets"
    )
    member = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("评审专家"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    points = models.JSONField(_("各项得分"))
    total = models.PositiveSmallIntegerField(_("总分"))
    at = models.DateTimeField(_("评分时间"))

    class Meta:
        verbose_name = _("评分表")
        verbose_name_plural = _("评分表")
        ordering = ["project_id", "id"]
        constraints = [
            models.UniqueConstraint(fields=["project", "member"], name="projects_score_once"),
        ]


class ProjectEvent(ImmutableModel):
    """项目记录: one change of a project (immutable history)."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=30)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("项目记录")
        verbose_name_plural = _("项目记录")
        ordering = ["project_id", "at", "id"]


def photo_path(instance, filename):
    return f"projects/{instance.project_id}/{filename}"


class ProjectPhoto(ImmutableModel):
    """项目照片: before or after the works, stored cleaned like a case's photos."""

    project = models.ForeignKey(
        Project, verbose_name=_("项目"), on_delete=models.PROTECT, related_name="photos"
    )
    stage = models.CharField(_("阶段"), max_length=10, choices=PhotoStage.choices)
    file = models.FileField(_("文件"), upload_to=photo_path, max_length=200)
    content_type = models.CharField(_("内容类型"), max_length=50)
    width = models.PositiveIntegerField(_("宽度"))
    height = models.PositiveIntegerField(_("高度"))
    size = models.PositiveIntegerField(_("大小（字节）"))

    class Meta:
        verbose_name = _("项目照片")
        verbose_name_plural = _("项目照片")
        ordering = ["project_id", "id"]
