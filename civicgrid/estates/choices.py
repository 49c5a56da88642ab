from django.db import models
from django.utils.translation import gettext_lazy as _


class EstateKind(models.TextChoices):
    """What plays the estate's part: a 小区 in town, a natural hamlet or 村民小组 in a village."""

    ESTATE = "estate", _("小区")
    HAMLET = "hamlet", _("自然村")
    VILLAGER_GROUP = "villager_group", _("村民小组")


class EstateClass(models.TextChoices):
    """Classes of estate as the street counts them (seed 004: 商品房、老旧小区、动迁房)."""

    COMMERCIAL = "commercial", _("商品房")
    OLD = "old", _("老旧小区（公房、售后公房）")
    RESETTLEMENT = "resettlement", _("动迁安置房")
    PEASANT = "peasant", _("农民新村")
    AFFORDABLE_RENTAL = "affordable_rental", _("保障性租赁住房")


class CommitteeRole(models.TextChoices):
    """Offices on an owners' committee (业委会)."""

    CHAIR = "chair", _("主任")
    VICE_CHAIR = "vice_chair", _("副主任")
    MEMBER = "member", _("委员")
