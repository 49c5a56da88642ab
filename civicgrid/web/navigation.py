"""The web front's navigation: where each role starts and which pages its menu lists.

One table for the whole front, so that the home page, the menu and the tests agree. Each entry
is (label, URL name); every URL name must resolve (web/tests/test_navigation.py).
"""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.choices import Role
from civicgrid.accounts.policy import (
    BULLETIN_VIEW_ROLES,
    CAMPAIGNS_INSPECT_ROLES,
    CAMPAIGNS_VIEW_ROLES,
    EMERGENCY_FIELD_ROLES,
    EMERGENCY_VIEW_ROLES,
    FIRESAFETY_INSPECT_ROLES,
    FIRESAFETY_VIEW_ROLES,
    GRID_STAFF_ROLES,
    MEETINGS_VIEW_ROLES,
    NOTICES_RESIDENT_ROLES,
    NOTICES_VIEW_ROLES,
    PARKING_GATE_ROLES,
    PARKING_RESIDENT_ROLES,
    PARKING_VIEW_ROLES,
    PARTY_VIEW_ROLES,
    PROACTIVE_EDIT_ROLES,
    PROACTIVE_TASK_ROLES,
    PROACTIVE_VIEW_ROLES,
    PROJECTS_RESIDENT_ROLES,
    PROJECTS_VIEW_ROLES,
    SHOPS_REFRESH_ROLES,
    SHOPS_VIEW_ROLES,
    SORTING_VIEW_ROLES,
    TIMEBANK_RESIDENT_ROLES,
    TIMEBANK_VIEW_ROLES,
)

# Where "/" sends a signed-in user of each role.
HOME_BY_ROLE = {
    Role.ADMIN: "console:queue",
    Role.OPERATOR: "console:queue",
    Role.SHIFT_CHIEF: "console:queue",
    Role.DUTY_LEADER: "console:queue",
    Role.AREA_HEAD: "console:queue",
    Role.COMMUNITY_STAFF: "console:queue",
    Role.DEPT_HANDLER: "console:inbox",
    Role.GRID_LEADER: "fieldwork:home",
    Role.GRID_WORKER: "fieldwork:home",
    Role.LEADER: "dashboard:index",
    Role.RESIDENT: "public:home",
}

_CONSOLE = (_("案件工作台"), "console:queue")
_DASHBOARD = (_("运行态势"), "dashboard:index")
_SCREEN = (_("大屏"), "dashboard:screen")

MENU_BY_ROLE = {
    Role.ADMIN: [_CONSOLE, _DASHBOARD, _SCREEN],
    Role.OPERATOR: [_CONSOLE, _DASHBOARD, _SCREEN],
    Role.SHIFT_CHIEF: [_CONSOLE, _DASHBOARD, _SCREEN],
    Role.DUTY_LEADER: [_CONSOLE, _DASHBOARD, _SCREEN],
    Role.AREA_HEAD: [_CONSOLE, _DASHBOARD],
    Role.COMMUNITY_STAFF: [_CONSOLE, _DASHBOARD],
    Role.DEPT_HANDLER: [(_("待办案件"), "console:inbox"), (_("已办结案件"), "console:history")],
    Role.GRID_LEADER: [
        (_("我的网格"), "fieldwork:home"),
        (_("上报"), "fieldwork:report"),
        (_("巡查"), "fieldwork:patrols"),
        (_("走访"), "fieldwork:visits"),
    ],
    Role.GRID_WORKER: [
        (_("我的网格"), "fieldwork:home"),
        (_("上报"), "fieldwork:report"),
        (_("巡查"), "fieldwork:patrols"),
        (_("走访"), "fieldwork:visits"),
    ],
    Role.LEADER: [_DASHBOARD, _SCREEN],
    Role.RESIDENT: [(_("我要反映"), "public:report"), (_("我的反映"), "public:home")],
}
# 垃圾分类's desk pages (civicgrid.sorting) for the street's desk, 片区, 居委 and leaders.
_SORTING = (_("垃圾分类"), "sorting:overview")
for _role in sorted(SORTING_VIEW_ROLES - GRID_STAFF_ROLES):
    MENU_BY_ROLE[_role].append(_SORTING)
# 沿街商铺 and 门责 (civicgrid.shops): the roll for the street's desk, 片区, 居委 and leaders; the
# "walk my block" phone page for the grid staff who are a block's 包干责任人.
_SHOPS = (_("沿街商铺"), "shops:index")
for _role in sorted(SHOPS_VIEW_ROLES - GRID_STAFF_ROLES):
    MENU_BY_ROLE[_role].append(_SHOPS)
for _role in sorted(GRID_STAFF_ROLES & SHOPS_REFRESH_ROLES):
    MENU_BY_ROLE[_role].append((_("商铺走街"), "shops:walk"))
# 出租屋消防三色码 (civicgrid.firesafety): the battle map for the desk, 片区, 居委, leaders and the
# fire office (a department: the page itself checks it is the fire office); the inspection phone
# page for grid staff.
_FIRE = (_("出租屋消防"), "firesafety:index")
for _role in sorted(FIRESAFETY_VIEW_ROLES - GRID_STAFF_ROLES - {Role.DEPT_HANDLER}):
    MENU_BY_ROLE[_role].append(_FIRE)
for _role in sorted(GRID_STAFF_ROLES & FIRESAFETY_INSPECT_ROLES):
    MENU_BY_ROLE[_role].append((_("消防检查"), "firesafety:inspect_choose"))
# 错峰共享停车 (civicgrid.parking): the indicators for the desk, 片区, 居委 and leaders; the gate's
# phone page for grid staff; residents offer and book on their own phone pages.
for _role in sorted(PARKING_VIEW_ROLES - GRID_STAFF_ROLES):
    MENU_BY_ROLE[_role].append((_("共享停车"), "parking:index"))
for _role in sorted(GRID_STAFF_ROLES & PARKING_GATE_ROLES):
    MENU_BY_ROLE[_role].append((_("停车门岗"), "parking:gate"))
for _role in sorted(PARKING_RESIDENT_ROLES):
    MENU_BY_ROLE[_role].append((_("共享停车"), "parking:me"))
# 社区项目 (civicgrid.projects): the report and list for the desk, 片区, 居委 and leaders; residents
# support projects and propose ideas on their own page.
for _role in sorted(PROJECTS_VIEW_ROLES - GRID_STAFF_ROLES):
    MENU_BY_ROLE[_role].append((_("社区项目"), "projects:index"))
for _role in sorted(PROJECTS_RESIDENT_ROLES):
    MENU_BY_ROLE[_role].append((_("社区项目"), "projects:resident"))
# 爱心银行 (civicgrid.timebank): the figures and verification for the desk, 片区, 居委 and leaders;
# residents record their service and ask help for an elder on their own phone pages.
for _role in sorted(TIMEBANK_VIEW_ROLES - GRID_STAFF_ROLES):
    MENU_BY_ROLE[_role].append((_("爱心银行"), "timebank:index"))
for _role in sorted(TIMEBANK_RESIDENT_ROLES):
    MENU_BY_ROLE[_role].append((_("爱心银行"), "timebank:me"))
# 党组织 (civicgrid.party): the tree with coverage, 三会一课 and ratings for the desk, 片区, 居委
# and leaders; the service-point map (/party/map/) is public and needs no menu.
for _role in sorted(PARTY_VIEW_ROLES - GRID_STAFF_ROLES):
    MENU_BY_ROLE[_role].append((_("党组织"), "party:index"))
# 主动治理 (civicgrid.proactive): 一弄一案, hotspots and anomalies for the desk, 片区, 居委, leaders
# and grid leaders (who send patrol tasks); the phone's patrol tasks for grid staff.
for _role in sorted(
    (PROACTIVE_VIEW_ROLES - GRID_STAFF_ROLES) | (PROACTIVE_EDIT_ROLES & GRID_STAFF_ROLES)
):
    MENU_BY_ROLE[_role].append((_("主动治理"), "proactive:index"))
for _role in sorted(PROACTIVE_TASK_ROLES):
    MENU_BY_ROLE[_role].append((_("巡查任务"), "proactive:my_tasks"))
# 三会 (civicgrid.meetings): the meetings of their 居村 for the desk, 片区, 居委 and leaders;
# participants sign in on the phone through the meeting's QR code, no menu needed.
for _role in sorted(MEETINGS_VIEW_ROLES - GRID_STAFF_ROLES):
    MENU_BY_ROLE[_role].append((_("三会"), "meetings:index"))
# 防汛应急 (civicgrid.emergency): the register, the levels and the board for the desk, 片区, 居委
# and leaders; the phone's tasks (patrols, 报告积水, 泵站) for grid staff.
for _role in sorted(EMERGENCY_VIEW_ROLES - GRID_STAFF_ROLES):
    MENU_BY_ROLE[_role].append((_("防汛应急"), "emergency:index"))
for _role in sorted(GRID_STAFF_ROLES & EMERGENCY_FIELD_ROLES):
    MENU_BY_ROLE[_role].append((_("应急任务"), "emergency:my_tasks"))
# 创建创评 (civicgrid.campaigns): campaigns, readiness and the 无违建 register for the desk, 片区,
# 居委 and leaders; the 督查 phone page (the checkpoints assigned to me) for grid staff.
for _role in sorted(CAMPAIGNS_VIEW_ROLES - GRID_STAFF_ROLES):
    MENU_BY_ROLE[_role].append((_("创建创评"), "campaigns:index"))
for _role in sorted(GRID_STAFF_ROLES & CAMPAIGNS_INSPECT_ROLES):
    MENU_BY_ROLE[_role].append((_("创建督查"), "campaigns:my_round"))
# 公示公告 (civicgrid.notices): the staff's list (compose, review, objections) for the desk, 片区,
# 居委 and leaders; residents read the board (and their household's relocation figures from it).
for _role in sorted(NOTICES_VIEW_ROLES - GRID_STAFF_ROLES):
    MENU_BY_ROLE[_role].append((_("公示公告"), "notices:staff"))
for _role in sorted(NOTICES_RESIDENT_ROLES):
    MENU_BY_ROLE[_role].append((_("公示公告"), "notices:board"))
# 社区报 (civicgrid.bulletin): the issues and the editing desk for the street's desk and leaders.
for _role in sorted(BULLETIN_VIEW_ROLES):
    MENU_BY_ROLE[_role].append((_("社区报"), "bulletin:index"))
# Visitors who are not signed in: residents may report and follow a case without an account.
ANONYMOUS_MENU = [
    (_("我要反映"), "public:report"),
    (_("查询进度"), "public:track"),
    (_("公示公告"), "notices:board"),
]


def home_url_name(user) -> str:
    if not user.is_authenticated:
        return "web:home"
    return HOME_BY_ROLE.get(user.effective_role, "public:home")


def menu_for(user, current_path: str = "") -> list[dict]:
    entries = MENU_BY_ROLE.get(user.effective_role, []) if user.is_authenticated else ANONYMOUS_MENU
    if user.is_authenticated and user.effective_role == Role.DEPT_HANDLER:
        from civicgrid.firesafety.services import is_fire_office

        if is_fire_office(user):  # the fire office's handlers also keep the 三色码
            entries = [*entries, _FIRE, (_("消防检查"), "firesafety:inspect_choose")]
    items = []
    for label, name in entries:
        try:
            url = reverse(name)
        except NoReverseMatch:  # an area of the front not installed in this deployment
            continue
        items.append({"label": label, "url": url, "active": False})
    # The longest URL that prefixes the path is the current page: a case page belongs to its
    # queue, and /resident/report/done/… to 我要反映, not to 我的反映 at /resident/.
    matching = [item for item in items if current_path.startswith(item["url"])]
    if matching:
        max(matching, key=lambda item: len(item["url"]))["active"] = True
    return items
