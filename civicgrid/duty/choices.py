from django.db import models
from django.utils.translation import gettext_lazy as _


class DutyRole(models.TextChoices):
    """The two posts of the 城运中心's duty roster; the values are those of accounts.Role."""

    SHIFT_CHIEF = "shift_chief", _("值班长")
    DUTY_LEADER = "duty_leader", _("带班领导")


class SupervisionStatus(models.TextChoices):
    OPEN = "open", _("待答复")
    ANSWERED = "answered", _("已答复")
