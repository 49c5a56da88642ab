"""Kinds and states of the 创建/创评 programme."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignLevel(models.TextChoices):
    """Who awards the title the campaign works for."""

    NATIONAL = "national", _("全国")
    CITY = "city", _("市级")
    DISTRICT = "district", _("区级")
    STREET = "street", _("街镇")


class CheckpointKind(models.TextChoices):
    """Kinds of 点位 of the 测评体系; each kind has its own checklist."""

    ESTATE = "estate", _("小区")
    BACK_LANE = "back_lane", _("背街小巷")
    MARKET = "market", _("集贸市场")
    PARK = "park", _("公园")
    MALL = "mall", _("商场")
    SCHOOL_GATE = "school_gate", _("学校门口")
    AD_POINT = "ad_point", _("公益广告点位")


class OwnerKind(models.TextChoices):
    """Who answers for a checkpoint (the case of a failed item is theirs)."""

    COMMUNITY = "community", _("居村")
    DEPARTMENT = "department", _("职能部门")
    PROPERTY = "property", _("物业")
    UNIT = "unit", _("单位")


class RoundKind(models.TextChoices):
    """督查 every week; a 模拟测评 works the same way, with the assessors' eyes."""

    WEEKLY = "weekly", _("每周督查")
    MOCK = "mock", _("模拟测评")


class RoundState(models.TextChoices):
    PLANNED = "planned", _("已排定")
    CLOSED = "closed", _("已结束")


class StructureState(models.TextChoices):
    """违法建筑: 发现 → 告知 → 拆除 or 整改 → 复核."""

    FOUND = "found", _("发现")
    NOTIFIED = "notified", _("已告知")
    DEMOLISHED = "demolished", _("已拆除")
    RECTIFIED = "rectified", _("已整改")
    VERIFIED = "verified", _("已复核")


class CreationStatus(models.TextChoices):
    """无违建居村 creation status of a 居村."""

    IN_PROGRESS = "in_progress", _("创建中")
    CREATED = "created", _("已创建")
    PASSED_REVIEW = "passed_review", _("复评通过")
