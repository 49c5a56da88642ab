"""The demo street front: 37 blocks, the three associations with their 257 members, twelve
half-months of rounds with late ones, failed 门责 items that became cases — quickly."""

import time

import pytest

from civicgrid.cases.models import Case
from civicgrid.demo.shops import build_demo_shops
from civicgrid.shops import services
from civicgrid.shops.models import Association, Block, InspectionResult, RefreshRound, Shop

pytestmark = pytest.mark.django_db


def test_demo_front(small_demo):
    from civicgrid.demo.logins import ensure_demo_logins

    ensure_demo_logins()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        counts = build_demo_shops(seed=7)
    elapsed = time.perf_counter() - started
    print(f"demo shops: {elapsed:.1f}s, {len(queries)} queries, {dict(counts)}")
    # The demo's load time grows by a few seconds at most: a bounded number of statements.
    assert len(queries) < 8000
    assert Block.objects.count() == 37
    assert 520 <= Shop.objects.count() <= 680
    members = {a.name: a.members.count() for a in Association.objects.all()}
    assert members == {"中邦商业街": 95, "康桥半岛商业街": 87, "周康商业街": 75}
    assert sum(members.values()) == 257
    assert counts["late"] >= 2
    trend = services.freshness_trend(list(Block.objects.all()))
    assert sum(row["late"] for row in trend) >= 3  # two missed, one overdue now
    assert RefreshRound.objects.filter(completed_at=None).count() >= 2
    failed = InspectionResult.objects.filter(passed=False, case__isnull=False)
    assert failed.exists()
    assert Case.objects.filter(pk__in=failed.values("case_id")).count() == counts["case"]
    summary = services.freshness_summary(list(Block.objects.all()))
    assert summary["red"] >= 1 and summary["fresh"] >= 20
    assert services.repeat_offenders(Shop.objects.all())
    assert build_demo_shops(seed=7) == {}  # twice adds nothing
