from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """What a user does in the street; decides which data they see (see grids.scoping)."""

    ADMIN = "admin", _("系统管理员")
    OPERATOR = "operator", _("城运中心操作员")
    COMMUNITY_STAFF = "community_staff", _("居委工作人员")
    GRID_LEADER = "grid_leader", _("网格长")
    GRID_WORKER = "grid_worker", _("网格员")
    DEPT_HANDLER = "dept_handler", _("部门处置人员")
    LEADER = "leader", _("领导")
    RESIDENT = "resident", _("居民")


# Roles whose work needs residents' full ID numbers and phones (visits, verification, hotline
# call-backs). Even they see masked values until they ask, and each full view is logged.
FULL_PII_ROLES = frozenset(
    {Role.ADMIN, Role.OPERATOR, Role.COMMUNITY_STAFF, Role.GRID_LEADER, Role.GRID_WORKER}
)
# Roles that see the whole street (all grids).
STREET_WIDE_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.LEADER})
# Roles that may change data; leaders look, they do not touch.
READ_ONLY_ROLES = frozenset({Role.LEADER})
# Roles that work in the back office (the admin), each seeing only its own scope there. Phone
# roles (grid leaders and workers) and leaders use the web front only (civicgrid.core.adminsite).
BACK_OFFICE_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.COMMUNITY_STAFF})
