from django.db import models
from django.utils.translation import gettext_lazy as _


class GridLevel(models.TextChoices):
    """The five levels of the grid tree, top to bottom (康桥: 镇—片区—居村—微网格—楼组)."""

    STREET = "street", _("街镇")
    AREA = "area", _("片区")
    COMMUNITY = "community", _("居村")
    MICRO_GRID = "micro_grid", _("微网格")
    BUILDING_GROUP = "building_group", _("楼组")


LEVEL_ORDER = [
    GridLevel.STREET,
    GridLevel.AREA,
    GridLevel.COMMUNITY,
    GridLevel.MICRO_GRID,
    GridLevel.BUILDING_GROUP,
]
PARENT_LEVEL = {child: parent for parent, child in zip(LEVEL_ORDER, LEVEL_ORDER[1:], strict=False)}

# Digits each level adds to its parent's code. Street codes are the 6-digit county code (GB/T 2260)
# plus 3 digits; community numbers are unique within the street so a micro-grid's code is the
# 15-digit unit-grid code county(6)+street(3)+community(3)+sequence(3) of GB/T 30428.
LEVEL_DIGITS = {
    GridLevel.STREET: 3,
    GridLevel.AREA: 2,
    GridLevel.COMMUNITY: 3,
    GridLevel.MICRO_GRID: 3,
    GridLevel.BUILDING_GROUP: 3,
}
CODE_LENGTH = {
    GridLevel.STREET: 9,
    GridLevel.AREA: 11,
    GridLevel.COMMUNITY: 12,
    GridLevel.MICRO_GRID: 15,
    GridLevel.BUILDING_GROUP: 18,
}


class AreaKind(models.TextChoices):
    """What a 片区 is: a 镇管社区 (康桥's six, each with a 社区党委) or a police-station area
    (派出所片区, with a full-time 片区负责人)."""

    TOWN_COMMUNITY = "town_community", _("镇管社区")
    POLICE = "police", _("派出所片区")


class CommunityKind(models.TextChoices):
    """What a 居村 is: a residents' committee (居委会) or a villagers' committee (村委会)."""

    RESIDENTS = "residents", _("居委会")
    VILLAGE = "village", _("村委会")


# A 居委 with more households than this is due to be split (seed 002: "调整4个管辖超过3000户居委会范围").
COMMUNITY_HOUSEHOLD_LIMIT = 3000


class PostRole(models.TextChoices):
    """The "1+2+N" staffing of a micro-grid, and the heads of its building groups (楼组长, in a
    village 村民小组长: seed 002's "'N'即网格内党员、居(村)民小组长")."""

    LEADER = "leader", _("网格长")
    FULL_TIME = "full_time", _("专职网格员")
    PART_TIME = "part_time", _("兼职网格员")
    PIONEER = "pioneer", _("先锋骨干")
    BUILDING_GROUP_HEAD = "bg_head", _("楼组长")
    VILLAGER_GROUP_HEAD = "vg_head", _("村民小组长")


# Posts held on a building group (楼组) or, in a village, its 队组 (村民小组); the others are held
# on a micro-grid ("1+2+N").
GROUP_POST_ROLES = {
    PostRole.BUILDING_GROUP_HEAD: "residents",
    PostRole.VILLAGER_GROUP_HEAD: "village",
}


class StaffOrigin(models.TextChoices):
    """Where a person on the grid rolls comes from."""

    COMMUNITY = "community", _("包干（社区工作者）")
    SENT_DOWN = "sent_down", _("下沉干部")
    DUAL_REPORT = "dual_report", _("双报到党员")
    VOLUNTEER = "volunteer", _("志愿者")
    RESIDENT = "resident", _("居民")


class Duty(models.TextChoices):
    """The six duties (六员) a grid worker carries (桃浦)."""

    INFORMATION = "information", _("信息采集员")
    AFFAIRS = "affairs", _("社区事务协管员")
    MEDIATION = "mediation", _("矛盾纠纷调解员")
    OPINION = "opinion", _("社情民意联络员")
    LAW = "law", _("法律政策宣传员")
    CIVILITY = "civility", _("文明新风倡导员")
