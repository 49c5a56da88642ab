"""The transition table of a notice (公示公告) and of a nomination (身边好人): each service checks
its step here before it writes.

draft → review → published → closed (the objection period of a 公示 is over) → archived; a notice
under review goes back to draft; a published or closed notice may be withdrawn, with a public
reason. An approver may publish at a later time instead: review → scheduled (not public) →
published when the periodic sweep finds its time come (`release`); until then it may be returned
to draft. A notice that is not a 公示 has no objection period: it is archived straight from
published (the services refuse `close` for it).
"""

from civicgrid.notices.choices import NominationState as N
from civicgrid.notices.choices import NoticeState as S

NOTICE_TRANSITIONS = {
    "submit": ({S.DRAFT}, S.REVIEW),
    "return": ({S.REVIEW, S.SCHEDULED}, S.DRAFT),
    "publish": ({S.REVIEW}, S.PUBLISHED),
    "schedule": ({S.REVIEW}, S.SCHEDULED),
    "release": ({S.SCHEDULED}, S.PUBLISHED),
    "close": ({S.PUBLISHED}, S.CLOSED),
    "archive": ({S.PUBLISHED, S.CLOSED}, S.ARCHIVED),
    "withdraw": ({S.PUBLISHED, S.CLOSED}, S.WITHDRAWN),
}

# Published versions may be corrected (a new version) while the notice is live.
CORRECTABLE_STATES = frozenset({S.PUBLISHED, S.CLOSED})
# Notices the public pages and the kiosk show.
LIVE_STATES = frozenset({S.PUBLISHED, S.CLOSED})
SHOWN_STATES = frozenset({S.PUBLISHED, S.CLOSED, S.ARCHIVED, S.WITHDRAWN})

NOMINATION_TRANSITIONS = {
    "approve": ({N.SUBMITTED}, N.APPROVED),
    "reject": ({N.SUBMITTED}, N.REJECTED),
    "publish": ({N.APPROVED}, N.PUBLISHED),
}
