"""States and kinds of the garbage-sorting programme (生活垃圾分类)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class WasteCategory(models.TextChoices):
    """The four categories of the Shanghai regulation (in force 2019-07-01)."""

    RECYCLABLE = "recyclable", _("可回收物")
    HAZARDOUS = "hazardous", _("有害垃圾")
    WET = "wet", _("湿垃圾")
    DRY = "dry", _("干垃圾")


class PointKind(models.TextChoices):
    """What a drop-off point is."""

    ROOM = "room", _("垃圾箱房")
    TIMED = "timed", _("定时定点投放点")
    LATE = "late", _("误时投放点")
    RECYCLING = "recycling", _("可回收物服务点")


class PointState(models.TextChoices):
    PLANNED = "planned", _("规划中")
    IN_USE = "in_use", _("使用中")
    MERGED = "merged", _("已撤并")


class UnitKind(models.TextChoices):
    """Kinds of 单位 that sort their waste and are weighed and inspected on their own."""

    OFFICE = "office", _("机关事业单位")
    SCHOOL = "school", _("学校")
    COMPANY = "company", _("企业")
    MARKET = "market", _("商场市场")
    OTHER = "other", _("其他单位")


class GuideKind(models.TextChoices):
    """Who stands at a point at the peak hours (seed 000: "点位指导员、楼组长每天早晚高峰时段…指导")."""

    STAFF = "staff", _("工作人员")
    VOLUNTEER = "volunteer", _("志愿者")
    BUILDING_HEAD = "building_head", _("楼组长")


class ShiftState(models.TextChoices):
    """A guide's shift at a point. Unfilled (no guide) and missed (the window passed without a
    check-in) are read from the row and the clock, never stored."""

    PLANNED = "planned", _("待值守")
    ON_DUTY = "on_duty", _("值守中")
    DONE = "done", _("已完成")
    CANCELLED = "cancelled", _("已取消")


class CardColour(models.TextChoices):
    YELLOW = "yellow", _("黄牌")
    RED = "red", _("红牌")


class Grade(models.TextChoices):
    """The street's grade from the share of passing estates."""

    EXCELLENT = "excellent", _("优")
    GOOD = "good", _("良")
    FAIR = "fair", _("中")
    POOR = "poor", _("差")


class AccountKind(models.TextChoices):
    """绿色账户 ledger accounts: a household's, and the two the street keeps: points issued
    (its balance is minus everything ever awarded) and points redeemed for goods."""

    HOUSEHOLD = "household", _("居民户账户")
    ISSUED = "issued", _("积分发放")
    REDEEMED = "redeemed", _("积分兑换")


class EntryReason(models.TextChoices):
    EARN = "earn", _("正确投放")
    REDEEM = "redeem", _("兑换礼品")
