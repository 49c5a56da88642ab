"""Kinds of the party app: organisation levels and sectors, organisational life, assignments,
service-point tiers (seeds 000, 002, 003, 004)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgLevel(models.TextChoices):
    """党组织层级: from the town's 党委 down to the micro-grid's 党小组."""

    COMMITTEE = "committee", _("党委")
    GENERAL_BRANCH = "general_branch", _("党总支")
    BRANCH = "branch", _("党支部")
    JOINT_BRANCH = "joint_branch", _("联合党支部")
    GROUP = "group", _("党小组")
    PROJECT_BRANCH = "project_branch", _("临时（项目）党支部")


# Levels that may stand for a micro-grid ("每个微网格中设立1个党支部或党小组").
MICRO_GRID_LEVELS = frozenset(
    {OrgLevel.BRANCH, OrgLevel.JOINT_BRANCH, OrgLevel.GROUP, OrgLevel.GENERAL_BRANCH}
)
# A child sits under a parent of one of these levels (a 党小组 under a branch or a 总支; a branch
# under a 总支 or a 党委; a 总支 under a 党委).
PARENT_LEVELS = {
    OrgLevel.COMMITTEE: {OrgLevel.COMMITTEE},
    OrgLevel.GENERAL_BRANCH: {OrgLevel.COMMITTEE},
    OrgLevel.BRANCH: {OrgLevel.COMMITTEE, OrgLevel.GENERAL_BRANCH},
    OrgLevel.JOINT_BRANCH: {OrgLevel.COMMITTEE, OrgLevel.GENERAL_BRANCH},
    OrgLevel.PROJECT_BRANCH: {OrgLevel.COMMITTEE, OrgLevel.GENERAL_BRANCH},
    OrgLevel.GROUP: {
        OrgLevel.GENERAL_BRANCH,
        OrgLevel.BRANCH,
        OrgLevel.JOINT_BRANCH,
        OrgLevel.PROJECT_BRANCH,
    },
}


class Sector(models.TextChoices):
    """党组织所在领域."""

    RESIDENTIAL = "residential", _("居民区")
    VILLAGE = "village", _("村")
    ORGAN = "organ", _("机关")
    INSTITUTION = "institution", _("事业单位")
    ENTERPRISE = "enterprise", _("两新企业")
    SOCIAL = "social", _("社会组织")
    PARK = "park", _("园区")
    BUILDING = "building", _("楼宇")
    ENFORCEMENT = "enforcement", _("执法")


class WorkStatus(models.TextChoices):
    IN_WORK = "in_work", _("在职")
    RETIRED = "retired", _("离退休")


class AssignmentKind(models.TextChoices):
    """党员的岗位: a grid post, a pioneer squad, a liaison to a 居委 or to a 业委会."""

    GRID_POST = "grid_post", _("网格岗位")
    PIONEER = "pioneer", _("党员先锋队")
    COMMUNITY_LIAISON = "community_liaison", _("居委联络员")
    OWNERS_LIAISON = "owners_liaison", _("业委会党建联络员")


class LifeKind(models.TextChoices):
    """组织生活: "三会一课" and 主题党日 (seed 003)."""

    MEMBER_MEETING = "member_meeting", _("支部党员大会")
    COMMITTEE_MEETING = "committee_meeting", _("支委会")
    GROUP_MEETING = "group_meeting", _("党小组会")
    PARTY_CLASS = "party_class", _("党课")
    THEME_DAY = "theme_day", _("主题党日")


# Standard frequencies of "三会一课": how many a year (quarterly = 4, monthly = 12), and which
# levels owe them (a 党小组 holds group meetings; a branch its member meetings, committee meetings
# and party classes). 主题党日 has no standard here: it is counted, never owed.
LIFE_PER_YEAR = {
    LifeKind.MEMBER_MEETING: 4,
    LifeKind.PARTY_CLASS: 4,
    LifeKind.COMMITTEE_MEETING: 12,
    LifeKind.GROUP_MEETING: 12,
}
BRANCH_LEVELS = frozenset(
    {
        OrgLevel.GENERAL_BRANCH,
        OrgLevel.BRANCH,
        OrgLevel.JOINT_BRANCH,
        OrgLevel.PROJECT_BRANCH,
    }
)
OWED_BY_LEVEL = {
    **{
        level: (LifeKind.MEMBER_MEETING, LifeKind.COMMITTEE_MEETING, LifeKind.PARTY_CLASS)
        for level in BRANCH_LEVELS
    },
    OrgLevel.GROUP: (LifeKind.GROUP_MEETING,),
    OrgLevel.COMMITTEE: (),
}


class Venue(models.TextChoices):
    MAIN = "main", _("主会场")
    REMOTE = "remote", _("视频分会场")


class PointTier(models.TextChoices):
    """ "1+6+62+X" 15分钟党群服务圈: 1 town centre, 6 community centres, ~62 居村 stations, X."""

    TOWN = "town", _("镇党群服务中心")
    COMMUNITY = "community", _("社区党群服务中心")
    STATION = "station", _("居村党群服务站")
    POINT = "point", _("延伸服务点")


class PointKind(models.TextChoices):
    """Kinds of the "X" points (and a plain centre or station)."""

    CENTRE = "centre", _("党群服务中心（站）")
    RED_STATION = "red_station", _("红色加油站")
    DOORSTEP = "doorstep", _("家门口服务站")
    CIVILITY = "civility", _("新时代文明实践站")
    BUILDING = "building", _("楼宇党群服务站")
