"""Who may do what: every role set of the project, in one place, named by what it allows.

A role (accounts.choices.Role) says what a user does in the street. The sets below say which
roles may use a page, a verb or a kind of data *at all*; which rows they then see is the scope
(grids.scoping, cases.permissions.scope_cases), and whether they may act on one particular case
is cases.permissions.may_act_on. A superuser without a role counts as 系统管理员
(User.effective_role).

Roles: A 系统管理员 (admin) · O 城运中心操作员 (operator) · C 居委工作人员 (community staff) ·
GL 网格长 (grid leader) · GW 网格员 (grid worker) · D 部门处置人员 (department handler) ·
L 领导 (leader) · R 居民 (resident).

set                      A  O  C  GL GW D  L  R   allows
-----------------------  -- -- -- -- -- -- -- --  ------------------------------------------------
STREET_WIDE_ROLES        x  x  .  .  .  .  x  .   see every grid of the street
READ_ONLY_ROLES          .  .  .  .  .  .  x  .   look, never change data
FULL_PII_ROLES           x  x  x  x  x  .  .  .   ask for full ID numbers and phones (logged)
BACK_OFFICE_ROLES        x  x  x  .  .  .  .  .   use the admin (accounts.adminsite)
GRID_STAFF_ROLES         .  .  .  x  x  .  .  .   work in the micro-grids they are posted to
GRID_SCOPED_ROLES        .  .  x  x  x  .  .  .   see the cases of their grids (居委: its community)
LIMITED_REPORTER_ROLES   .  .  .  .  .  .  .  x   count against the intake limit (and visitors)
CASE_REPORTING_ROLES     x  x  x  x  x  x  .  x   report a case
DISPATCH_ROLES           x  x  .  .  .  .  .  .   file/refuse, dispatch, locate, suspend/resume,
                                                  merge, decide an extension, record a call-in
HANDLING_ROLES           x  .  .  x  x  x  .  .   accept/return, handle, ask for an extension
VERIFYING_ROLES          x  x  x  x  x  .  .  .   verify a handled case (核查)
RATING_ROLES             x  x  .  .  .  .  .  x   rate a closed case
CALL_IN_ROLES            x  x  x  .  .  .  .  .   start a call-in (吹哨报到)
HOTLINE_ROLES            x  x  .  .  .  .  .  .   push 12345 hotline tickets (API)
INDICATOR_ROLES          x  x  x  x  x  x  x  .   read the evaluation indicators (综合评价)
CATEGORY_EDIT_ROLES      x  x  .  .  .  .  .  .   edit case categories (admin)
CHECKLIST_EDIT_ROLES     x  x  .  .  .  .  .  .   edit the patrol checklist (admin)
CALENDAR_EDIT_ROLES      x  x  .  .  .  .  .  .   edit the working-day calendar
GRID_TREE_EDIT_ROLES     x  .  .  .  .  .  .  .   change the grid tree (admin, import)
GRID_NUMBERING_ROLES     x  x  .  .  .  .  .  .   renumber a community's micro-grids (API)
STAFFING_VIEW_ROLES      x  x  x  x  x  .  x  .   see the grid staffing "1+2+N" (API)
STAFFING_EDIT_ROLES      x  x  .  .  .  .  .  .   change staff members and posts
REGISTRY_VIEW_ROLES      x  x  x  x  x  .  x  .   see the population registry
OPEN311_CLIENT_ROLES     x  .  .  .  .  .  .  .   manage Open311 clients and requests (admin)
ATTACHMENT_DELETE_ROLES  x  .  .  .  .  .  .  .   delete a case photo (admin)
DASHBOARD_ROLES          x  x  x  .  .  .  x  .   open the dashboard pages
CONSOLE_QUEUE_ROLES      x  x  x  .  .  .  x  .   open the console's queues
CONSOLE_CASE_ROLES       x  x  x  x  x  x  x  .   open a case in the console
DEPARTMENT_INBOX_ROLES   .  .  .  .  .  x  .  .   open the department inbox
FIELDWORK_ROLES          .  .  x  x  x  .  .  .   use the phone pages (fieldwork)

Whoever asks "may this role …" imports the set from here; a new programme adds its sets here,
next to the others, and a line to the table.
"""

from civicgrid.accounts.choices import Role

# --- data scope ------------------------------------------------------------------------------

# Roles that see the whole street (all grids).
STREET_WIDE_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.LEADER})
# Roles that may not change data; leaders look, they do not touch.
READ_ONLY_ROLES = frozenset({Role.LEADER})
# Roles whose work needs residents' full ID numbers and phones (visits, verification, hotline
# call-backs). Even they see masked values until they ask, and each full view is logged.
FULL_PII_ROLES = frozenset(
    {Role.ADMIN, Role.OPERATOR, Role.COMMUNITY_STAFF, Role.GRID_LEADER, Role.GRID_WORKER}
)
# Roles that work in the back office (the admin), each seeing only its own scope there. Phone
# roles (grid leaders and workers) and leaders use the web front only (accounts.adminsite).
BACK_OFFICE_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.COMMUNITY_STAFF})
# Grid staff: they see and act in the micro-grids they are posted to (grids.scoping).
GRID_STAFF_ROLES = frozenset({Role.GRID_LEADER, Role.GRID_WORKER})
# Staff who see and act on the cases of their grids: grid staff, and community staff (居委) in
# their community's micro-grids.
GRID_SCOPED_ROLES = GRID_STAFF_ROLES | {Role.COMMUNITY_STAFF}
# Reports by these roles count against the intake limit shared by every channel
# (core.ratelimit); staff reporting from their work are not limited. Visitors count too.
LIMITED_REPORTER_ROLES = frozenset({Role.RESIDENT})

# --- the case loop (cases.workflow: which role may take which step) ---------------------------

CASE_REPORTING_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.OPERATOR,
        Role.COMMUNITY_STAFF,
        Role.GRID_LEADER,
        Role.GRID_WORKER,
        Role.DEPT_HANDLER,
        Role.RESIDENT,
    }
)
# The street's desk (城运中心); the admin may do everything (the keeper fixes stuck cases).
DISPATCH_ROLES = frozenset({Role.ADMIN, Role.OPERATOR})
HANDLING_ROLES = frozenset({Role.ADMIN, Role.DEPT_HANDLER, Role.GRID_WORKER, Role.GRID_LEADER})
VERIFYING_ROLES = frozenset(
    {Role.ADMIN, Role.OPERATOR, Role.GRID_WORKER, Role.GRID_LEADER, Role.COMMUNITY_STAFF}
)
RATING_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.RESIDENT})
CALL_IN_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.COMMUNITY_STAFF})
HOTLINE_ROLES = frozenset({Role.ADMIN, Role.OPERATOR})
INDICATOR_ROLES = frozenset(
    {
        Role.ADMIN,
        Role.OPERATOR,
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
        Role.COMMUNITY_STAFF,
        Role.GRID_LEADER,
        Role.GRID_WORKER,
        Role.LEADER,
    }
)
OPEN311_CLIENT_ROLES = frozenset({Role.ADMIN})
ATTACHMENT_DELETE_ROLES = frozenset({Role.ADMIN})

# --- pages of the web front ------------------------------------------------------------------

DASHBOARD_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.LEADER, Role.COMMUNITY_STAFF})
CONSOLE_QUEUE_ROLES = frozenset({Role.ADMIN, Role.OPERATOR, Role.COMMUNITY_STAFF, Role.LEADER})
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
