"""Proactive governance (主动治理): standing problems (一弄一案) gathered from recurring cases,
hotspot cells (Gi*), daily anomalies and the patrol tasks made from them.

Every row hangs off a micro-grid, so grids.scoping scopes it the same on every surface."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import ImmutableModel
from civicgrid.grids.choices import GridLevel
from civicgrid.proactive.choices import (
    FirstKind,
    PlaceKind,
    ProblemState,
    TaskOrigin,
    TaskState,
    Trend,
)


def _micro_grid(related_name):
    return models.ForeignKey(
        "grids.Grid",
        verbose_name=_("微网格"),
        on_delete=models.PROTECT,
        related_name=related_name,
        limit_choices_to={"level": GridLevel.MICRO_GRID},
    )


def _user(verbose_name, related_name="+"):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose_name,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
    )


class StandingProblem(models.Model):
    """一弄一案: a problem that keeps coming back — the same category (or category group) at the
    same address, building group or micro-grid repeating within a window — handled as one
    standing item with an owner, a plan and the cases it gathers. Its key (`place_kind`,
    `place_key`, `category_key`) is unique: detection run twice finds the item again instead of
    making a second one, and the place's problem coming back after closing reopens the same
    item as 返潮."""

    title = models.CharField(_("名称"), max_length=200)
    place_kind = models.CharField(_("地点层级"), max_length=20, choices=PlaceKind.choices)
    # The normalised address, or the building group's / micro-grid's id, as text.
    place_key = models.CharField(_("地点标识"), max_length=200)
    address = models.CharField(_("地点"), max_length=200)
    micro_grid = _micro_grid("standing_problems")
    building_group = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("楼组"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # "g:<group>" for a category group (Category.group), else "c:<category id>".
    category_key = models.CharField(_("类别标识"), max_length=40)
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("类别"), on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=ProblemState.choices, default=ProblemState.OPEN
    )
    owner = _user(_("责任人"), "standing_problems")
    plan = models.TextField(_("整改方案"), blank=True)
    cases = models.ManyToManyField(
        "cases.Case", verbose_name=_("归集案件"), through="ProblemCase", related_name="+"
    )
    case_count = models.PositiveIntegerField(_("归集案件数"), default=0)
    recurrences = models.PositiveIntegerField(_("返潮次数"), default=0)
    detected_at = models.DateTimeField(_("发现时间"), db_index=True)
    closed_at = models.DateTimeField(_("销号时间"), null=True, blank=True)
    last_case_at = models.DateTimeField(_("最近案件时间"))

    class Meta:
        verbose_name = _("一弄一案")
        verbose_name_plural = _("一弄一案")
        ordering = ["-last_case_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["place_kind", "place_key", "category_key"],
                name="proactive_problem_unique_key",
            )
        ]

    def __str__(self):
        return self.title


class ProblemCase(models.Model):
    """一弄一案归集案件: one case gathered by an item (a case belongs to one item at most)."""

    problem = models.ForeignKey(
        StandingProblem, verbose_name=_("一弄一案"), on_delete=models.CASCADE, related_name="links"
    )
    case = models.OneToOneField(
        "cases.Case", verbose_name=_("案件"), on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(_("归集时间"))
    # A case that arrived after the item was closed (返潮).
    is_recurrence = models.BooleanField(_("返潮案件"), default=False)

    class Meta:
        verbose_name = _("归集案件")
        verbose_name_plural = _("归集案件")
        ordering = ["problem", "case__reported_at"]

    def __str__(self):
        return f"{self.problem_id} · {self.case_id}"


class ProblemEvent(ImmutableModel):
    """一弄一案日志: one step of an item (history, never changed)."""

    problem = models.ForeignKey(
        StandingProblem, verbose_name=_("一弄一案"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("动作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=20, choices=ProblemState.choices)
    to_state = models.CharField(_("新状态"), max_length=20, choices=ProblemState.choices)
    actor = _user(_("操作人"))
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("一弄一案日志")
        verbose_name_plural = _("一弄一案日志")
        ordering = ["at", "id"]


class HotspotCell(models.Model):
    """热点: the Getis-Ord Gi* of one micro-grid's case count in one period (all categories when
    `category` is empty) and its trend over the periods before (proactive.hotspots). Computed
    rows: a new computation of the same period deletes and replaces them (the constraint cannot
    hold the all-category rows, whose category is NULL, on every database)."""

    period_start = models.DateField(_("周期开始"))
    period_end = models.DateField(_("周期结束"), db_index=True)
    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("类别"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    micro_grid = _micro_grid("+")
    count = models.PositiveIntegerField(_("案件数"))
    z = models.FloatField(_("Gi*值"))
    is_hot = models.BooleanField(_("热点"), default=False)
    trend = models.CharField(_("趋势"), max_length=20, choices=Trend.choices, blank=True)

    class Meta:
        verbose_name = _("热点网格")
        verbose_name_plural = _("热点网格")
        ordering = ["-period_end", "-z"]
        constraints = [
            models.UniqueConstraint(
                fields=["period_end", "category", "micro_grid"],
                name="proactive_hotspot_unique",
            )
        ]

    def __str__(self):
        return f"{self.period_end} · {self.micro_grid_id} · {self.z:.2f}"


class Anomaly(models.Model):
    """异常: a day whose count of one category in one micro-grid is far above the same weekday of
    the four weeks before (proactive.anomalies); the grid leaders were warned once."""

    day = models.DateField(_("日期"), db_index=True)
    micro_grid = _micro_grid("+")
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("类别"), on_delete=models.PROTECT, related_name="+"
    )
    count = models.PositiveIntegerField(_("当日案件数"))
    baseline = models.FloatField(_("基线均值"))
    threshold = models.FloatField(_("预警阈值"))
    warned_at = models.DateTimeField(_("预警时间"))

    class Meta:
        verbose_name = _("异常预警")
        verbose_name_plural = _("异常预警")
        ordering = ["-day", "-count"]
        constraints = [
            models.UniqueConstraint(
                fields=["day", "micro_grid", "category"], name="proactive_anomaly_unique"
            )
        ]

    def __str__(self):
        return f"{self.day} · {self.micro_grid_id} · {self.count}"


class PatrolTask(models.Model):
    """主动巡查任务: a hotspot, an anomaly or a 一弄一案 item turned into a task for a grid
    worker — where to go and what to look for; a finding on it becomes a case (来源：主动发现)."""

    origin = models.CharField(_("来由"), max_length=20, choices=TaskOrigin.choices)
    hotspot = models.ForeignKey(
        HotspotCell, verbose_name=_("热点"), on_delete=models.SET_NULL, null=True, blank=True
    )
    anomaly = models.ForeignKey(
        Anomaly, verbose_name=_("异常"), on_delete=models.PROTECT, null=True, blank=True
    )
    problem = models.ForeignKey(
        StandingProblem,
        verbose_name=_("一弄一案"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    micro_grid = _micro_grid("proactive_tasks")
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("类别"), on_delete=models.PROTECT, related_name="+"
    )
    place = models.CharField(_("巡查地点"), max_length=200)
    look_for = models.CharField(_("巡查重点"), max_length=500)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("网格员"),
        on_delete=models.PROTECT,
        related_name="proactive_tasks",
    )
    state = models.CharField(
        _("状态"), max_length=20, choices=TaskState.choices, default=TaskState.OPEN
    )
    due_on = models.DateField(_("完成期限"))
    created_by = _user(_("派发人"))
    created_at = models.DateTimeField(_("派发时间"))
    finding = models.TextField(_("巡查情况"), blank=True)
    found_problem = models.BooleanField(_("发现问题"), default=False)
    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("案件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("主动巡查任务")
        verbose_name_plural = _("主动巡查任务")
        ordering = ["state", "due_on", "-id"]

    def __str__(self):
        return f"{self.place} · {self.look_for[:20]}"


class TaskEvent(ImmutableModel):
    """巡查任务日志: one step of a patrol task (history, never changed)."""

    task = models.ForeignKey(
        PatrolTask, verbose_name=_("巡查任务"), on_delete=models.CASCADE, related_name="events"
    )
    action = models.CharField(_("动作"), max_length=20)
    from_state = models.CharField(_("原状态"), max_length=20, choices=TaskState.choices, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, choices=TaskState.choices)
    actor = _user(_("操作人"))
    at = models.DateTimeField(_("时间"))
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("巡查任务日志")
        verbose_name_plural = _("巡查任务日志")
        ordering = ["at", "id"]


class FirstReport(models.Model):
    """未诉先办, stored: for each counted case found by the street's people or complained of, how
    many cases of the other kind (same category, same place) were reported in the window before
    it (proactive.indicators' rule). `earlier == 0` is "found first" for a found case and "first
    reported by residents" for a complaint. Kept by proactive.first on every case step (the
    cases' `case_changed` signal, in the step's transaction) and rebuilt by
    `manage.py rebuild_first_reports`; the place and time are copied from the case so the
    dashboard's tile is one aggregate over this table."""

    case = models.OneToOneField(
        "cases.Case",
        verbose_name=_("案件"),
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
    )
    kind = models.CharField(_("类型"), max_length=10, choices=FirstKind.choices)
    earlier = models.IntegerField(_("此前另一类案件数"), default=0)
    micro_grid = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("微网格"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    reported_at = models.DateTimeField(_("上报时间"))

    class Meta:
        verbose_name = _("先发现记录")
        verbose_name_plural = _("先发现记录")
        indexes = [
            # The tile reads only the cases that came first, over a period (and for a scoped
            # leader, in some micro-grids).
            models.Index(
                fields=["reported_at", "kind", "micro_grid"],
                condition=models.Q(earlier=0),
                name="proactive_first_at_idx",
            ),
            models.Index(
                fields=["micro_grid", "reported_at"],
                condition=models.Q(earlier=0),
                name="proactive_first_grid_idx",
            ),
        ]

    def __str__(self):
        return f"{self.case_id} · {self.kind} · {self.earlier}"
