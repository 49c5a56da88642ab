"""States and kinds of the street-shop roll (沿街商铺) and its 门责 inspections."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ShopState(models.TextChoices):
    """A shop's trading state as the block's person last saw it."""

    OPEN = "open", _("营业")
    SUSPENDED = "suspended", _("歇业")
    RENOVATING = "renovating", _("装修")
    VACANT = "vacant", _("空置")
    TRANSFER = "transfer", _("转让")


class Trade(models.TextChoices):
    """行业: the trades of the street front (seed 002's 沿街商铺)."""

    CATERING = "catering", _("餐饮")
    RETAIL = "retail", _("零售")
    FRESH = "fresh", _("生鲜")
    HAIR = "hair", _("美发")
    REPAIR = "repair", _("维修")
    SERVICES = "services", _("生活服务")
    PHARMACY = "pharmacy", _("医药")
    OTHER = "other", _("其他")


class ShopAction(models.TextChoices):
    """What a row of a shop's history (ShopEvent) records."""

    REGISTER = "register", _("登记")
    CONFIRM = "confirm", _("核实无变化")
    CHANGE_STATE = "change_state", _("状态变更")
    UPDATE = "update", _("信息修改")
    CLOSE = "close", _("注销")
    JOIN = "join", _("加入自律联盟")
    LEAVE = "leave", _("退出自律联盟")


class Freshness(models.TextChoices):
    """How current a block's data is in the half-monthly refresh (每半月更新覆盖一次)."""

    FRESH = "fresh", _("已更新")
    YELLOW = "yellow", _("临期")
    RED = "red", _("超期")


class Grade(models.TextChoices):
    """门责 monthly grade of a shop."""

    A = "A", _("A 全部合格")
    B = "B", _("B 一项不合格已按期整改")
    C = "C", _("C 不合格")
