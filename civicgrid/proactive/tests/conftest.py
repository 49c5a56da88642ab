"""Cases for the proactive tests, reported through cases.services at chosen moments. The clock
stands at Monday 2026-11-23 10:00 (the kit's `clock`); `at(days)` is that moment minus `days`."""

import datetime

import pytest

from civicgrid.testing.world import local

NOW = local(2026, 11, 23, 10, 0)
# Points inside micro-grid 0's two building groups (the groups split it west | east).
GROUP_0 = (121.502, 31.107)
GROUP_0B = (121.5025, 31.1072)
GROUP_1 = (121.508, 31.107)


def at(days=0, **kwargs):
    return NOW - datetime.timedelta(days=days, **kwargs)


@pytest.fixture
def report(users, clock, garbage):
    """report(when, point=GROUP_0, address="", category=garbage, user=operator, source=…)."""
    from civicgrid.cases import services

    def make(when, point=GROUP_0, address="", category=None, user=None, source="resident", **kw):
        lon, lat = point if point is not None else (None, None)
        return services.do_report(
            user=user or users["operator"],
            category=category or garbage,
            description="楼下垃圾又堆起来了，味道很大",
            source=source,
            lon=lon,
            lat=lat,
            address=address,
            reporter_name="居民" if source == "resident" else "",
            reporter_phone="13900001111" if source == "resident" else "",
            now=when,
            **kw,
        ).case

    return make
