"""Levels, focus areas, kinds, states and milestones of the community projects (社区项目)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampaignLevel(models.TextChoices):
    TOWN = "town", _("镇级")
    DISTRICT = "district", _("区级")


class FocusArea(models.TextChoices):
    """征集方向 (seed 002)."""

    GRID_GOVERNANCE = "grid_governance", _("网格治理")
    LIVELIHOOD = "livelihood", _("民生实事")
    PAIN_POINTS = "pain_points", _("痛点难点")


class ProjectKind(models.TextChoices):
    BEAUTIFUL_HOME = "beautiful_home", _("美丽家园")
    MICRO_RENEWAL = "micro_renewal", _("微更新")
    BEAUTIFUL_STAIRWAY = "beautiful_stairway", _("美丽楼道")
    SERVICE_SITE = "service_site", _("服务站点")
    HERITAGE = "heritage", _("风貌区更新")
    OTHER = "other", _("其他")


class HomeKind(models.TextChoices):
    """美丽家园's four kinds (seed 001)."""

    INFRASTRUCTURE = "infrastructure", _("基础设施类")
    WELFARE = "welfare", _("惠民利民类")
    ENVIRONMENT = "environment", _("环境提升类")
    MANAGEMENT = "management", _("综合管理类")


class ProjectState(models.TextChoices):
    """Where a project stands; the order is the funnel's (projects.workflow)."""

    SUBMITTED = "submitted", _("已申报")
    SCREENED = "screened", _("已初筛")
    CONSULTED = "consulted", _("已听证")
    SCORED = "scored", _("已评分")
    RECOMMENDED = "recommended", _("已推荐")
    IN_PROGRESS = "in_progress", _("实施中")
    ACCEPTED = "accepted", _("已验收")
    HANDED_OVER = "handed_over", _("已移交")
    CLOSED = "closed", _("已结项")
    DECLINED = "declined", _("未入选")


class MilestoneKind(models.TextChoices):
    DESIGN = "design", _("设计")
    TENDER = "tender", _("招标")
    BUILD = "build", _("施工")
    ACCEPTANCE = "acceptance", _("验收")
    HANDOVER = "handover", _("移交")


class PhotoStage(models.TextChoices):
    BEFORE = "before", _("改造前")
    AFTER = "after", _("改造后")
