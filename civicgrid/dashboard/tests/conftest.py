import datetime
from zoneinfo import ZoneInfo

import pytest

from civicgrid.demo.builder import DemoParams, build_demo_street

# A small street: 1 street, 2 communities, 8 micro-grids (as the demo's own tests).
SMALL = DemoParams(seed=7, communities=2, micro_grids_per_street=8, households_per_building_group=1)
NOW = datetime.datetime(2026, 11, 20, 15, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def small_demo(db):
    return build_demo_street(SMALL)


@pytest.fixture
def demo_cases(small_demo):
    from civicgrid.demo.cases import build_demo_cases

    return build_demo_cases(150, seed=7, now=NOW)
