"""Kinds, levels and states of flood duty and emergencies (防汛防台, seeds 001 and 003)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EmergencyKind(models.TextChoices):
    """突发事件种类: each has its plan (应急预案) and its drills."""

    FLOOD = "flood", _("防汛")
    TYPHOON = "typhoon", _("防台")
    FIRE = "fire", _("火灾")
    GAS = "gas", _("燃气泄漏")


class Level(models.TextChoices):
    """应急响应等级: the city's four-level scheme, IV (blue) the lowest, I (red) the highest. The
    value is the Roman numeral's rank, so a higher level has a smaller value."""

    IV = "4", _("Ⅳ级（蓝色）")
    III = "3", _("Ⅲ级（黄色）")
    II = "2", _("Ⅱ级（橙色）")
    I = "1", _("Ⅰ级（红色）")  # noqa: E741 (the level's own name)


LEVEL_COLOURS = {"4": "#1a73e8", "3": "#f2b705", "2": "#f28c28", "1": "#d93025"}


class ResponseState(models.TextChoices):
    ACTIVE = "active", _("响应中")
    LIFTED = "lifted", _("已解除")


class ResponseAction(models.TextChoices):
    """启动, 调整 and 解除 of a response: the rows of its history."""

    RAISE = "raise", _("启动响应")
    CHANGE = "change", _("调整等级")
    LIFT = "lift", _("解除响应")


class PointKind(models.TextChoices):
    ESTATE = "estate", _("小区")
    ROAD = "road", _("道路")
    UNDERPASS = "underpass", _("下立交")
    OTHER = "other", _("其他")


class Risk(models.TextChoices):
    """积水风险: how often and how deep the point floods; a level's plan patrols the points at or
    above a risk."""

    HIGH = "1", _("高")
    MEDIUM = "2", _("中")
    LOW = "3", _("低")


class WorkKind(models.TextChoices):
    """防汛设施: seed 003's “强排泵改造、‘小包围’改造” and the drains."""

    PUMP = "pump", _("强排泵")
    ENCLOSURE = "enclosure", _("小包围")
    DRAINAGE = "drainage", _("排水管网")


class WorkState(models.TextChoices):
    PLANNED = "planned", _("待改造")
    BUILDING = "building", _("改造中")
    READY = "ready", _("完好")
    FAULTY = "faulty", _("故障")


class WorkAction(models.TextChoices):
    STATE = "state", _("状态变更")
    START = "start", _("开泵")
    STOP = "stop", _("停泵")


class Supply(models.TextChoices):
    """防汛物资 kept in the stores."""

    SANDBAG = "sandbag", _("沙袋")
    PUMP = "pump", _("移动泵")
    BOARD = "board", _("挡水板")


class TaskKind(models.TextChoices):
    PATROL = "patrol", _("巡查")
    PREPOSITION = "preposition", _("物资预置")
    FINDING = "finding", _("演练整改")


class TaskState(models.TextChoices):
    OPEN = "open", _("待办")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class TaskAction(models.TextChoices):
    ASSIGN = "assign", _("派发")
    DONE = "done", _("完成")
    CANCEL = "cancel", _("取消")


class FindingOutcome(models.TextChoices):
    """What a drill's finding became: a task for someone, or a case (事件闭环)."""

    TASK = "task", _("转任务")
    CASE = "case", _("转案件")
