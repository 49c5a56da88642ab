from django.db import models
from django.utils.translation import gettext_lazy as _


class NoticeKind(models.TextChoices):
    """公示、公告、通报、光荣榜。"""

    DISCLOSURE = "disclosure", _("公示")
    ANNOUNCEMENT = "announcement", _("公告")
    CIRCULAR = "circular", _("通报")
    HONOUR_ROLL = "honour_roll", _("光荣榜")


class NoticeState(models.TextChoices):
    """公示公告的状态；顺序即流程顺序（notices.workflow）。"""

    DRAFT = "draft", _("草稿")
    REVIEW = "review", _("待审核")
    SCHEDULED = "scheduled", _("定时待发布")
    PUBLISHED = "published", _("已发布")
    CLOSED = "closed", _("异议期已结束")
    ARCHIVED = "archived", _("已归档")
    WITHDRAWN = "withdrawn", _("已撤回")


class ScopeLevel(models.TextChoices):
    """公示范围：街镇、片区、居村、小区或项目。"""

    STREET = "street", _("街镇")
    AREA = "area", _("片区")
    COMMUNITY = "community", _("居村")
    ESTATE = "estate", _("小区")
    PROJECT = "project", _("项目")


class Audience(models.TextChoices):
    """谁能看到：公众、范围内居民（登录）、指定住户（登录）。"""

    PUBLIC = "public", _("公众")
    RESIDENTS = "residents", _("范围内居民")
    HOUSEHOLDS = "households", _("指定住户")


class NoticeSource(models.TextChoices):
    """公告的来源：人工撰写，或由其他工作生成。"""

    MANUAL = "manual", _("人工撰写")
    PROJECT_SELECTION = "project_selection", _("项目遴选结果")
    MEETING_NOTICE = "meeting_notice", _("会议公告")
    MEETING_OUTCOME = "meeting_outcome", _("会议结果")
    STAR_RATING = "star_rating", _("星级党组织")
    VOLUNTEERS = "volunteers", _("优秀志愿者")
    NOMINATIONS = "nominations", _("身边好人")
    RELOCATION = "relocation", _("征收签约进度")
    EMERGENCY_SUMMARY = "emergency_summary", _("应急响应总结")


class SigningStatus(models.TextChoices):
    """征收户的签约状态。"""

    PENDING = "pending", _("未签约")
    SIGNED = "signed", _("已签约")


class NominationState(models.TextChoices):
    """身边好人推荐的状态。"""

    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")
    PUBLISHED = "published", _("已上榜")
