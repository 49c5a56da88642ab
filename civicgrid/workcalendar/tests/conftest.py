import datetime
from zoneinfo import ZoneInfo

import pytest

SHANGHAI = ZoneInfo("Asia/Shanghai")

# An illustrative 2027 notice for the tests (the real one is published by the State Council late
# in 2026): New Year Fri 1 – Sun 3 January, Spring Festival 6–14 February, Saturday 20 February
# worked in exchange.
NOTICE_2027_HOLIDAYS = "元旦=2027-01-01:2027-01-03,春节=2027-02-06:2027-02-14"
NOTICE_2027_WORKDAYS = "春节=2027-02-20"


def sh(year, month, day, hour=0, minute=0):
    """An aware datetime in Shanghai local time."""
    return datetime.datetime(year, month, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
