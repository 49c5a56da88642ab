"""The one transition table of a booking (预约): requested → confirmed → parked → completed, or
cancelled, no-show (未到) and overstay (超时占用; the car still leaves afterwards: completed).

A released booking (cancelled, no-show) frees its time: the no-overlap guarantee ignores it."""

from civicgrid.parking.choices import BookingState as S

TRANSITIONS = {
    S.REQUESTED: frozenset({S.CONFIRMED, S.CANCELLED}),
    S.CONFIRMED: frozenset({S.PARKED, S.CANCELLED, S.NO_SHOW}),
    S.PARKED: frozenset({S.COMPLETED, S.OVERSTAY}),
    S.OVERSTAY: frozenset({S.COMPLETED}),
    S.COMPLETED: frozenset(),
    S.CANCELLED: frozenset(),
    S.NO_SHOW: frozenset(),
}


def may_change(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())
