import datetime
from importlib import import_module
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


def seeded():
    """Categories and the calendar come from data migrations; a transactional test before (a
    live-server browser test on PostgreSQL, say) may have flushed them: seed them again the
    migrations' way."""
    from django.apps import apps

    from civicgrid.cases.models import Category
    from civicgrid.workcalendar.models import CalendarDay

    if not Category.objects.exists():
        import_module("civicgrid.cases.migrations.0002_seed_categories").seed(apps, None)
    if not CalendarDay.objects.exists():
        import_module("civicgrid.workcalendar.migrations.0002_seed_chinese_calendar").seed(
            apps, None
        )
