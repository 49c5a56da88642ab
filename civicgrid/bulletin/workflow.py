"""The transition table of an issue of the 社区报: draft → edited → approved → published; an
approval may be sent back to the editors. Each service checks its step here before it writes."""

from civicgrid.bulletin.choices import IssueState as S

TRANSITIONS = {
    # An edit of an article moves a draft on and keeps an edited issue edited.
    "edit": ({S.DRAFT, S.EDITED}, S.EDITED),
    "approve": ({S.EDITED}, S.APPROVED),
    "return": ({S.APPROVED}, S.EDITED),
    "publish": ({S.APPROVED}, S.PUBLISHED),
}


def target(action: str, state: str) -> str | None:
    """The state `action` leads to from `state`, or None when the table does not allow it."""
    sources, to = TRANSITIONS[action]
    return to if state in sources else None
