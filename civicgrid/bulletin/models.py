"""社区报 (the community bulletin; seed 001: “本期 8 版 第 42 期 下期出版：9月9日 … 街道党工委、
办事处联合出版”).

An issue (期) is compiled from the street's own work over a period: each article's draft is
written by bulletin.drafts from the figures of one programme (cases and the 12345 half-year, 垃圾
分类, 三色码, 沿街商铺, 爱心银行, 社区项目, 三会 …), with the figures it used kept beside it, a table
and a chart drawn on the server (inline SVG, so the page, the PDF and the WeChat article print the
same). Editors then finish the words; the figures, table and chart stay as compiled (they are the
facts). An issue moves draft → edited → approved → published (bulletin.workflow) and each step is
an immutable IssueEvent; a published issue is frozen. The PDF is rendered on request and kept in
storage for the issue's revision (bulletin.render)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.bulletin.choices import IssueAction, IssueState, Section, Topic
from civicgrid.core.models import ImmutableModel


class Issue(models.Model):
    """社区报的一期: masthead, number, dates, pages (版数), the period its figures cover."""

    number = models.PositiveIntegerField(_("期号"), unique=True)
    masthead = models.CharField(_("报头"), max_length=50)
    masthead_en = models.CharField(_("英文报头"), max_length=80, blank=True)
    motto = models.CharField(_("刊语"), max_length=50, blank=True)
    publisher = models.CharField(_("出版单位"), max_length=100)
    issue_date = models.DateField(_("出版日期"))
    next_date = models.DateField(_("下期出版日期"), null=True, blank=True)
    pages = models.PositiveSmallIntegerField(_("版数"))
    period_first = models.DateField(_("数据起始日"))
    period_last = models.DateField(_("数据截止日"))
    state = models.CharField(
        _("状态"), max_length=20, choices=IssueState.choices, default=IssueState.DRAFT
    )
    # Raised by every change, so a PDF kept in storage is known to be this revision's.
    revision = models.PositiveIntegerField(_("修订号"), default=1)
    pdf = models.FileField(_("PDF 版"), upload_to="bulletin/", blank=True)
    pdf_revision = models.PositiveIntegerField(_("PDF 对应修订号"), default=0)
    compiled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("编辑"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    compiled_at = models.DateTimeField(_("生成时间"))
    published_at = models.DateTimeField(_("出版时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("社区报")
        verbose_name_plural = _("社区报")
        ordering = ["-number"]
        # 审定 (approve, send back, publish) is the 宣传/党建办's: the group of that name holds it
        # (migration 0002); the admin's role keeps it (accounts.policy.BULLETIN_APPROVE_ROLES).
        permissions = [("approve_bulletin", _("审定、退回和出版社区报"))]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(period_first__lte=models.F("period_last")),
                name="bulletin_issue_period",
            ),
            models.CheckConstraint(
                condition=models.Q(pages__gte=1, pages__lte=32), name="bulletin_issue_pages"
            ),
        ]

    def __str__(self):
        return _("%(masthead)s 第 %(n)s 期") % {"masthead": self.masthead, "n": self.number}


class Article(models.Model):
    """稿件: one article of an issue, in a section, with its byline and department; `figures`
    are the data the draft was written from, `table` and `chart_svg` show them."""

    issue = models.ForeignKey(
        Issue, verbose_name=_("期"), on_delete=models.CASCADE, related_name="articles"
    )
    section = models.CharField(_("栏目"), max_length=20, choices=Section.choices)
    topic = models.CharField(_("数据来源"), max_length=20, choices=Topic.choices)
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)
    title = models.CharField(_("标题"), max_length=100)
    body = models.TextField(_("正文"))
    byline = models.CharField(_("署名"), max_length=50, blank=True)
    department = models.CharField(_("供稿部门"), max_length=50, blank=True)
    figures = models.JSONField(_("数据"), default=dict, blank=True)
    table = models.JSONField(_("表格"), default=dict, blank=True)
    chart_svg = models.TextField(_("图表"), blank=True)
    is_edited = models.BooleanField(_("已编辑"), default=False)

    class Meta:
        verbose_name = _("稿件")
        verbose_name_plural = _("稿件")
        ordering = ["issue", "position", "id"]

    def __str__(self):
        return self.title

    @property
    def paragraphs(self) -> list[str]:
        return [p.strip() for p in self.body.split("\n") if p.strip()]


class IssueEvent(ImmutableModel):
    """社区报履历: one row per step (compiled, an article edited, approved, sent back,
    published); never changed."""

    issue = models.ForeignKey(
        Issue, verbose_name=_("期"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=20, choices=IssueAction.choices)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, blank=True)
    article = models.ForeignKey(
        Article,
        verbose_name=_("稿件"),
        # An article goes only with its issue, and the issue's history with it.
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
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
    at = models.DateTimeField(_("时间"))

    class Meta:
        verbose_name = _("社区报履历")
        verbose_name_plural = _("社区报履历")
        ordering = ["at", "id"]
