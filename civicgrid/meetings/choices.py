"""Kinds, states and answers of the 三会 (听证会、协调会、评议会)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    """The three meetings of 《上海市居民区听证会、协调会、评议会制度试行办法》."""

    HEARING = "hearing", _("听证会")
    COORDINATION = "coordination", _("协调会")
    EVALUATION = "evaluation", _("评议会")


class MeetingState(models.TextChoices):
    """Where a meeting stands; the order is the order of MEETING_FLOW (meetings.workflow)."""

    PLANNED = "planned", _("已计划")
    NOTICED = "noticed", _("已公告")
    HELD = "held", _("已召开")
    MINUTES_SIGNED = "minutes_signed", _("纪要已签署")
    PUBLISHED = "published", _("结果已公布")
    FOLLOWED_UP = "followed_up", _("已跟踪落实")
    CANCELLED = "cancelled", _("已取消")


class MeetingAction(models.TextChoices):
    """What a row of a meeting's history (MeetingEvent) records."""

    PLAN = "plan", _("计划")
    EDIT = "edit", _("修改计划")
    NOTICE = "notice", _("发布公告")
    HOLD = "hold", _("召开")
    SIGN_MINUTES = "sign_minutes", _("签署纪要")
    PUBLISH = "publish", _("公布结果")
    FOLLOW_UP = "follow_up", _("跟踪落实")
    CANCEL = "cancel", _("取消")
    CORRECT_MINUTES = "correct_minutes", _("更正纪要")
    OPEN_CASE = "open_case", _("转为案件")


class Part(models.TextChoices):
    """参会身份: a participant's part in the meeting."""

    HOST = "host", _("主持人")
    PANEL = "panel", _("听证小组成员")
    SPEAKER = "speaker", _("陈述人")
    REPRESENTATIVE = "representative", _("居民代表")
    DEPARTMENT = "department", _("列席部门")
    PROPERTY = "property", _("物业")
    COMMITTEE = "committee", _("业委会")
    RECORDER = "recorder", _("记录人")


class SignInMethod(models.TextChoices):
    QR = "qr", _("扫码签到")
    TICK = "tick", _("工作人员代签")


class Stance(models.TextChoices):
    """An opinion's direction (意见)."""

    SUPPORT = "support", _("支持")
    OPPOSE = "oppose", _("反对")
    AMEND = "amend", _("修改意见")


class Ballot(models.TextChoices):
    """表决票."""

    FOR = "for", _("赞成")
    AGAINST = "against", _("反对")
    ABSTAIN = "abstain", _("弃权")


class Decision(models.TextChoices):
    """听证结论: a hearing's decision on the project or matter."""

    APPROVED = "approved", _("同意实施")
    AMENDED = "amended", _("修改后实施")
    REJECTED = "rejected", _("暂缓实施")


class Rating(models.TextChoices):
    """评议等次."""

    SATISFIED = "satisfied", _("满意")
    FAIRLY = "fairly", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class BodyKind(models.TextChoices):
    """What an evaluation meeting assesses (评议对象)."""

    DEPARTMENT = "department", _("职能部门")
    PROPERTY = "property", _("物业")
    PROJECT = "project", _("项目")
    STAFF = "staff", _("工作人员")


class TraineePost(models.TextChoices):
    SECRETARY = "secretary", _("居民区书记")
    WORKER = "worker", _("社区工作者")
