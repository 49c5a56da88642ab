"""Who may do what: every role set of the project, in one place, named by what it allows.

A role (accounts.choices.Role) says what a user does in the street. The sets below say which
roles may use a page, a verb or a kind of data *at all*; which rows they then see is the scope
(grids.scoping, cases.permissions.scope_cases), and whether they may act on one particular case
is cases.permissions.may_act_on. A superuser without a role counts as 系统管理员
(User.effective_role).

Roles: A 系统管理员 (admin) · O 受理/派遣员 (operator, the 城运中心's desk) · SC 值班长 (shift
chief) · DL 带班领导 (duty leader) · AH 片区负责人 (area head) · C 居委工作人员 (community staff) ·
GL 网格长 (grid leader) · GW 网格员 (grid worker) · D 部门处置人员 (department handler) ·
L 领导 (leader) · R 居民 (resident).

set                      A  O  SC DL AH C  GL GW D  L  R  allows
------------------------ -- -- -- -- -- -- -- -- -- -- -- ----------------------------------------
STREET_WIDE_ROLES        x  x  x  x  .  .  .  .  .  x  .  see every grid of the street
READ_ONLY_ROLES          .  .  .  .  .  .  .  .  .  x  .  look, never change data
FULL_PII_ROLES           x  x  x  .  .  x  x  x  .  .  .  ask for full ID numbers, phones (logged)
BACK_OFFICE_ROLES        x  x  x  .  .  x  .  .  .  .  .  use the admin (accounts.adminsite)
GRID_STAFF_ROLES         .  .  .  .  .  .  x  x  .  .  .  work in the micro-grids they are posted to
GRID_SCOPED_ROLES        .  .  .  .  x  x  x  x  .  .  .  see the cases of their grids (居委, 片区)
LIMITED_REPORTER_ROLES   .  .  .  .  .  .  .  .  .  .  x  count against the intake limit (+visitors)
CASE_REPORTING_ROLES     x  x  x  .  x  x  x  x  x  .  x  report a case
DISPATCH_ROLES           x  x  x  .  .  .  .  .  .  .  .  file, dispatch, locate, record a call-in
APPROVER_ROLES           x  .  x  .  .  .  .  .  .  .  .  refuse filing, decide an extension,
                                                          suspend/resume, merge, 复杂 limit, 退单
HANDLING_ROLES           x  .  .  .  .  .  x  x  x  .  .  accept/return, handle, ask for extension
VERIFYING_ROLES          x  x  x  .  x  x  x  x  .  .  .  verify a handled case (核查)
RATING_ROLES             x  x  x  .  .  .  .  .  .  .  x  rate a closed case
REPORTER_ROLES           .  .  .  .  .  .  .  .  .  .  x  add to / withdraw their own report
RETURN_VISIT_ROLES       x  x  x  .  .  .  .  .  .  .  .  record 是否解决 at the return visit (回访)
FIRST_CONTACT_ROLES      x  x  x  .  x  x  x  x  x  .  .  record the first contact (先行联系)
CALL_IN_ROLES            x  x  x  .  x  x  .  .  .  .  .  start a call-in (吹哨报到)
HOTLINE_ROLES            x  x  x  .  .  .  .  .  .  .  .  push 12345 hotline tickets (API)
SUPERVISE_ROLES          .  .  .  x  .  .  .  .  .  .  .  督办 a case (civicgrid.duty)
DUTY_ROSTER_EDIT_ROLES   x  .  x  .  .  .  .  .  .  .  .  draw up the duty roster (值班表)
LIAISON_ROLES            .  .  .  .  .  .  .  .  x  .  .  be a 居委's liaison (联系居委)
INDICATOR_ROLES          x  x  x  x  x  x  x  x  x  x  .  read the evaluation indicators (综合评价)
CATEGORY_EDIT_ROLES      x  x  .  .  .  .  .  .  .  .  .  edit case categories (admin)
CHECKLIST_EDIT_ROLES     x  x  .  .  .  .  .  .  .  .  .  edit the patrol checklist (admin)
CALENDAR_EDIT_ROLES      x  x  .  .  .  .  .  .  .  .  .  edit the working-day calendar
GRID_TREE_EDIT_ROLES     x  .  .  .  .  .  .  .  .  .  .  change the grid tree (admin, import)
GRID_NUMBERING_ROLES     x  x  .  .  .  .  .  .  .  .  .  renumber a community's micro-grids (API)
STAFFING_VIEW_ROLES      x  x  x  x  x  x  x  x  .  x  .  see the grid staffing "1+2+N" (API)
STAFFING_EDIT_ROLES      x  x  .  .  .  .  .  .  .  .  .  change staff members and posts
REGISTRY_VIEW_ROLES      x  x  x  x  x  x  x  x  .  x  .  see the population registry
SURVEY_RESULTS_ROLES     x  x  x  x  x  x  x  x  .  x  .  read the satisfaction survey's results (API)
OPEN311_CLIENT_ROLES     x  .  .  .  .  .  .  .  .  .  .  manage Open311 clients, requests (admin)
ATTACHMENT_DELETE_ROLES  x  .  .  .  .  .  .  .  .  .  .  delete a case photo (admin)
NOTIFICATION_ROLES       x  x  x  x  x  x  x  x  x  x  .  have a notification centre (站内通知)
OUTBOX_VIEW_ROLES        x  .  .  .  .  .  .  .  .  .  .  see the notification outbox (admin)
DASHBOARD_ROLES          x  x  x  x  x  x  .  .  .  x  .  open the dashboard pages
CONSOLE_QUEUE_ROLES      x  x  x  x  x  x  .  .  .  x  .  open the console's queues
CONSOLE_CASE_ROLES       x  x  x  x  x  x  x  x  x  x  .  open a case in the console
DEPARTMENT_INBOX_ROLES   .  .  .  .  .  .  .  .  x  .  .  open the department inbox
FIELDWORK_ROLES          .  .  .  .  .  x  x  x  .  .  .  use the phone pages (fieldwork)
SORTING_VIEW_ROLES       x  x  x  x  x  x  x  x  .  x  .  see the 垃圾分类 ledger and its reports
SORTING_EDIT_ROLES       x  x  .  .  .  x  .  .  .  .  .  keep points, rosters, pledges, weighings
SORTING_TEMPLATE_ROLES   x  x  .  .  .  .  .  .  .  .  .  edit the inspection score template
SORTING_INSPECT_ROLES    x  x  x  .  x  x  .  .  .  .  .  score an inspection (垃圾分类检查)
SORTING_GUIDE_ROLES      .  .  .  .  .  x  x  x  .  .  x  check in at a point as its guide (指导员)
SHOPS_VIEW_ROLES         x  x  x  x  x  x  x  x  .  x  .  see the street-shop roll, 门责 and reports
SHOPS_EDIT_ROLES         x  x  .  .  x  x  .  .  .  .  .  keep blocks, shops and associations
SHOPS_REFRESH_ROLES      x  .  .  .  x  x  x  x  .  .  .  refresh a block they are responsible for
SHOPS_INSPECT_ROLES      x  x  x  .  x  x  x  x  .  .  .  record a 门责 inspection
CAMPAIGNS_VIEW_ROLES     x  x  x  x  x  x  x  x  .  x  .  see 创建/创评 campaigns, 督查, readiness, 无违建
CAMPAIGNS_EDIT_ROLES     x  x  .  .  .  .  .  .  .  .  .  keep campaigns, checklists, checkpoints, rounds
CAMPAIGNS_INSPECT_ROLES  x  x  x  .  x  x  x  x  .  .  .  score a 督查 inspection assigned to them
CAMPAIGNS_KEEP_ROLES     x  x  .  .  x  x  .  .  .  .  .  weekly action plans, the 无违建 register
PARKING_VIEW_ROLES       x  x  x  x  x  x  x  x  .  x  .  see shared parking (错峰共享停车) and its figures
PARKING_EDIT_ROLES       x  x  .  .  .  x  .  .  .  .  .  keep spaces, vehicles, residents, 业委会 rules
PARKING_GATE_ROLES       x  x  .  .  .  x  x  x  .  .  .  the gate: arrivals, departures, overstays
PARKING_RESIDENT_ROLES   .  .  .  .  .  .  .  .  .  .  x  offer their space, book a shared one
FIRESAFETY_VIEW_ROLES    x  x  x  x  x  x  x  x  x  x  .  see the rental houses' 三色码 (D: the fire office)
FIRESAFETY_EDIT_ROLES    x  x  .  .  x  x  .  .  .  .  .  code rental houses, keep their particulars
FIRESAFETY_INSPECT_ROLES x  x  x  .  x  x  x  x  x  .  .  record a fire-safety inspection (D: ditto)
MEETINGS_VIEW_ROLES      x  x  x  x  x  x  x  x  .  x  .  see the 三会 (hearings, coordination, evaluation)
MEETINGS_EDIT_ROLES      x  x  .  .  .  x  .  .  .  .  .  plan and run a 三会 meeting, record training
PROJECTS_VIEW_ROLES      x  x  x  x  x  x  x  x  .  x  .  see community projects (社区项目) and reports
PROJECTS_EDIT_ROLES      x  x  .  .  .  x  .  .  .  .  .  keep campaigns and projects, move them on
PROJECTS_REVIEW_ROLES    x  x  .  .  x  .  .  .  .  .  .  score projects as a panel member (评审)
PROJECTS_RESIDENT_ROLES  .  .  .  .  .  .  .  .  .  .  x  propose ideas, support a project (once)
TIMEBANK_VIEW_ROLES      x  x  x  x  x  x  x  x  .  x  .  see the 爱心银行 (volunteers, records, ledger, reports)
TIMEBANK_EDIT_ROLES      x  x  .  .  .  x  .  .  .  .  .  keep volunteers, projects, partners; verify, redeem
TIMEBANK_RESIDENT_ROLES  .  .  .  .  .  .  .  .  .  .  x  record one's service, ask help for an elder
PROJECTS_TEMPLATE_ROLES  x  x  .  .  .  .  .  .  .  .  .  edit the projects' scoring template (admin)
TIMEBANK_RULES_ROLES     x  x  .  .  .  .  .  .  .  .  .  adopt a new version of the time bank's rules (admin)
BULLETIN_VIEW_ROLES      x  x  x  x  .  .  .  .  .  x  .  read the 社区报's drafts (a published issue is public)
BULLETIN_EDIT_ROLES      x  x  .  .  .  .  .  .  .  .  .  compile an issue of the 社区报, edit its articles
BULLETIN_APPROVE_ROLES   x  .  .  .  .  .  .  .  .  .  .  approve and publish an issue (and the 宣传/党建办 group)
PARTY_VIEW_ROLES         x  x  x  x  x  x  x  x  .  x  .  see party organisations, members (masked), 三会一课
PARTY_EDIT_ROLES         x  x  .  .  .  x  .  .  .  .  .  keep organisations, members, life, service points
PARTY_LOG_ROLES          x  .  .  .  .  .  .  .  .  .  .  see who viewed a party member's full phone (admin)
PROACTIVE_VIEW_ROLES     x  x  x  x  x  x  x  x  .  x  .  see 一弄一案, hotspots, anomalies, patrol tasks
PROACTIVE_EDIT_ROLES     x  x  .  .  x  x  x  .  .  .  .  keep 一弄一案 (owner, plan, 销号), send patrol tasks
PROACTIVE_TASK_ROLES     .  .  .  .  .  .  x  x  .  .  .  do the patrol tasks they are given (主动发现)
NOTICES_VIEW_ROLES       x  x  x  x  x  x  x  x  .  x  .  see notices in draft and review, relocation and nominations
NOTICES_EDIT_ROLES       x  x  .  .  .  x  .  .  .  .  .  compose notices, answer objections, keep relocations
NOTICES_APPROVE_ROLES    x  x  .  .  .  .  .  .  .  .  .  approve and publish a notice, correct or withdraw it
NOTICES_SUMMARY_ROLES    x  x  x  x  .  x  .  .  .  .  .  draft a 通报 from a lifted emergency response (for review)
NOTICES_RESIDENT_ROLES   .  .  .  .  .  .  .  .  .  .  x  object to a 公示, nominate a 身边好人, see own relocation
DISPATCH_SETUP_ROLES     x  .  x  .  .  .  .  .  .  .  .  智能派单: keep the 权责清单 and auto-dispatch rules, train, activate
EMERGENCY_VIEW_ROLES     x  x  x  x  x  x  x  x  .  x  .  see 防汛应急: the register, responses, the board, drills
EMERGENCY_COMMAND_ROLES  x  x  x  x  .  .  .  .  .  .  .  raise, change, lift a response level; keep register, stores, plans
EMERGENCY_FIELD_ROLES    x  x  x  x  x  x  x  x  .  .  .  report flooding, run pumps, do patrol tasks, record evacuations

Whoever asks "may this role …" imports the set from here; a new programme adds its sets here,
next to the others, and a line to the table.
"""

from civicgrid.accounts.choices import Role

# --- data scope ------------------------------------------------------------------------------

# Roles that see the whole street (all grids).
STREET_WIDE_ROLES = frozenset(
    {Role.ADMIN, Role.OPERATOR, Role.SHIFT_CHIEF, Role.DUTY_LEADER, Role.LEADER}
)
# Roles that may not change data; leaders look, they do not touch.
READ_ONLY_ROLES = frozenset({Role.LEADER})
# Roles whose work needs residents' full ID numbers and phones (visits, verification, hotline
# call-backs). Even they see masked values until they ask, and each full view is logged.
FULL_PII_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.OPERATOR,
        Role.SHIFT_CHIEF,
        Role.COMMUNITY_STAFF,
        Role.GRID_LEADER,
        Role.GRID_WORKER,
    }
)
# Roles that work in the back office (the admin), each seeing only its own scope there. Phone
# roles (grid leaders and workers), 片区负责人 and leaders use the web front only
# (accounts.adminsite).
BACK_OFFICE_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.SHIFT_CHIEF, Role.COMMUNITY_STAFF})
# Grid staff: they see and act in the micro-grids they are posted to (grids.scoping).
GRID_STAFF_ROLES = frozenset({Role.GRID_LEADER, Role.GRID_WORKER})
# Staff who see and act on the cases of their grids: grid staff, community staff (居委) in
# their community's micro-grids, a 片区负责人 in their area's.
GRID_SCOPED_ROLES = GRID_STAFF_ROLES | {Role.COMMUNITY_STAFF, Role.AREA_HEAD}
# Reports by these roles count against the intake limit shared by every channel
# (core.ratelimit); staff reporting from their work are not limited. Visitors count too.
LIMITED_REPORTER_ROLES = frozenset({Role.RESIDENT})

# --- the case loop (cases.workflow: which role may take which step) ---------------------------

CASE_REPORTING_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.OPERATOR,
        Role.SHIFT_CHIEF,
        Role.AREA_HEAD,
        Role.COMMUNITY_STAFF,
        Role.GRID_LEADER,
        Role.GRID_WORKER,
        Role.DEPT_HANDLER,
        Role.RESIDENT,
    }
)
# The street's desk (城运中心): the 受理/派遣员 takes in, files and dispatches; the 值班长 may
# stand in for them. The admin may do everything (the keeper fixes stuck cases).
DISPATCH_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.SHIFT_CHIEF})
# What the 值班长 approves (not the 受理/派遣员): extensions, suspensions and their end, merges,
# refusals to file, the 复杂 15-working-day limit and the 退单 of a 12345 ticket. In the hall the
# desk asks the chief on duty, who takes the step under their own name (the history shows who
# approved); civicgrid.duty's roster says who is on duty and is notified.
APPROVER_ROLES = frozenset({Role.ADMIN, Role.SHIFT_CHIEF})
HANDLING_ROLES = frozenset({Role.ADMIN, Role.DEPT_HANDLER, Role.GRID_WORKER, Role.GRID_LEADER})
VERIFYING_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.OPERATOR,
        Role.SHIFT_CHIEF,
        Role.AREA_HEAD,
        Role.GRID_WORKER,
        Role.GRID_LEADER,
        Role.COMMUNITY_STAFF,
    }
)
RATING_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.SHIFT_CHIEF, Role.RESIDENT})
# A resident adds information to their own open report, or withdraws it before it is filed
# (a visitor does the same through the case's link: cases.services.reporter).
REPORTER_ROLES = frozenset({Role.RESIDENT})
# The 城运中心's return visit (回访) records whether the problem was solved (是否解决), apart
# from the caller's rating.
RETURN_VISIT_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.SHIFT_CHIEF})
# 先行联系: the street's staff who take up a case ring the caller first (each on the cases they
# may act on: cases.permissions).
FIRST_CONTACT_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.OPERATOR,
        Role.SHIFT_CHIEF,
        Role.AREA_HEAD,
        Role.COMMUNITY_STAFF,
        Role.GRID_LEADER,
        Role.GRID_WORKER,
        Role.DEPT_HANDLER,
    }
)
CALL_IN_ROLES = frozenset(
    {Role.ADMIN, Role.OPERATOR, Role.SHIFT_CHIEF, Role.AREA_HEAD, Role.COMMUNITY_STAFF}
)
HOTLINE_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.SHIFT_CHIEF})
# 督办: the 带班领导 instructs the handler of a case, with a deadline (civicgrid.duty).
SUPERVISE_ROLES = frozenset({Role.DUTY_LEADER})
# The 值班表 (who is 值班长 and 带班领导 when) is drawn up by the chiefs (civicgrid.duty).
DUTY_ROSTER_EDIT_ROLES = frozenset({Role.ADMIN, Role.SHIFT_CHIEF})
# A department's staff keep in touch with one or two 居委 (civicgrid.duty.Liaison).
LIAISON_ROLES = frozenset({Role.DEPT_HANDLER})
INDICATOR_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.OPERATOR,
        Role.SHIFT_CHIEF,
        Role.DUTY_LEADER,
        Role.AREA_HEAD,
        Role.LEADER,
        Role.COMMUNITY_STAFF,
        Role.GRID_LEADER,
        Role.GRID_WORKER,
        Role.DEPT_HANDLER,
    }
)

# --- reference data and back-office records --------------------------------------------------

CATEGORY_EDIT_ROLES = frozenset({Role.ADMIN, Role.OPERATOR})
CHECKLIST_EDIT_ROLES = frozenset({Role.ADMIN, Role.OPERATOR})
CALENDAR_EDIT_ROLES = frozenset({Role.ADMIN, Role.OPERATOR})
GRID_TREE_EDIT_ROLES = frozenset({Role.ADMIN})
GRID_NUMBERING_ROLES = frozenset({Role.ADMIN, Role.OPERATOR})
STAFFING_VIEW_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.OPERATOR,
        Role.SHIFT_CHIEF,
        Role.DUTY_LEADER,
        Role.AREA_HEAD,
        Role.LEADER,
        Role.COMMUNITY_STAFF,
        Role.GRID_LEADER,
        Role.GRID_WORKER,
    }
)
STAFFING_EDIT_ROLES = frozenset({Role.ADMIN, Role.OPERATOR})
REGISTRY_VIEW_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.OPERATOR,
        Role.SHIFT_CHIEF,
        Role.DUTY_LEADER,
        Role.AREA_HEAD,
        Role.COMMUNITY_STAFF,
        Role.GRID_LEADER,
        Role.GRID_WORKER,
        Role.LEADER,
    }
)
# The residents' satisfaction survey (居民满意度测评): staff with grids read its results, each
# over the 居村 they may see (civicgrid.survey.api).
SURVEY_RESULTS_ROLES = REGISTRY_VIEW_ROLES
# 垃圾分类 (civicgrid.sorting): staff with grids read it over their scope; the street's desk and
# the 居委 keep it; the street's desk edits the inspection template; 居委, 片区 and the 城运中心
# inspect. Guides (点位指导员) are staff, grid staff, or volunteers and 楼组长 who sign in with a
# resident account; each only at the shifts they are on.
SORTING_VIEW_ROLES = REGISTRY_VIEW_ROLES
SORTING_EDIT_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.COMMUNITY_STAFF})
SORTING_TEMPLATE_ROLES = frozenset({Role.ADMIN, Role.OPERATOR})
SORTING_INSPECT_ROLES = frozenset(
    {Role.ADMIN, Role.OPERATOR, Role.SHIFT_CHIEF, Role.AREA_HEAD, Role.COMMUNITY_STAFF}
)
SORTING_GUIDE_ROLES = frozenset(
    {Role.COMMUNITY_STAFF, Role.GRID_LEADER, Role.GRID_WORKER, Role.RESIDENT}
)
# 沿街商铺 and 门责 (civicgrid.shops): staff with grids read the roll over their scope; the
# street's desk, 片区 and 居委 keep it; a block's 包干责任人 (or deputy) refreshes it every
# half-month (the service checks that they are the block's person); 门责 inspectors are the
# street's desk, 片区, 居委 and grid staff.
SHOPS_VIEW_ROLES = REGISTRY_VIEW_ROLES
SHOPS_EDIT_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.AREA_HEAD, Role.COMMUNITY_STAFF})
SHOPS_REFRESH_ROLES = frozenset(
    {Role.ADMIN, Role.AREA_HEAD, Role.COMMUNITY_STAFF, Role.GRID_LEADER, Role.GRID_WORKER}
)
SHOPS_INSPECT_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.OPERATOR,
        Role.SHIFT_CHIEF,
        Role.AREA_HEAD,
        Role.COMMUNITY_STAFF,
        Role.GRID_LEADER,
        Role.GRID_WORKER,
    }
)
# 出租屋消防三色码 (civicgrid.firesafety): staff with grids read the houses of their scope; the
# fire office (the department that handles the 出租屋消防隐患 category: the service checks it)
# reads and inspects every house; the street's desk, 片区 and 居委 code houses and keep their
# particulars; inspectors are the street's desk, 片区, 居委, grid staff and the fire office.
FIRESAFETY_VIEW_ROLES = REGISTRY_VIEW_ROLES | {Role.DEPT_HANDLER}
FIRESAFETY_EDIT_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.AREA_HEAD, Role.COMMUNITY_STAFF})
FIRESAFETY_INSPECT_ROLES = SHOPS_INSPECT_ROLES | {Role.DEPT_HANDLER}
# 创建/创评 (civicgrid.campaigns): staff with grids read campaigns, rounds and the 无违建 register
# over their scope; the street's desk keeps campaigns, checklists, checkpoints and plans the 督查
# rounds; inspectors are the 门责 inspectors (each scores only the checkpoints assigned to them);
# the street's desk, 片区 and 居委 keep the weekly action plans and the 无违建 register.
CAMPAIGNS_VIEW_ROLES = REGISTRY_VIEW_ROLES
CAMPAIGNS_EDIT_ROLES = frozenset({Role.ADMIN, Role.OPERATOR})
CAMPAIGNS_INSPECT_ROLES = SHOPS_INSPECT_ROLES
CAMPAIGNS_KEEP_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.AREA_HEAD, Role.COMMUNITY_STAFF})
# 三会 (civicgrid.meetings): staff with grids read the meetings of their 居村; the street's desk and
# the 居委 (which convenes them) plan and run them and record the 三会 training. Any participant
# with an account signs themselves in by the meeting's QR code.
MEETINGS_VIEW_ROLES = REGISTRY_VIEW_ROLES
MEETINGS_EDIT_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.COMMUNITY_STAFF})
# 错峰共享停车 (civicgrid.parking): staff with grids read it over their 居村; the street's desk and
# the 居委 keep spaces, vehicles, the residents' accounts and the 业委会's rules; the 居委 and grid
# staff stand in for the 物业 at the gate (there is no 物业 role: the 物业 is told through the
# outbox); residents, signed in with their resident account, offer and book for their household.
PARKING_VIEW_ROLES = REGISTRY_VIEW_ROLES
PARKING_EDIT_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.COMMUNITY_STAFF})
PARKING_GATE_ROLES = frozenset(
    {Role.ADMIN, Role.OPERATOR, Role.COMMUNITY_STAFF, Role.GRID_LEADER, Role.GRID_WORKER}
)
PARKING_RESIDENT_ROLES = frozenset({Role.RESIDENT})
# 社区项目 (civicgrid.projects): staff with grids read the projects of their 居村; the street's desk
# and the 居委 keep campaigns and projects; the street's desk and 片区负责人 sit on the panel;
# residents, signed in with their resident account, propose ideas and support projects.
PROJECTS_VIEW_ROLES = REGISTRY_VIEW_ROLES
PROJECTS_EDIT_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.COMMUNITY_STAFF})
PROJECTS_REVIEW_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.AREA_HEAD})
PROJECTS_RESIDENT_ROLES = frozenset({Role.RESIDENT})
# 爱心银行 (civicgrid.timebank): staff with grids read it over their 居村; the street's desk and the
# 居委 keep volunteers, projects and partners, verify service records (as does a project's
# coordinator, whatever their role) and post gifts and redemptions; residents, signed in with their
# resident account, record their own service as volunteers and ask help for an elder.
TIMEBANK_VIEW_ROLES = REGISTRY_VIEW_ROLES
TIMEBANK_EDIT_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.COMMUNITY_STAFF})
TIMEBANK_RESIDENT_ROLES = frozenset({Role.RESIDENT})
PROJECTS_TEMPLATE_ROLES = frozenset({Role.ADMIN, Role.OPERATOR})
TIMEBANK_RULES_ROLES = frozenset({Role.ADMIN, Role.OPERATOR})
# 智能派单 (civicgrid.dispatch): the desk (DISPATCH_ROLES) sees and takes suggestions as it files;
# what the system may do alone (auto-dispatch, thresholds), who handles what (权责清单) and which
# model runs are the 值班长's and the keeper's, as the approvals are.
DISPATCH_SETUP_ROLES = frozenset({Role.ADMIN, Role.SHIFT_CHIEF})
# 主动治理 (civicgrid.proactive): staff with grids read 一弄一案, hotspots, anomalies and tasks
# over their scope; the street's desk, 片区, the 居委 and grid leaders keep the 一弄一案 items
# (owner, plan, 销号) and send patrol tasks; grid staff do the tasks they are given.
PROACTIVE_VIEW_ROLES = REGISTRY_VIEW_ROLES
PROACTIVE_EDIT_ROLES = frozenset(
    {Role.ADMIN, Role.OPERATOR, Role.AREA_HEAD, Role.COMMUNITY_STAFF, Role.GRID_LEADER}
)
PROACTIVE_TASK_ROLES = GRID_STAFF_ROLES
# 党组织 (civicgrid.party): staff with grids read the organisations of their grids (members'
# phones masked); the street's desk and the 居委 keep organisations, members, 三会一课 records,
# star ratings, service points and co-building agreements. The service-point map is public.
PARTY_VIEW_ROLES = REGISTRY_VIEW_ROLES
PARTY_EDIT_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.COMMUNITY_STAFF})
PARTY_LOG_ROLES = frozenset({Role.ADMIN})
# 防汛 and emergencies (civicgrid.emergency): staff with grids read the register, responses and
# drills over their scope; the 城运中心 (desk, 值班长, 带班领导) raise, change and lift a response
# level, keep the flood-prone register, the plans, the stores and the drills; on the ground, grid
# staff, 居委 and 片区 report flooded points, run pumps and do their patrol tasks (as do the desk).
EMERGENCY_VIEW_ROLES = REGISTRY_VIEW_ROLES
EMERGENCY_COMMAND_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.SHIFT_CHIEF, Role.DUTY_LEADER})
EMERGENCY_FIELD_ROLES = EMERGENCY_COMMAND_ROLES | {
    Role.AREA_HEAD,
    Role.COMMUNITY_STAFF,
    Role.GRID_LEADER,
    Role.GRID_WORKER,
}
# 公示公告 (civicgrid.notices): staff with grids read drafts, relocations and nominations of their
# 居村; the street's desk and the 居委 compose notices, answer objections, keep relocation records
# and review nominations; the street office (its desk) approves, publishes, corrects and withdraws
# (the approver is named on the notice); residents, signed in, object and nominate, and see their
# own household's relocation figures.
NOTICES_VIEW_ROLES = REGISTRY_VIEW_ROLES
NOTICES_EDIT_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.COMMUNITY_STAFF})
NOTICES_APPROVE_ROLES = frozenset({Role.ADMIN, Role.OPERATOR})
# The 城运中心's command (值班长, 带班领导) drafts the 通报 summing up an emergency response they
# lifted; the draft then goes through the notices' own review (they cannot submit or publish).
NOTICES_SUMMARY_ROLES = NOTICES_EDIT_ROLES | {Role.SHIFT_CHIEF, Role.DUTY_LEADER}
NOTICES_RESIDENT_ROLES = frozenset({Role.RESIDENT})
OPEN311_CLIENT_ROLES = frozenset({Role.ADMIN})
# 社区报 (civicgrid.bulletin): the street's desk compiles an issue from the period's data and edits
# its articles (the editors of 宣传); the sign-off before publishing is the 党工委's (宣传/党建办):
# a Django permission (bulletin.approve_bulletin) held by the group "宣传/党建办", whatever the
# member's role, and the admin's role below. Drafts are read by the desk and the leaders; a
# published issue is public.
BULLETIN_VIEW_ROLES = frozenset(
    {Role.ADMIN, Role.OPERATOR, Role.SHIFT_CHIEF, Role.DUTY_LEADER, Role.LEADER}
)
BULLETIN_EDIT_ROLES = frozenset({Role.ADMIN, Role.OPERATOR})
BULLETIN_APPROVE_ROLES = frozenset({Role.ADMIN})
ATTACHMENT_DELETE_ROLES = frozenset({Role.ADMIN})
# Every staff account has a notification centre (civicgrid.messaging: the header's badge,
# /notifications/, /api/notifications/); residents are told by e-mail and SMS instead. The outbox
# itself (every message with its recipient's phone, and its deliveries) is the system's keeper's.
NOTIFICATION_ROLES = frozenset(set(Role) - {Role.RESIDENT})
OUTBOX_VIEW_ROLES = frozenset({Role.ADMIN})

# --- pages of the web front ------------------------------------------------------------------

# The street's desk and leaders, 片区负责人 and 居委 staff (each over their scope).
_DESK_AND_LEADERS = frozenset(
    {
        Role.ADMIN,
        Role.OPERATOR,
        Role.SHIFT_CHIEF,
        Role.DUTY_LEADER,
        Role.LEADER,
        Role.AREA_HEAD,
        Role.COMMUNITY_STAFF,
    }
)
DASHBOARD_ROLES = _DESK_AND_LEADERS
CONSOLE_QUEUE_ROLES = _DESK_AND_LEADERS
CONSOLE_CASE_ROLES = CONSOLE_QUEUE_ROLES | {Role.DEPT_HANDLER, Role.GRID_LEADER, Role.GRID_WORKER}
DEPARTMENT_INBOX_ROLES = frozenset({Role.DEPT_HANDLER})
FIELDWORK_ROLES = frozenset({Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_STAFF})


def is_limited_reporter(user) -> bool:
    """Whether reports by `user` count against the residents' intake limit: visitors and
    residents do; staff reporting from their work (patrols, the hotline desk, departments) do
    not."""
    if user is None or not user.is_authenticated:
        return True
    return user.effective_role in LIMITED_REPORTER_ROLES
