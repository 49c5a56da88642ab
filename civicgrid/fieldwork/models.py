"""Field work of grid workers: the patrol checklist (巡查记录表), patrols with their route and
findings, and household visits (走访, "四百走访") with their follow-ups.

Rows change only through fieldwork.services (one function per change, each in a transaction,
each checking that the user works the micro-grid concerned); the pages and the admin call them.
Cases found on a patrol are ordinary cases of the loop (cases.services.do_report); a finding
only points at the case it became.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.fieldwork.choices import FindingResult, PatrolShift, PatrolStatus
from civicgrid.grids.choices import GridLevel


class ChecklistItem(models.Model):
    """One line of the patrol record form (巡查记录表), e.g. 楼道堆物 or 消防通道.

    Each item names the case category a failed check is reported under, so that turning a
    finding into a case is one tap. Editable in the admin; inactive items leave new patrols'
    checklists but stay on old patrols' findings.
    """

    name = models.CharField(_("检查项"), max_length=50, unique=True)
    hint = models.CharField(
        _("检查要点"), max_length=200, blank=True, help_text=_("巡查时提示网格员看什么")
    )
    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("默认案件类别"),
        on_delete=models.PROTECT,
        related_name="checklist_items",
        help_text=_("发现问题转为案件时使用的类别（须为小类）"),
    )
    order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("巡查检查项")
        verbose_name_plural = _("巡查检查项")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class Patrol(models.Model):
    """One round (巡块) of a grid worker through one micro-grid, morning or afternoon.

    `route` holds the phone's positions as [[lon, lat, "ISO time"], ...], appended by the page
    while the patrol runs; the last point is where a finding turned into a case is located.
    """

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("巡查人"),
        on_delete=models.PROTECT,
        related_name="patrols",
    )
    micro_grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("微网格"),
        on_delete=models.PROTECT,
        related_name="patrols",
        limit_choices_to={"level": GridLevel.MICRO_GRID},
    )
    shift = models.CharField(_("班次"), max_length=20, choices=PatrolShift.choices)
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=PatrolStatus.choices,
        default=PatrolStatus.RUNNING,
        db_index=True,
    )
    started_at = models.DateTimeField(_("开始时间"), db_index=True)
    ended_at = models.DateTimeField(_("结束时间"), null=True, blank=True)
    route = models.JSONField(
        _("轨迹点"), default=list, blank=True, help_text=_("[[经度，纬度，时间], …]")
    )
    note = models.TextField(_("巡查小结"), blank=True)

    class Meta:
        verbose_name = _("巡查记录")
        verbose_name_plural = _("巡查记录")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["worker", "status"])]

    def __str__(self):
        return f"{self.micro_grid} {self.started_at:%Y-%m-%d} {self.get_shift_display()}"

    @property
    def last_point(self):
        """(lon, lat) of the last route point, or None."""
        if not self.route:
            return None
        lon, lat = self.route[-1][:2]
        return lon, lat


def finding_photo_path(instance, filename: str) -> str:
    import secrets

    from django.utils import timezone

    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"patrol-photos/{timezone.localdate():%Y/%m/%d}/{secrets.token_hex(16)}.{ext}"


class PatrolFinding(models.Model):
    """The result of one checklist item on one patrol: 正常, or 有问题 with a note and maybe a
    photo (cleaned like every case photo: re-encoded, no EXIF/GPS). A problem may become a case;
    `case` then points at it (at most once per finding)."""

    patrol = models.ForeignKey(
        Patrol, verbose_name=_("巡查记录"), on_delete=models.CASCADE, related_name="findings"
    )
    item = models.ForeignKey(
        ChecklistItem, verbose_name=_("检查项"), on_delete=models.PROTECT, related_name="findings"
    )
    result = models.CharField(_("结果"), max_length=20, choices=FindingResult.choices)
    note = models.CharField(_("情况说明"), max_length=500, blank=True)
    photo = models.FileField(_("照片"), upload_to=finding_photo_path, max_length=200, blank=True)
    recorded_at = models.DateTimeField(_("记录时间"))
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("转为案件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patrol_finding",
    )

    class Meta:
        verbose_name = _("巡查发现")
        verbose_name_plural = _("巡查发现")
        ordering = ["item__order", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["patrol", "item"], name="finding_once_per_item"),
        ]

    def __str__(self):
        return f"{self.item} {self.get_result_display()}"


class NeedKind(models.Model):
    """A kind of 急难愁盼 need (急难愁盼事项) a visit is tagged with, e.g. 养老助餐 or 停车难.

    Each kind names the case category a need is reported under, so that a visit or a
    follow-up becomes a case in one tap. Editable in the admin; inactive kinds leave the visit
    form but stay on old visits."""

    name = models.CharField(_("事项"), max_length=30, unique=True)
    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("默认案件类别"),
        on_delete=models.PROTECT,
        related_name="need_kinds",
    )
    order = models.PositiveIntegerField(_("排序"), default=0)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("急难愁盼事项")
        verbose_name_plural = _("急难愁盼事项")
        ordering = ["order", "id"]

    def __str__(self):
        return self.name


class Visit(models.Model):
    """A household visit (走访) by a grid worker: whom, when, what was asked.

    `micro_grid` is the household's micro-grid at the time of the visit (copied, as scoping
    filters on it); the weekly summary of "四百走访" counts these rows per worker and ISO week.
    """

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("走访人"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    household = models.ForeignKey(
        "registry.Household",
        verbose_name=_("走访户"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    micro_grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("微网格"),
        on_delete=models.PROTECT,
        related_name="visits",
        limit_choices_to={"level": GridLevel.MICRO_GRID},
    )
    visited_at = models.DateTimeField(_("走访时间"), db_index=True)
    topics = models.TextField(_("询问事项"), help_text=_("了解的情况、居民反映的诉求"))
    needs = models.ManyToManyField(
        NeedKind, verbose_name=_("急难愁盼"), blank=True, related_name="visits"
    )
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("转为案件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visit",
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_at", "-id"]
        indexes = [models.Index(fields=["worker", "visited_at"])]

    def __str__(self):
        return f"{self.household} {self.visited_at:%Y-%m-%d}"


class Topic(models.Model):
    """An item on a 居村's 专题会 agenda (专题会议题): a 难点 the grid could not solve, discussed at
    a 专题讨论会议 which records its work plan (seed 000: "及时召开专题讨论会议…形成工作方案")."""

    community = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("居村"),
        on_delete=models.PROTECT,
        related_name="topics",
        limit_choices_to={"level": GridLevel.COMMUNITY},
    )
    title = models.CharField(_("议题"), max_length=300)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("提出人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    raised_at = models.DateTimeField(_("提出时间"), db_index=True)
    meeting_date = models.DateField(_("专题会日期"), null=True, blank=True)
    work_plan = models.TextField(_("工作方案"), blank=True)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("方案记录人"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("专题会议题")
        verbose_name_plural = _("专题会议题")
        ordering = ["-raised_at", "-id"]

    def __str__(self):
        return self.title

    @property
    def has_plan(self) -> bool:
        return bool(self.work_plan)


class FollowUp(models.Model):
    """Something a visit left to do (跟进事项), open until the worker marks it done. It may become
    a case (`case`), or, too hard for the grid, a 难点 on the 专题会 agenda (`topic`)."""

    visit = models.ForeignKey(
        Visit, verbose_name=_("走访记录"), on_delete=models.CASCADE, related_name="follow_ups"
    )
    text = models.CharField(_("跟进事项"), max_length=300)
    is_done = models.BooleanField(_("已完成"), default=False)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("转为案件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up",
    )
    topic = models.OneToOneField(
        Topic,
        verbose_name=_("难点议题"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="follow_up",
    )

    class Meta:
        verbose_name = _("跟进事项")
        verbose_name_plural = _("跟进事项")
        ordering = ["id"]

    def __str__(self):
        return self.text


class PatrolArea(models.Model):
    """A cadre's responsibility area for 巡块 (巡块责任区): one micro-grid, or some of its
    building groups, walked twice every working day (morning and afternoon).

    The daily plan is not stored: fieldwork.coverage derives it from the areas in force on each
    working day of the calendar (workcalendar), so a holiday or a 调休 day changes the plan by
    itself, and an area that ended keeps counting for the days it was in force.
    """

    worker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        on_delete=models.PROTECT,
        related_name="patrol_areas",
    )
    micro_grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("微网格"),
        on_delete=models.PROTECT,
        related_name="patrol_areas",
        limit_choices_to={"level": GridLevel.MICRO_GRID},
    )
    building_groups = models.ManyToManyField(
        "grids.Grid",
        verbose_name=_("楼组"),
        blank=True,
        related_name="+",
        limit_choices_to={"level": GridLevel.BUILDING_GROUP},
        help_text=_("不选表示整个微网格"),
    )
    start_date = models.DateField(_("起始日期"))
    end_date = models.DateField(_("结束日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("巡块责任区")
        verbose_name_plural = _("巡块责任区")
        ordering = ["micro_grid__code", "worker_id", "start_date"]
        indexes = [models.Index(fields=["worker", "end_date"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="patrol_area_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.micro_grid} · {self.worker}"
