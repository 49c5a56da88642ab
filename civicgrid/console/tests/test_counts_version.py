"""The queues' tab counts are dropped once per committed change (console.queries): an intake
moves the shared version once, at its commit, and its own transaction never reads old counts."""

from django.core.cache import cache

from civicgrid.cases import services
from civicgrid.console.queries import COUNTS_VERSION, bump_counts_version, counts_version


def test_an_intake_moves_the_shared_version_once_at_its_commit(
    users, garbage, clock, django_capture_on_commit_callbacks
):
    bump_counts_version()
    shared = cache.get(COUNTS_VERSION)
    seen_inside = []
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.do_report(user=users["operator"], category=garbage, description="路边堆放垃圾")
        # Not yet committed: other connections keep the version (and cannot see the case) ...
        assert cache.get(COUNTS_VERSION) == shared
        # ... while this transaction's own pages do not reuse the counts cached before it.
        seen_inside.append(counts_version())
    assert seen_inside[0] != shared
    # The case's save and its case_changed signal: one bump, queued for the commit.
    bumps = [c for c in callbacks if c is bump_counts_version]
    assert len(bumps) == 1
    bumps[0]()
    assert cache.get(COUNTS_VERSION) not in (shared, None)
