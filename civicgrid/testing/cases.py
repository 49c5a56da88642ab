"""Cases for the tests, made the way users make them: through `cases.services`.

`case_in_state(state, users, …)` reports a case and walks it along the loop until it reaches
`state`; every step is a real `do_*` call (transition table, scope checks, history rows,
deadlines, notifications), so a test starts from a case the application could have produced.
"""

from civicgrid.accounts.policy import APPROVER_ROLES
from civicgrid.cases import services
from civicgrid.cases.models import Case
from civicgrid.testing.world import IN_MICRO, category

DESCRIPTION = "小区门口垃圾堆积,影响通行"

# The steps after the report that lead to each state (side paths branch off the main loop).
PATHS = {
    "reported": [],
    "filed": ["file"],
    "not_filed": ["refuse_filing"],
    "dispatched": ["file", "dispatch"],
    "returned": ["file", "dispatch", "return"],
    "accepted": ["file", "dispatch", "accept"],
    "handled": ["file", "dispatch", "accept", "handle"],
    "closed": ["file", "dispatch", "accept", "handle", "verify_pass"],
    "rated": ["file", "dispatch", "accept", "handle", "verify_pass", "rate"],
    "reworked": ["file", "dispatch", "accept", "handle", "verify_fail"],
    "suspended": ["file", "dispatch", "accept", "suspend"],
}
STATES = tuple(PATHS)


def as_case(result) -> Case:
    """The case out of a service's answer (a Case, or a (case, event) pair)."""
    if isinstance(result, Case):
        return result
    if isinstance(result, tuple | list):
        return next(item for item in result if isinstance(item, Case))
    return result.case


def report(user, cat=None, point=IN_MICRO[0], description=DESCRIPTION, **fields) -> Case:
    """do_report at `point` (IN_MICRO[0] by default; None for a report without a point)."""
    if point is not None:
        fields.setdefault("lon", point[0])
        fields.setdefault("lat", point[1])
    return as_case(
        services.do_report(
            user=user,
            category=cat or category("event", "0102"),
            description=description,
            **fields,
        )
    )


def case_in_state(
    state,
    users=None,
    *,
    reporter=None,
    cat=None,
    point=IN_MICRO[0],
    description=DESCRIPTION,
    operator=None,
    handler=None,
    department=None,
    to_grid=False,
    result="已清理完毕,现场恢复整洁",
    rating="satisfied",
    notes=None,
    **report_fields,
) -> Case:
    """A case reported by `reporter` (users["resident"]) with `cat` (暴露垃圾 by default) at
    `point`, then moved through cases.services to `state` by walk_to (see there)."""
    if state not in PATHS:
        raise ValueError(f"unknown state {state!r}; one of {', '.join(STATES)}")
    reporter = reporter or (users or {})["resident"]
    case = report(reporter, cat, point, description, **report_fields)
    return walk_to(
        case,
        state,
        users,
        reporter=reporter,
        operator=operator,
        handler=handler,
        department=department,
        to_grid=to_grid,
        result=result,
        rating=rating,
        notes=notes,
    )


def walk_to(
    case,
    state,
    users=None,
    *,
    reporter=None,
    operator=None,
    handler=None,
    department=None,
    to_grid=False,
    result="已清理完毕,现场恢复整洁",
    rating="satisfied",
    notes=None,
):
    """Move a just-reported case through cases.services to `state` (one of STATES): filed and
    dispatched by `operator` (users["operator"]; refused or suspended by users["chief"], the
    值班长, unless `operator` may approve) to `department` (the category's default when
    None) or, with `to_grid`, to the micro-grid; accepted and handled by `handler`
    (users["handler"], or users["worker"] for a grid case) with `result`; verified by the
    operator; rated by `reporter` (users["resident"]). `notes` gives a step's note or reason by
    action name ("file", "dispatch", "accept", "verify_pass", "return", …)."""
    if state not in PATHS:
        raise ValueError(f"unknown state {state!r}; one of {', '.join(STATES)}")
    users = users or {}
    path = PATHS[state]
    operator = operator or users["operator"]
    # Refusals and suspensions are the 值班长's (accounts.policy.APPROVER_ROLES).
    approver = (
        operator if operator.effective_role in APPROVER_ROLES else users.get("chief", operator)
    )
    if handler is None and any(s in path for s in ("accept", "return")):
        handler = users["worker"] if to_grid else users["handler"]
    if reporter is None and "rate" in path:
        reporter = users["resident"]
    notes = notes or {}
    steps = {
        "file": lambda: services.do_file(case, operator, note=notes.get("file", "")),
        "refuse_filing": lambda: services.do_refuse_filing(
            case, approver, reason=notes.get("refuse_filing", "重复上报,不予立案")
        ),
        "dispatch": lambda: services.do_dispatch(
            case,
            operator,
            department=department,
            to_grid=to_grid,
            note=notes.get("dispatch", ""),
        ),
        "accept": lambda: services.do_accept(case, handler, note=notes.get("accept", "")),
        "return": lambda: services.do_return(
            case, handler, reason=notes.get("return", "不属于本部门职责")
        ),
        "handle": lambda: services.do_handle(case, handler, result=result),
        "verify_pass": lambda: services.do_verify_pass(
            case, operator, note=notes.get("verify_pass", "")
        ),
        "verify_fail": lambda: services.do_verify_fail(
            case, operator, reason=notes.get("verify_fail", "现场仍有垃圾,请返工")
        ),
        "rate": lambda: services.do_rate(
            case, reporter, rating=rating, comment=notes.get("rate", "")
        ),
        "suspend": lambda: services.do_suspend(
            case, approver, reason=notes.get("suspend", "等待业主配合")
        ),
    }
    for step in path:
        steps[step]()
    case.refresh_from_db()
    return case


def grid_case(reporter, point=IN_MICRO[0], *, until="dispatched", operator, handler=None, cat=None):
    """A grid worker's own find (楼道堆物 by default), dispatched to the micro-grid itself and
    moved on as far as `until` (dispatched, accepted, handled) by `handler` (the reporter)."""
    return case_in_state(
        until,
        reporter=reporter,
        operator=operator,
        handler=handler or reporter,
        to_grid=True,
        cat=cat or category("community", "0101"),
        point=point,
        description="3号楼楼道堆放纸箱、旧家具,堵塞通道",
        result="已联系居民清理,楼道恢复通畅",
    )
