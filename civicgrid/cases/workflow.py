"""The one table of allowed transitions of the case loop (in the manner of Signalen's workflow).

Each action names the states it may start from, the state it leads to (None: the state stays,
e.g. an extension or a call-in), and the roles that may perform it. Whether a user of such a role
may act on *this* case (their department, their grids, their own report) is cases.permissions.
cases.services checks both before writing anything.
"""

from dataclasses import dataclass

from civicgrid.accounts.policy import (
    APPROVER_ROLES,
    CALL_IN_ROLES,
    CASE_REPORTING_ROLES,
    DISPATCH_ROLES,
    FIRST_CONTACT_ROLES,
    HANDLING_ROLES,
    HOTLINE_ROLES,
    RATING_ROLES,
    REPORTER_ROLES,
    VERIFYING_ROLES,
)
from civicgrid.cases.choices import OPEN_STATUSES
from civicgrid.cases.choices import CaseAction as A
from civicgrid.cases.choices import CaseStatus as S

# States in which the case is in somebody's hands and may be suspended or merged.
_IN_PROGRESS = frozenset({S.FILED, S.DISPATCHED, S.ACCEPTED, S.RETURNED})
# In a department's (or the grid's) hands.
_DISPATCHED = frozenset({S.DISPATCHED, S.ACCEPTED})


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset
    target: str | None
    roles: frozenset
    # Whether the action is allowed while the case is suspended (only resume is).
    while_suspended: bool = False


# Who may do what, by role: the sets of accounts.policy (the admin may do everything: the keeper
# fixes stuck cases).
TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        Transition(A.REPORT, frozenset({""}), S.REPORTED, CASE_REPORTING_ROLES),
        Transition(A.FILE, frozenset({S.REPORTED}), S.FILED, DISPATCH_ROLES),
        # 值班长 approvals (APPROVER_ROLES): refusals, extensions, suspensions, merges.
        Transition(A.REFUSE_FILING, frozenset({S.REPORTED}), S.NOT_FILED, APPROVER_ROLES),
        Transition(A.DISPATCH, frozenset({S.FILED, S.RETURNED}), S.DISPATCHED, DISPATCH_ROLES),
        Transition(A.ACCEPT, frozenset({S.DISPATCHED}), S.ACCEPTED, HANDLING_ROLES),
        # After dispatch the street stays in control: 改派 to another department (received
        # anew: 已派遣), 撤回 back to 待派遣 (the returned cases' queue), 催办 of the handler.
        Transition(A.REDISPATCH, _DISPATCHED, S.DISPATCHED, DISPATCH_ROLES),
        Transition(A.RECALL, _DISPATCHED, S.RETURNED, DISPATCH_ROLES),
        Transition(A.HURRY, _DISPATCHED, None, DISPATCH_ROLES),
        # 协办: each co-handling department gives its part before the lead department's handle.
        Transition(A.CO_FEEDBACK, _DISPATCHED, None, HANDLING_ROLES),
        Transition(A.RETURN, frozenset({S.DISPATCHED}), S.RETURNED, HANDLING_ROLES),
        Transition(A.HANDLE, frozenset({S.ACCEPTED}), S.HANDLED, HANDLING_ROLES),
        Transition(A.VERIFY_PASS, frozenset({S.HANDLED}), S.CLOSED, VERIFYING_ROLES),
        Transition(A.VERIFY_FAIL, frozenset({S.HANDLED}), S.ACCEPTED, VERIFYING_ROLES),
        Transition(A.RATE, frozenset({S.CLOSED}), S.CLOSED, RATING_ROLES),
        # Not called directly: an unsatisfied rating reopens the case once (services.do_rate).
        Transition(A.REOPEN, frozenset({S.CLOSED}), S.ACCEPTED, RATING_ROLES),
        Transition(
            A.REQUEST_EXTENSION, frozenset({S.DISPATCHED, S.ACCEPTED}), None, HANDLING_ROLES
        ),
        Transition(A.DECIDE_EXTENSION, frozenset({S.DISPATCHED, S.ACCEPTED}), None, APPROVER_ROLES),
        # 人工定位: the street places (or corrects) a case before it is handled and checked.
        Transition(A.LOCATE, _IN_PROGRESS | {S.REPORTED}, None, DISPATCH_ROLES),
        Transition(A.SUSPEND, _IN_PROGRESS, None, APPROVER_ROLES),
        Transition(A.RESUME, _IN_PROGRESS, None, APPROVER_ROLES, while_suspended=True),
        Transition(A.MERGE, _IN_PROGRESS | {S.REPORTED}, S.MERGED, APPROVER_ROLES),
        # A 12345 push of a ticket the desk typed in by hand brings the hotline's clock.
        Transition(A.HOTLINE_CLOCK, OPEN_STATUSES, None, HOTLINE_ROLES, while_suspended=True),
        # 取消合并 returns the duplicate to the state it was merged from (services.do_unmerge).
        Transition(A.UNMERGE, frozenset({S.MERGED}), None, APPROVER_ROLES),
        # 退单 of a 12345 ticket (cases.services.hotline checks the source), until it is handled.
        Transition(A.SEND_BACK, _IN_PROGRESS | {S.REPORTED}, S.SENT_BACK, APPROVER_ROLES),
        # 先行联系 (once: cases.services.contact), in any open state.
        Transition(A.FIRST_CONTACT, OPEN_STATUSES, None, FIRST_CONTACT_ROLES),
        # The 值班长 grants a 复杂 12345 ticket its 15 working days (cases.services.hotline).
        Transition(A.APPROVE_COMPLEX_LIMIT, _IN_PROGRESS | {S.REPORTED}, None, APPROVER_ROLES),
        # The reporter's own: a note or photo added to an open report (also while the case is
        # suspended: it is news for the desk), and 撤销 before the report is filed.
        Transition(A.ADD_INFO, OPEN_STATUSES, None, REPORTER_ROLES, while_suspended=True),
        Transition(A.WITHDRAW, frozenset({S.REPORTED}), S.WITHDRAWN, REPORTER_ROLES),
        Transition(A.START_CALL_IN, _IN_PROGRESS - {S.FILED} | {S.HANDLED}, None, CALL_IN_ROLES),
        Transition(
            A.RECORD_CALL_IN_OUTCOME,
            _IN_PROGRESS | {S.HANDLED, S.CLOSED},
            None,
            DISPATCH_ROLES,
            while_suspended=True,
        ),
    ]
}


def allowed_actions(status: str, role: str, *, suspended: bool = False) -> list[str]:
    """Actions a role may take on a case in `status` (before the per-case scope check)."""
    return [
        t.action
        for t in TRANSITIONS.values()
        if t.action not in (A.REPORT, A.REOPEN)
        and status in t.sources
        and role in t.roles
        and (t.while_suspended or not suspended)
        and not (t.action == A.RESUME and not suspended)
    ]
