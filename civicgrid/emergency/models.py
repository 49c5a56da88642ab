"""Flood duty (防汛) and emergencies (应急, seeds 003 and 001).

Seed 003: "强排泵改造、‘小包围’改造", "29个易积水小区", "抓好防汛值班制度，加强领导带班", "优化防汛预案 …
隐患排查和风险监控"; seed 001: "完善街道应急处置预案 … 应急演练".

- The flood-prone register: points (FloodPoint, an estate or a road) with their works
  (FloodWork: 强排泵, 小包围, drains; a pump's running is logged) and the people to call.
- Stores (Store) hold supplies; a store's stock (StockBalance, never negative — a database check)
  moves only by StockMovement rows (immutable, each with the balance after it).
- A plan per kind (EmergencyPlan) with a LevelPlan per level: how often to patrol which points,
  what to pre-position.
- A response (Response) raised at a level, changed, lifted — each step a ResponseEvent; raising
  or raising higher creates patrol and pre-positioning tasks (Task, each change a TaskEvent).
- During a response: FloodReport (a flooded point, its depth and photo: a 积水 case), Evacuation.
- Drills (Drill) with participants and findings (DrillFinding → a task or a case).

Rows change only through emergency.services. Points hang off a micro-grid, which is how
grids.scoping scopes them and what hangs off them.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import ImmutableModel
from civicgrid.emergency.choices import (
    EmergencyKind,
    FindingOutcome,
    Level,
    PointKind,
    ResponseAction,
    ResponseState,
    Risk,
    Supply,
    TaskAction,
    TaskKind,
    TaskState,
    WorkAction,
    WorkKind,
    WorkState,
)


def _user(verbose, related_name="+", null=True):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=verbose,
        on_delete=models.PROTECT,
        null=null,
        blank=null,
        related_name=related_name,
    )


class FloodPoint(models.Model):
    """易积水点: an estate (易积水小区) or a road, underpass … that floods in heavy rain."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=PointKind.choices)
    estate = models.ForeignKey(
        "estates.Estate",
        verbose_name=_("小区"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="flood_points",
    )
    community = models.ForeignKey(
        "grids.Grid", verbose_name=_("居村"), on_delete=models.PROTECT, related_name="+"
    )
    micro_grid = models.ForeignKey(
        "grids.Grid", verbose_name=_("微网格"), on_delete=models.PROTECT, related_name="+"
    )
    address = models.CharField(_("位置"), max_length=200, blank=True)
    lon = models.FloatField(_("经度"), null=True, blank=True)
    lat = models.FloatField(_("纬度"), null=True, blank=True)
    risk = models.CharField(_("积水风险"), max_length=2, choices=Risk.choices, default=Risk.MEDIUM)
    households = models.PositiveIntegerField(_("受影响户数"), default=0)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    is_active = models.BooleanField(_("在册"), default=True)
    created_at = models.DateTimeField(_("登记时间"))

    class Meta:
        verbose_name = _("易积水点")
        verbose_name_plural = _("易积水点")
        ordering = ["community__code", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="emergency_point_name")
        ]

    def __str__(self):
        return self.name

    @property
    def choice_label(self) -> str:
        """The point among the street's (a name may stand in two 居村): its name and its 居村.
        Read it with the 居村 (select_related)."""
        return f"{self.name}（{self.community.name}）" if self.community_id else self.name


class PointContact(models.Model):
    """联系人: whom to call about a point (物业经理, 居委主任, 楼组长 …); phones shown masked."""

    point = models.ForeignKey(
        FloodPoint, verbose_name=_("易积水点"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("姓名"), max_length=50)
    title = models.CharField(_("身份"), max_length=50)
    phone = models.CharField(_("电话"), max_length=20)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("联系人")
        verbose_name_plural = _("联系人")
        ordering = ["point", "order", "id"]

    def __str__(self):
        return f"{self.name}（{self.title}）"


class ContactPhoneView(ImmutableModel):
    """联系人电话查看记录: a commanding role saw a contact's full phone (each view a row)."""

    point = models.ForeignKey(
        FloodPoint, verbose_name=_("易积水点"), on_delete=models.PROTECT, related_name="+"
    )
    contact_name = models.CharField(_("联系人"), max_length=50)
    user = _user(_("查看人"), null=False)
    channel = models.CharField(_("渠道"), max_length=10)
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("联系人电话查看记录")
        verbose_name_plural = _("联系人电话查看记录")
        ordering = ["-at", "-id"]


class FloodWork(models.Model):
    """防汛设施: a pump station (强排泵), an enclosure (小包围) or drains of a point, their state;
    a pump's running (`is_running`) is switched by the phone and logged."""

    point = models.ForeignKey(
        FloodPoint, verbose_name=_("易积水点"), on_delete=models.PROTECT, related_name="works"
    )
    kind = models.CharField(_("类型"), max_length=20, choices=WorkKind.choices)
    name = models.CharField(_("名称"), max_length=100)
    state = models.CharField(_("状态"), max_length=20, choices=WorkState.choices)
    capacity = models.PositiveIntegerField(_("排水能力（立方米/小时）"), null=True, blank=True)
    is_running = models.BooleanField(_("运行中"), default=False)
    running_since = models.DateTimeField(_("开泵时间"), null=True, blank=True)
    updated_at = models.DateTimeField(_("更新时间"))

    class Meta:
        verbose_name = _("防汛设施")
        verbose_name_plural = _("防汛设施")
        ordering = ["point", "kind", "id"]
        constraints = [
            # Only a pump in working order runs.
            models.CheckConstraint(
                condition=Q(is_running=False) | Q(kind=WorkKind.PUMP, state=WorkState.READY),
                name="emergency_only_ready_pumps_run",
            )
        ]

    def __str__(self):
        return self.name


class WorkChange(ImmutableModel):
    """设施记录: a work's state changed, or a pump started or stopped (immutable)."""

    work = models.ForeignKey(
        FloodWork, verbose_name=_("设施"), on_delete=models.PROTECT, related_name="changes"
    )
    action = models.CharField(_("操作"), max_length=10, choices=WorkAction.choices)
    from_state = models.CharField(_("原状态"), max_length=20, blank=True)
    to_state = models.CharField(_("新状态"), max_length=20, blank=True)
    response = models.ForeignKey(
        "Response",
        verbose_name=_("应急响应"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="work_changes",
    )
    user = _user(_("操作人"))
    at = models.DateTimeField(_("时间"), db_index=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("设施记录")
        verbose_name_plural = _("设施记录")
        ordering = ["-at", "-id"]


class Store(models.Model):
    """防汛物资仓库: a store of sandbags, pumps and boards (the street's or a 居村's)."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    community = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("居村"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("空：街道仓库"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("防汛物资仓库")
        verbose_name_plural = _("防汛物资仓库")
        ordering = ["name", "id"]

    def __str__(self):
        return self.name


class StockBalance(models.Model):
    """库存: how much of a supply a store holds, kept equal to the sum of its movements and
    never negative (a database check; moved under select_for_update)."""

    store = models.ForeignKey(
        Store, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="balances"
    )
    supply = models.CharField(_("物资"), max_length=20, choices=Supply.choices)
    quantity = models.IntegerField(_("数量"), default=0)

    class Meta:
        verbose_name = _("库存")
        verbose_name_plural = _("库存")
        ordering = ["store", "supply"]
        constraints = [
            models.UniqueConstraint(fields=["store", "supply"], name="emergency_stock_once"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="emergency_stock_not_neg"),
        ]

    def __str__(self):
        return f"{self.store} {self.get_supply_display()} {self.quantity}"


class StockMovement(ImmutableModel):
    """出入库记录: supplies in (+) or out (−) of a store, with the balance after it (immutable)."""

    store = models.ForeignKey(
        Store, verbose_name=_("仓库"), on_delete=models.PROTECT, related_name="movements"
    )
    supply = models.CharField(_("物资"), max_length=20, choices=Supply.choices)
    change = models.IntegerField(_("变动"))
    balance_after = models.PositiveIntegerField(_("结存"))
    reason = models.CharField(_("事由"), max_length=200)
    point = models.ForeignKey(
        FloodPoint,
        verbose_name=_("预置点位"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    response = models.ForeignKey(
        "Response",
        verbose_name=_("应急响应"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movements",
    )
    user = _user(_("经办人"))
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("出入库记录")
        verbose_name_plural = _("出入库记录")
        ordering = ["-at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(change=0), name="emergency_move_nonzero")
        ]


class EmergencyPlan(models.Model):
    """应急预案: the street's plan for one kind of emergency, with a LevelPlan per level."""

    kind = models.CharField(_("种类"), max_length=20, choices=EmergencyKind.choices, unique=True)
    title = models.CharField(_("名称"), max_length=100)
    summary = models.TextField(_("要点"), blank=True)
    updated_at = models.DateTimeField(_("修订时间"))

    class Meta:
        verbose_name = _("应急预案")
        verbose_name_plural = _("应急预案")
        ordering = ["kind"]

    def __str__(self):
        return self.title


class LevelPlan(models.Model):
    """分级响应措施: what a level of a plan asks: patrol the points at or above a risk every so
    many minutes, pre-position so many sandbags and pumps at each, and the duty's instructions
    (who is on duty comes from the roster: 值班长 and 带班领导)."""

    plan = models.ForeignKey(
        EmergencyPlan, verbose_name=_("预案"), on_delete=models.CASCADE, related_name="levels"
    )
    level = models.CharField(_("等级"), max_length=2, choices=Level.choices)
    patrol_risk = models.CharField(
        _("巡查点位（风险不低于）"), max_length=2, choices=Risk.choices, default=Risk.HIGH
    )
    patrol_every_minutes = models.PositiveIntegerField(_("巡查间隔（分钟）"), default=120)
    sandbags_per_point = models.PositiveIntegerField(_("每点预置沙袋"), default=0)
    pumps_per_point = models.PositiveIntegerField(_("每点预置移动泵"), default=0)
    instructions = models.TextField(_("值守要求"), blank=True)

    class Meta:
        verbose_name = _("分级响应措施")
        verbose_name_plural = _("分级响应措施")
        ordering = ["plan", "-level"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "level"], name="emergency_level_plan_once")
        ]

    def __str__(self):
        return f"{self.plan} {self.get_level_display()}"


class Response(models.Model):
    """应急响应: a response of the street at a level, from its raising to its lifting."""

    kind = models.CharField(_("种类"), max_length=20, choices=EmergencyKind.choices)
    level = models.CharField(_("等级"), max_length=2, choices=Level.choices)
    state = models.CharField(_("状态"), max_length=10, choices=ResponseState.choices)
    reason = models.CharField(_("事由"), max_length=300)
    started_at = models.DateTimeField(_("启动时间"), db_index=True)
    started_by = _user(_("启动人"))
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    lifted_by = _user(_("解除人"))
    highest_level = models.CharField(_("最高等级"), max_length=2, choices=Level.choices)

    class Meta:
        verbose_name = _("应急响应")
        verbose_name_plural = _("应急响应")
        ordering = ["-started_at", "-id"]
        constraints = [
            # One command for the street: at most one active response.
            models.UniqueConstraint(
                fields=["state"],
                condition=Q(state=ResponseState.ACTIVE),
                name="emergency_one_active_response",
            )
        ]

    def __str__(self):
        return f"{self.get_kind_display()}{self.get_level_display()} {self.started_at:%Y-%m-%d}"

    @property
    def is_active(self) -> bool:
        return self.state == ResponseState.ACTIVE


class ResponseEvent(ImmutableModel):
    """响应记录: a response raised, its level changed, or lifted (immutable)."""

    response = models.ForeignKey(
        Response, verbose_name=_("应急响应"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=10, choices=ResponseAction.choices)
    from_level = models.CharField(_("原等级"), max_length=2, blank=True)
    to_level = models.CharField(_("新等级"), max_length=2, blank=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)
    user = _user(_("操作人"))
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("响应记录")
        verbose_name_plural = _("响应记录")
        ordering = ["at", "id"]


class Drill(models.Model):
    """应急演练: a drill of a kind, held on a day with its participants; its findings become
    tasks or cases. Recorded once (emergency.services.do_record_drill)."""

    kind = models.CharField(_("种类"), max_length=20, choices=EmergencyKind.choices)
    title = models.CharField(_("名称"), max_length=100)
    held_on = models.DateField(_("演练日期"))
    place = models.CharField(_("地点"), max_length=200)
    participants = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("参演人员"), related_name="+", blank=True
    )
    others = models.PositiveIntegerField(_("其他参演人数"), default=0)
    summary = models.TextField(_("演练情况"), blank=True)
    recorded_by = _user(_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"))

    class Meta:
        verbose_name = _("应急演练")
        verbose_name_plural = _("应急演练")
        ordering = ["-held_on", "-id"]

    def __str__(self):
        return self.title


class Task(models.Model):
    """应急任务: a patrol, a pre-positioning or a drill's finding given to one person, due by a
    time; done or cancelled on the phone (each change a TaskEvent)."""

    kind = models.CharField(_("类型"), max_length=20, choices=TaskKind.choices)
    title = models.CharField(_("任务"), max_length=200)
    response = models.ForeignKey(
        Response,
        verbose_name=_("应急响应"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    drill = models.ForeignKey(
        Drill,
        verbose_name=_("演练"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    point = models.ForeignKey(
        FloodPoint,
        verbose_name=_("易积水点"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
    )
    assignee = _user(_("负责人"), related_name="emergency_tasks", null=False)
    state = models.CharField(_("状态"), max_length=10, choices=TaskState.choices, db_index=True)
    due_at = models.DateTimeField(_("完成时限"), db_index=True)
    created_at = models.DateTimeField(_("派发时间"))
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    note = models.CharField(_("完成情况"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("应急任务")
        verbose_name_plural = _("应急任务")
        ordering = ["state", "due_at", "id"]

    def __str__(self):
        return self.title


class TaskEvent(ImmutableModel):
    """任务记录: a task given, done or cancelled (immutable)."""

    task = models.ForeignKey(
        Task, verbose_name=_("任务"), on_delete=models.PROTECT, related_name="events"
    )
    action = models.CharField(_("操作"), max_length=10, choices=TaskAction.choices)
    user = _user(_("操作人"))
    at = models.DateTimeField(_("时间"), db_index=True)
    note = models.CharField(_("说明"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("任务记录")
        verbose_name_plural = _("任务记录")
        ordering = ["at", "id"]


class FloodReport(ImmutableModel):
    """积水报告: a flooded point seen on the ground, its depth and photo; it opens a 积水 case
    (the photo is stored with the case), which jumps the queue while a response is active."""

    response = models.ForeignKey(
        Response,
        verbose_name=_("应急响应"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
    )
    point = models.ForeignKey(
        FloodPoint, verbose_name=_("易积水点"), on_delete=models.PROTECT, related_name="reports"
    )
    depth_cm = models.PositiveSmallIntegerField(_("积水深度（厘米）"))
    note = models.CharField(_("情况"), max_length=300, blank=True)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("案件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    user = _user(_("报告人"))
    at = models.DateTimeField(_("报告时间"), db_index=True)

    class Meta:
        verbose_name = _("积水报告")
        verbose_name_plural = _("积水报告")
        ordering = ["-at", "-id"]


class Evacuation(ImmutableModel):
    """转移安置: people moved out of harm's way during a response (immutable)."""

    response = models.ForeignKey(
        Response, verbose_name=_("应急响应"), on_delete=models.PROTECT, related_name="evacuations"
    )
    point = models.ForeignKey(
        FloodPoint, verbose_name=_("易积水点"), on_delete=models.PROTECT, related_name="+"
    )
    people = models.PositiveIntegerField(_("转移人数"))
    shelter = models.CharField(_("安置点"), max_length=200)
    user = _user(_("登记人"))
    at = models.DateTimeField(_("时间"), db_index=True)

    class Meta:
        verbose_name = _("转移安置")
        verbose_name_plural = _("转移安置")
        ordering = ["-at", "-id"]


class DrillFinding(ImmutableModel):
    """演练发现: a weakness a drill showed, and the task or case it became."""

    drill = models.ForeignKey(
        Drill, verbose_name=_("演练"), on_delete=models.PROTECT, related_name="findings"
    )
    text = models.CharField(_("问题"), max_length=300)
    outcome = models.CharField(_("处理"), max_length=10, choices=FindingOutcome.choices)
    task = models.ForeignKey(
        Task,
        verbose_name=_("任务"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("案件"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("演练发现")
        verbose_name_plural = _("演练发现")
        ordering = ["drill", "id"]
