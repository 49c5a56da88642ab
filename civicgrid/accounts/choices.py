from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does in the street; decides which data they see (see grids.scoping) and
    what they may do (the role sets of accounts.policy)."""

    ADMIN = "admin", _("系统管理员")
    # The 城运中心's intake and dispatch desk (受理/派遣员); the value stays "operator".
    OPERATOR = "operator", _("受理/派遣员")
    SHIFT_CHIEF = "shift_chief", _("值班长")
    DUTY_LEADER = "duty_leader", _("带班领导")
    AREA_HEAD = "area_head", _("片区负责人")
    COMMUNITY_STAFF = "community_staff", _("居委工作人员")
    GRID_LEADER = "grid_leader", _("网格长")
    GRID_WORKER = "grid_worker", _("网格员")
    DEPT_HANDLER = "dept_handler", _("部门处置人员")
    LEADER = "leader", _("领导")
    RESIDENT = "resident", _("居民")
