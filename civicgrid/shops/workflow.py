"""The one transition table of a shop's state (营业/歇业/装修/空置/转让).

A shop that is gone altogether (the unit closed, the front demolished) leaves the roll through
`do_close_shop` from any state; a new business in a vacant front is a new shop.
"""

from civicgrid.shops.choices import ShopState as S

TRANSITIONS = {
    S.OPEN: frozenset({S.SUSPENDED, S.RENOVATING, S.VACANT, S.TRANSFER}),
    S.SUSPENDED: frozenset({S.OPEN, S.RENOVATING, S.VACANT, S.TRANSFER}),
    S.RENOVATING: frozenset({S.OPEN, S.SUSPENDED, S.VACANT}),
    S.VACANT: frozenset({S.RENOVATING, S.TRANSFER}),
    S.TRANSFER: frozenset({S.OPEN, S.RENOVATING, S.VACANT}),
}


def may_change(current: str, new: str) -> bool:
    return new in TRANSITIONS.get(current, frozenset())
