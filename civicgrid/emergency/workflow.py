"""The transition tables of flood duty: a response's level, a flood work's state, a task.

A response is raised (启动) at a level, may be changed (调整) to any other level while active,
and is lifted (解除) once; a lifted response is history. Only one response is active for the
street at a time (the street has one command: a typhoon that brings rain is one response whose
level is changed, not two).
"""

from civicgrid.emergency.choices import Level, ResponseAction, ResponseState, TaskState, WorkState

# (state before, action) → state after; "" is a response not yet raised.
RESPONSE_TRANSITIONS = {
    ("", ResponseAction.RAISE): ResponseState.ACTIVE,
    (ResponseState.ACTIVE, ResponseAction.CHANGE): ResponseState.ACTIVE,
    (ResponseState.ACTIVE, ResponseAction.LIFT): ResponseState.LIFTED,
}

WORK_TRANSITIONS = {
    WorkState.PLANNED: frozenset({WorkState.BUILDING, WorkState.READY}),
    WorkState.BUILDING: frozenset({WorkState.READY, WorkState.PLANNED}),
    WorkState.READY: frozenset({WorkState.FAULTY}),
    WorkState.FAULTY: frozenset({WorkState.READY, WorkState.BUILDING}),
}

TASK_TRANSITIONS = {
    TaskState.OPEN: frozenset({TaskState.DONE, TaskState.CANCELLED}),
    TaskState.DONE: frozenset(),
    TaskState.CANCELLED: frozenset(),
}

# While a response is active, a new 积水 report must be filed and dispatched within these minutes
# and handled within these hours (wall clock: water does not wait for office hours); the higher the
# level, the shorter. The category's own limits (10 minutes, 4 hours) apply otherwise.
FLOODING_FILING_MINUTES = {Level.IV: 5, Level.III: 5, Level.II: 3, Level.I: 3}
FLOODING_HANDLING_HOURS = {Level.IV: 2, Level.III: 2, Level.II: 1, Level.I: 1}


def response_next(state: str, action: str) -> str | None:
    return RESPONSE_TRANSITIONS.get((state or "", action))


def may_change_work(current: str, new: str) -> bool:
    return new in WORK_TRANSITIONS.get(current, frozenset())


def may_change_task(current: str, new: str) -> bool:
    return new in TASK_TRANSITIONS.get(current, frozenset())


def is_higher(level: str, than: str) -> bool:
    """Whether `level` is more severe than `than` (I above II above III above IV)."""
    return int(level) < int(than)
