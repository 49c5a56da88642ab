"""Tiles that apps above the dashboard add to its page (fieldwork's 巡查覆盖率 …).

The dashboard may not import those apps (docs/architecture.md: layers), so each registers a
function in its AppConfig.ready: `register(name, function)`, where
`function(micro_ids, first, last, now)` returns the tile's figures for the micro-grids
`micro_ids` (None: the whole street) and the local days first..last, in a fixed number of
queries. `collect` calls every registered tile for a page's scope. A tile the big screen shows
(and its minute-by-minute data.json) registers with `on_screen=True`; the others are read by the
leaders' page only, so the screen's refresh does not pay for them.
"""

TILES: dict = {}
ON_SCREEN: set = set()


def register(name: str, function, *, on_screen: bool = False) -> None:
    TILES[name] = function
    if on_screen:
        ON_SCREEN.add(name)
    else:
        ON_SCREEN.discard(name)


def collect(scope, first, last, now, *, screen: bool = False) -> dict:
    """{tile name: figures} for a dashboard scope (figures.Scope) and period; with `screen`, the
    big screen's tiles only."""
    return {
        name: function(scope.micro_ids, first, last, now)
        for name, function in TILES.items()
        if not screen or name in ON_SCREEN
    }
