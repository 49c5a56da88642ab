from django.db import models
from django.utils.translation import gettext_lazy as _


class Outcome(models.TextChoices):
    """What became of a suggestion (派单建议的结果)."""

    PENDING = "pending", _("待确认")
    ACCEPTED = "accepted", _("采纳")
    CORRECTED = "corrected", _("更正")
    AUTO = "auto", _("自动派单")


class Trigger(models.TextChoices):
    """Who started a training (训练来源)."""

    COMMAND = "command", _("命令")
    TASK = "task", _("后台任务")
    ADMIN = "admin", _("后台页面")
    DEMO = "demo", _("演示数据")


class LogAction(models.TextChoices):
    """The steps of smart dispatch the history keeps (派单记录的动作)."""

    SUGGEST = "suggest", _("生成建议")
    ACCEPT = "accept", _("采纳建议")
    CORRECT = "correct", _("更正类别")
    AUTO_DISPATCH = "auto_dispatch", _("自动派单")
    AUTO_SKIPPED = "auto_skipped", _("未自动派单")
    TRAIN = "train", _("训练模型")
    ACTIVATE = "activate", _("启用模型")
    SET_RULE = "set_rule", _("设置自动派单")
    SET_RESPONSIBILITY = "set_responsibility", _("设置权责")
    REMOVE_RESPONSIBILITY = "remove_responsibility", _("删除权责")
