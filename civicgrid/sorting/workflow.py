"""The transition tables of the garbage-sorting programme: (from, to) pairs each service checks
before it writes."""

from civicgrid.sorting.choices import PointState, ShiftState

POINT_TRANSITIONS = {
    (PointState.PLANNED, PointState.IN_USE),  # 启用
    (PointState.PLANNED, PointState.MERGED),  # a planned point given up for a nearby one
    (PointState.IN_USE, PointState.MERGED),  # 撤并
}

SHIFT_TRANSITIONS = {
    "check_in": (ShiftState.PLANNED, ShiftState.ON_DUTY),
    "check_out": (ShiftState.ON_DUTY, ShiftState.DONE),
    "cancel": (ShiftState.PLANNED, ShiftState.CANCELLED),
}
