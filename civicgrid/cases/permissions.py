"""Which cases a user sees, and whether they may act on one particular case.

The role-level rule (which roles may perform an action at all) is the table in cases.workflow;
this module adds the row-level rule: a department handler acts on cases dispatched to their
department, grid staff on cases in their micro-grids (grids.scoping), residents on their own.
"""

from django.db.models import Q, QuerySet

from civicgrid.accounts.choices import Role
from civicgrid.accounts.policy import DISPATCH_ROLES, GRID_SCOPED_ROLES, GRID_STAFF_ROLES
from civicgrid.cases.choices import CaseAction as A
from civicgrid.grids.scoping import visible_micro_grids

HANDLING_ACTIONS = frozenset({A.ACCEPT, A.RETURN, A.HANDLE, A.REQUEST_EXTENSION})


def scope_cases(queryset: QuerySet, user) -> QuerySet:
    """Cases the user may see: street-wide roles all; community staff their community's; grid
    staff their grids'; department handlers their department's; everyone also their own."""
    if not user or not user.is_authenticated:
        return queryset.none()
    if user.sees_whole_street:
        return queryset
    role = user.effective_role
    own = Q(reporter_user=user)
    if role in GRID_SCOPED_ROLES:
        grids = visible_micro_grids(user)
        return queryset.filter(Q(micro_grid__in=grids.values("pk")) | own)
    if role == Role.DEPT_HANDLER and user.department_id:
        from civicgrid.cases.models import CoHandling

        # A co-handling department (协办) sees the case too, its part open or given.
        co = CoHandling.objects.filter(department_id=user.department_id).values("case_id")
        return queryset.filter(Q(assigned_department_id=user.department_id) | Q(pk__in=co) | own)
    return queryset.filter(own)


def openable_cases(user, cases) -> frozenset:
    """The pks of `cases` (Case rows; None is skipped) whose console page `user` may open: a role
    of that page (CONSOLE_CASE_ROLES) and the case within scope_cases — in one query. A page
    that names cases of a wider area than its reader's (a street-wide drill read by one 居委)
    links only these (web's |case_link)."""
    from civicgrid.accounts.policy import CONSOLE_CASE_ROLES
    from civicgrid.cases.models import Case

    pks = {case.pk for case in cases if case is not None}
    if not pks or not user.is_authenticated or user.effective_role not in CONSOLE_CASE_ROLES:
        return frozenset()
    if user.sees_whole_street:
        return frozenset(pks)
    return frozenset(
        scope_cases(Case.objects.filter(pk__in=pks), user).values_list("pk", flat=True)
    )


def _in_user_grids(user, case) -> bool:
    if case.micro_grid_id is None:
        return False
    grids = visible_micro_grids(user)
    return grids is None or grids.filter(pk=case.micro_grid_id).exists()


def handled_by(user, case) -> bool:
    """Whether this user ever recorded the handling (处置反馈) of the case."""
    if user is None or not user.is_authenticated or case.pk is None:
        return False
    return case.events.filter(action=A.HANDLE, actor=user).exists()


def on_handling_side(user, case) -> bool:
    """Staff who handle the case or answer for its handling: whoever accepted or handled it, the
    handlers of the department it is dispatched to, and the grid and community staff of its
    micro-grid. They may not rate it (only the reporter, or the 城运中心 on the reporter's behalf)."""
    if user is None or not user.is_authenticated or case.pk is None:
        return False
    role = user.effective_role
    if role == Role.RESIDENT:
        return False
    if case.events.filter(action__in=(A.ACCEPT, A.HANDLE), actor=user).exists():
        return True
    if role == Role.DEPT_HANDLER:
        return case.assigned_department_id is not None and (
            case.assigned_department_id == user.department_id
        )
    if role in GRID_SCOPED_ROLES:
        return _in_user_grids(user, case)
    return False


def co_handling_open_for(case, department_id) -> bool:
    """Whether `department_id` has an open co-handling part (协办) on the case (from prefetched
    rows when the page or the API loaded them)."""
    if department_id is None or case.pk is None:
        return False
    from civicgrid.cases.choices import CoHandlingStatus

    rows = getattr(case, "_prefetched_objects_cache", {}).get("co_handlings")
    if rows is not None:
        return any(
            c.department_id == department_id and c.status == CoHandlingStatus.OPEN for c in rows
        )
    return case.co_handlings.filter(
        department_id=department_id, status=CoHandlingStatus.OPEN
    ).exists()


def may_act_on(user, case, action: str) -> bool:
    """The row-level check for a user whose role the workflow table already allows.

    管监分离: whoever recorded the handling never checks it, whatever their role or channel, and
    nobody on the handling side rates it."""
    role = user.effective_role
    if action in (A.VERIFY_PASS, A.VERIFY_FAIL) and handled_by(user, case):
        return False
    if action in (A.RATE, A.REOPEN) and on_handling_side(user, case):
        return False
    if role in DISPATCH_ROLES:  # the street's desk acts on every case
        return True
    if action in HANDLING_ACTIONS:
        if role == Role.DEPT_HANDLER:
            return (
                not case.handled_by_grid
                and case.assigned_department_id is not None
                and case.assigned_department_id == user.department_id
            )
        if role in GRID_STAFF_ROLES:
            return case.handled_by_grid and _in_user_grids(user, case)
        return False
    if action == A.CO_FEEDBACK:
        return role == Role.DEPT_HANDLER and co_handling_open_for(case, user.department_id)
    if action in (A.VERIFY_PASS, A.VERIFY_FAIL, A.START_CALL_IN):
        return role in GRID_SCOPED_ROLES and _in_user_grids(user, case)
    if action == A.FIRST_CONTACT:
        # Whoever takes the case up: the department it is dispatched to, the grid staff when it
        # is the grid's to handle, the 居委 (and 片区) of its place.
        if role == Role.DEPT_HANDLER:
            return case.assigned_department_id is not None and (
                case.assigned_department_id == user.department_id
            )
        if role in GRID_STAFF_ROLES:
            return case.handled_by_grid and _in_user_grids(user, case)
        return role in GRID_SCOPED_ROLES and _in_user_grids(user, case)
    if action in (A.RATE, A.REOPEN, A.ADD_INFO, A.WITHDRAW):
        return case.reporter_user_id is not None and case.reporter_user_id == user.pk
    return False
