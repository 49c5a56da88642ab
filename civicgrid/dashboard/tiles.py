"""Tiles that apps above the dashboard add to its page (fieldwork's 巡查覆盖率 …).

The dashboard may not import those apps (docs/architecture.md: layers), so each registers a
function in its AppConfig.ready: `register(name, function)`, where
`function(micro_ids, first, last, now)` returns the tile's figures for the micro-grids
`micro_ids` (None: the whole street) and the local days first..last, in a fixed number of
queries. `collect` calls every registered tile for a page's scope.
"""

TILES: dict = {}


def register(name: str, function) -> None:
    TILES[name] = function


def collect(scope, first, last, now) -> dict:
    """{tile name: figures} for a dashboard scope (figures.Scope) and period."""
    return {name: function(scope.micro_ids, first, last, now) for name, function in TILES.items()}
