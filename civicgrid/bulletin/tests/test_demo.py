"""The demo's 社区报: 第41期 published and 第42期 edited, compiled from the demo street's own
cases (the dashboard's demo world), in the builder's time budget."""

import time

import pytest

from civicgrid.bulletin.models import Issue
from civicgrid.demo.bulletin import build_demo_bulletin
from civicgrid.testing.demo import DEMO_NOW

pytestmark = pytest.mark.django_db


def test_the_demo_issues(demo_world):
    started = time.perf_counter()
    counts = build_demo_bulletin(seed=7, now=DEMO_NOW)
    elapsed = time.perf_counter() - started
    assert elapsed < 15, elapsed  # a bound against runaway loops; `make demo` prints the real time
    assert set(counts) == {41, 42}
    first, second = Issue.objects.get(number=41), Issue.objects.get(number=42)
    assert (first.state, second.state) == ("published", "edited")
    assert (first.pages, second.pages) == (8, 8)
    assert first.next_date == second.issue_date
    assert second.publisher == "街道党工委、办事处联合出版"
    topics = set(second.articles.values_list("topic", flat=True))
    assert {"digest", "cases", "hotline", "links"} <= topics
    cases = second.articles.get(topic="cases")
    assert cases.figures["filed"] > 0
    assert f"共立案 {cases.figures['filed']:,} 件" in cases.body
    assert not first.pdf  # rendered on request, not in the demo's load
    assert build_demo_bulletin(seed=7, now=DEMO_NOW) == {}
    # The demo's 宣传/党建办 approver: the 分管领导 may approve 第42期, the 带班领导 may not.
    from civicgrid.accounts.models import User
    from civicgrid.bulletin.services import may_approve

    assert may_approve(User.objects.get(username="leader"))
    assert not may_approve(User.objects.get(username="dutyleader"))
