"""The one transition table of a meeting: planned → noticed → held → minutes signed → outcome
published → followed up; a meeting not yet held may be cancelled."""

from civicgrid.meetings.choices import MeetingState as S

TRANSITIONS = {
    S.PLANNED: frozenset({S.NOTICED, S.CANCELLED}),
    S.NOTICED: frozenset({S.HELD, S.CANCELLED}),
    S.HELD: frozenset({S.MINUTES_SIGNED}),
    S.MINUTES_SIGNED: frozenset({S.PUBLISHED}),
    S.PUBLISHED: frozenset({S.FOLLOWED_UP}),
    S.FOLLOWED_UP: frozenset(),
    S.CANCELLED: frozenset(),
}

# States of a meeting that has taken place ("at or past held").
HELD_STATES = frozenset({S.HELD, S.MINUTES_SIGNED, S.PUBLISHED, S.FOLLOWED_UP})
# While the meeting runs (sign-in, opinions, votes), and until its minutes are signed, the record
# of what was said may grow.
RUNNING_STATES = frozenset({S.NOTICED, S.HELD})


def may_move(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())
