"""Fixed vocabularies of the grid workers' field work: patrols (巡块) and household visits (走访)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PatrolStatus(models.TextChoices):
    """A patrol runs from its start until the worker finishes it; route points and findings are
    taken only while it runs, so a finished 巡查记录表 stays as it was handed in."""

    RUNNING = "running", _("巡查中")
    FINISHED = "finished", _("已完成")


class PatrolShift(models.TextChoices):
    """桃浦's 巡块 is done twice a day: one morning and one afternoon round."""

    MORNING = "morning", _("上午")
    AFTERNOON = "afternoon", _("下午")


class FindingResult(models.TextChoices):
    """One line of the 巡查记录表: all in order, or a problem (which may become a case)."""

    OK = "ok", _("正常")
    PROBLEM = "problem", _("有问题")
