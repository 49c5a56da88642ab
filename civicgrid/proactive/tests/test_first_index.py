"""The place-and-time index that answers "was there a case before this one at the same place?"
gives exactly the answers of comparing every pair (the dashboard's 未诉先办 share relies on it)."""

import datetime
import random

from django.utils import timezone

from civicgrid.proactive.indicators import Earlier, same_place, window


def _brute(rows, case):
    return any(
        r["pk"] != case["pk"]
        and r["category_id"] == case["category_id"]
        and case["reported_at"] - window() <= r["reported_at"] <= case["reported_at"]
        and same_place(case, r)
        for r in rows
    )


def test_the_index_answers_as_every_pair_would(settings):
    settings.CIVICGRID_PROACTIVE_FIRST_RADIUS_M = 100
    settings.CIVICGRID_PROACTIVE_FIRST_WINDOW_DAYS = 7
    rnd = random.Random(5)
    start = timezone.make_aware(datetime.datetime(2026, 6, 1))
    rows = []
    for pk in range(1500):
        point = rnd.random() > 0.2
        rows.append(
            {
                "pk": pk,
                "category_id": rnd.choice([1, 2, 3]),
                # About 1 km square: many pairs near the 100 m radius and across cells.
                "lon": 121.40 + rnd.random() * 0.01 if point else None,
                "lat": 31.25 + rnd.random() * 0.01 if point else None,
                "micro_grid_id": rnd.choice([None, 10, 11, 12]),
                "reported_at": start + datetime.timedelta(hours=rnd.randrange(0, 24 * 60)),
            }
        )
    index = Earlier(rows)
    answers = [index.any_before(case) for case in rows]
    assert answers == [_brute(rows, case) for case in rows]
    assert 0 < sum(answers) < len(rows)  # both answers occur
