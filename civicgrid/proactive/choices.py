"""Fixed vocabularies of proactive governance (主动治理)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProblemState(models.TextChoices):
    """一弄一案的状态：发现 → 整改中 → 已销号；销号后同类问题在同一地点再次出现即为返潮。"""

    OPEN = "open", _("待落实")
    IN_PROGRESS = "in_progress", _("整改中")
    CLOSED = "closed", _("已销号")
    RECURRED = "recurred", _("返潮")


class PlaceKind(models.TextChoices):
    """一弄一案的地点层级：同一地址、同一楼组或同一微网格。"""

    ADDRESS = "address", _("同一地址")
    BUILDING_GROUP = "building_group", _("同一楼组")
    MICRO_GRID = "micro_grid", _("同一微网格")


class Trend(models.TextChoices):
    """热点趋势（定义见 proactive.hotspots）。"""

    NEW = "new", _("新增热点")
    INTENSIFYING = "intensifying", _("加剧热点")
    PERSISTENT = "persistent", _("持续热点")
    DIMINISHING = "diminishing", _("减弱热点")
    NONE = "", _("非热点")


class TaskOrigin(models.TextChoices):
    """主动巡查任务的来由。"""

    HOTSPOT = "hotspot", _("热点")
    ANOMALY = "anomaly", _("异常")
    PROBLEM = "problem", _("一弄一案")


class TaskState(models.TextChoices):
    """主动巡查任务的状态。"""

    OPEN = "open", _("待巡查")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class FirstKind(models.TextChoices):
    """未诉先办的两类案件：街镇自己发现的（主动发现、巡查上报、走访、部门自查）和群众投诉的（居民、12345、Open311）。"""

    FOUND = "found", _("主动发现")
    COMPLAINT = "complaint", _("群众投诉")
