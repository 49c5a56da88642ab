"""Kinds and states of shared parking (错峰共享停车)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class SpaceKind(models.TextChoices):
    """车位类型: who holds the space and on what terms."""

    OWNED = "owned", _("产权固定")
    LEASED = "leased", _("租赁固定")
    PUBLIC = "public", _("公共")
    VISITOR = "visitor", _("访客")


class Days(models.TextChoices):
    """Which days an offer's window recurs on (working days by civicgrid.workcalendar)."""

    WORKING = "working", _("工作日")
    NON_WORKING = "non_working", _("休息日")
    EVERY = "every", _("每天")


class BookingState(models.TextChoices):
    """预约状态 (the transition table is parking.workflow)."""

    REQUESTED = "requested", _("已申请")
    CONFIRMED = "confirmed", _("已确认")
    PARKED = "parked", _("已停入")
    COMPLETED = "completed", _("已驶离")
    CANCELLED = "cancelled", _("已取消")
    NO_SHOW = "no_show", _("未到")
    OVERSTAY = "overstay", _("超时占用")


# States that no longer hold the space: the no-overlap guarantee ignores them.
RELEASED_STATES = (BookingState.CANCELLED, BookingState.NO_SHOW)
# States in which the car actually used the space (a share, 共享一次).
USED_STATES = (BookingState.PARKED, BookingState.COMPLETED, BookingState.OVERSTAY)


class EscalationKind(models.TextChoices):
    """Where an overstay or a dispute goes next."""

    CASE = "case", _("转为案件")
    MEETING = "meeting", _("提交协调会")
