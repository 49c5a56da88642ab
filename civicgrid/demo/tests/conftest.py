import pytest

from civicgrid.demo.builder import DemoParams, build_demo_street

# The small street of the tests: 1 street, 2 communities, 8 micro-grids.
SMALL = DemoParams(seed=7, communities=2, micro_grids_per_street=8, households_per_building_group=3)


@pytest.fixture(autouse=True)
def _fast_password_hasher(settings):
    # The demo logins hash one password per role; the real hasher is deliberately slow.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def small_demo(db):
    return build_demo_street(SMALL)
