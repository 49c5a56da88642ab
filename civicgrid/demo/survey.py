"""The demo street's residents' satisfaction survey (居民满意度测评): one street-wide survey for
the last quarter with a few hundred answers spread over the 居村, each 居村 with its own mood so
the leaders' dashboard shows differences.

Everything goes through civicgrid.survey.services (answers as visitors by mobile phone, at
moments inside the survey's period); the same seed gives the same answers.
"""

import datetime
import random
from collections import Counter

from django.db import transaction
from django.utils import timezone

from civicgrid.survey import services
from civicgrid.survey.models import Survey

DEFAULT_ANSWERS = 300
COMMENTS = [
    "希望增加小区停车位",
    "垃圾分类点位整洁多了",
    "楼道堆物清理及时,点赞",
    "希望加装电梯的进度快一点",
    "社区活动丰富,老人很喜欢",
    "晚上广场舞声音有点大",
]


def last_quarter(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The calendar quarter before the one `today` is in: (first day, last day)."""
    first_this = datetime.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    last = first_this - datetime.timedelta(days=1)
    first = datetime.date(last.year, 3 * ((last.month - 1) // 3) + 1, 1)
    return first, last


def build_demo_survey(
    seed: int = 2023, now: datetime.datetime | None = None, answers: int = DEFAULT_ANSWERS
) -> Counter:
    """Returns counts (survey, answer, comment). Running it twice adds nothing."""
    now = now or timezone.now()
    counts = Counter()
    communities = list(services.communities())
    if Survey.objects.exists() or not communities:
        return counts
    rng = random.Random(f"{seed}:survey")
    start, end = last_quarter(timezone.localtime(now).date())
    quarter = (start.month - 1) // 3 + 1
    # A mood per 居村: its mean score (3.2–4.6), so the results differ between them.
    moods = {c.pk: rng.uniform(3.2, 4.6) for c in communities}
    days = (end - start).days + 1
    phones = rng.sample(range(10_000_000, 100_000_000), answers)
    with transaction.atomic():
        survey = services.do_create_survey(
            title=f"{start.year}年第{quarter}季度居民满意度测评", start_date=start, end_date=end
        )
        counts["survey"] += 1
        items = list(survey.items.all())
        for n in range(answers):
            community = communities[rng.randrange(len(communities))]
            mood = moods[community.pk]
            scores = {
                item.pk: min(5, max(1, round(rng.gauss(mood + 0.2 * index - 0.2, 0.8))))
                for index, item in enumerate(items)
            }
            comment = rng.choice(COMMENTS) if rng.random() < 0.15 else ""
            day = start + datetime.timedelta(days=rng.randrange(days))
            at = timezone.make_aware(
                datetime.datetime.combine(
                    day, datetime.time(8 + rng.randrange(13), rng.randrange(60))
                )
            )
            services.do_answer(
                survey,
                scores=scores,
                comment=comment,
                phone=f"{rng.choice(('139', '138', '137', '186', '159'))}{phones[n]}",
                community=community,
                now=at,
            )
            counts["answer"] += 1
            counts["comment"] += bool(comment)
    return counts
