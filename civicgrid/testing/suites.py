"""Tests that run in one of CI's two suites only.

CI (.ci/run) runs the whole suite twice, on SQLite and on PostgreSQL. A few tests spend most of a
minute in Django's migration machinery (an old street upgraded on a scratch database migrated from
nothing) or in subprocesses: those that check something the two engines share — a data
migration's mapping — or one engine only — an archive's round trip per engine — run in one suite
only, so that CI runs each once. `CIVICGRID_BOTH_SUITES=1` (or the older
`CIVICGRID_BACKUP_BOTH=1`) runs them in either suite.
"""

import os

import pytest
from django.conf import settings

ON_POSTGRESQL = settings.DATABASES["default"]["ENGINE"].endswith("postgresql")
BOTH = "1" in (os.environ.get("CIVICGRID_BOTH_SUITES"), os.environ.get("CIVICGRID_BACKUP_BOTH"))

sqlite_suite_only = pytest.mark.skipif(
    ON_POSTGRESQL and not BOTH,
    reason="runs in the SQLite suite (CIVICGRID_BOTH_SUITES=1 runs it here too)",
)
postgresql_suite_only = pytest.mark.skipif(
    not ON_POSTGRESQL and not BOTH,
    reason="runs in the PostgreSQL suite (DATABASE_URL=postgres://…, or CIVICGRID_BOTH_SUITES=1)",
)
