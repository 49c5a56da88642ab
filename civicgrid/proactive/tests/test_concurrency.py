"""一弄一案 detection run several times at once (the periodic job on two nodes, 「立即检测」 pressed
twice): the runs take turns, so every case is gathered once and each item made once — never a
500 from a case gathered twice, never a second item for the same place."""

import pytest

from civicgrid.proactive import services
from civicgrid.proactive.models import ProblemCase, StandingProblem
from civicgrid.proactive.tests.conftest import NOW, at
from civicgrid.testing.race import at_once, server_database

pytestmark = [pytest.mark.django_db(transaction=True), server_database]


def test_detections_at_the_same_moment_make_one_item_of_the_cases(report):
    cases = [report(at(d), address="秀沿路1501弄12号") for d in (9, 6, 3)]
    results, errors = at_once(lambda _: services.do_detect(now=NOW), 4)
    assert errors == []
    assert sorted(r["created"] for r in results) == [0, 0, 0, 1]
    item = StandingProblem.objects.get()
    assert item.case_count == 3
    assert sorted(ProblemCase.objects.values_list("case_id", flat=True)) == sorted(
        c.pk for c in cases
    )
