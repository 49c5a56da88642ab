"""Kinds and colours of the rental houses' fire-safety grading (消防“三色码”, seed 002)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Colour(models.TextChoices):
    """三色码: the house's grade from its last inspection (a house not yet inspected has none)."""

    GREEN = "green", _("绿码")
    YELLOW = "yellow", _("黄码")
    RED = "red", _("红码")


class Structure(models.TextChoices):
    """房屋结构 of a rural self-built house."""

    BRICK_CONCRETE = "brick_concrete", _("砖混")
    FRAME = "frame", _("框架")
    STEEL_PANEL = "steel_panel", _("彩钢板")
    OTHER = "other", _("其他")


class HouseUse(models.TextChoices):
    """How the let house is used: lived in only, or lived in and worked in (三合一)."""

    RESIDENTIAL = "residential", _("仅住人")
    MIXED = "mixed", _("住人兼生产经营仓储（三合一）")


class Severity(models.TextChoices):
    """A hazard of the checklist is 重大 (one makes the house red) or 一般."""

    MAJOR = "major", _("重大隐患")
    MINOR = "minor", _("一般隐患")
