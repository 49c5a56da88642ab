"""Places and times of the test world: points in make_tree()'s micro-grids, Shanghai datetimes,
the categories seeded by the cases migration."""

import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

# make_tree(): 2 communities side by side (west→east), 2 micro-grids each (north→south).
# IN_MICRO[i] lies inside micro_grids[i]; OUTSIDE lies outside every grid.
IN_MICRO = [(121.505, 31.1075), (121.505, 31.1025), (121.515, 31.1075), (121.515, 31.1025)]
OUTSIDE = (120.0, 30.0)


def local(year, month, day, hour=0, minute=0, *rest) -> datetime.datetime:
    """An aware datetime in Shanghai local time."""
    return datetime.datetime(year, month, day, hour, minute, *rest, tzinfo=SHANGHAI)


def category(family: str, code: str):
    """A category of the seeded table, e.g. category("event", "0102") — 暴露垃圾 — or
    category("community", "0101") — 楼道堆物."""
    from civicgrid.cases.models import Category

    return Category.objects.get(family=family, code=code)
