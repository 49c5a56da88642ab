"""Anomalies (异常): a day whose count of one category in one micro-grid is far above the same
weekday of the four weeks before.

For day D, micro-grid g and category c: x = the cases of c in g reported on D; the baseline is
the counts of c in g on D−7, D−14, D−21 and D−28 (a day without cases counts 0), its mean m and
(population) standard deviation s. D is an anomaly when

    x ≥ CIVICGRID_PROACTIVE_ANOMALY_MIN (3)  and  x > m + CIVICGRID_PROACTIVE_ANOMALY_K (3) × max(s, 1)

(max(s, 1): four quiet weeks have s = 0, and one case more than usual is no alarm). Each anomaly
is stored once and its grid leaders (网格长 posted on the micro-grid) are warned through the
outbox and their notification centre; a micro-grid without a grid leader warns the 城运中心's
operators.
"""

import datetime
import math
from collections import Counter

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.accounts.models import User
from civicgrid.accounts.policy import GRID_STAFF_ROLES
from civicgrid.cases import notifications
from civicgrid.cases.models import Case, Category
from civicgrid.grids.choices import PostRole
from civicgrid.grids.models import Grid
from civicgrid.messaging.messages import Message, Recipient
from civicgrid.proactive.hotspots import NOT_COUNTED
from civicgrid.proactive.models import Anomaly

BASELINE_WEEKS = 4


def _aware(day):
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def baseline_days(day: datetime.date) -> list[datetime.date]:
    return [day - datetime.timedelta(days=7 * k) for k in range(1, BASELINE_WEEKS + 1)]


def threshold(counts: list[int]) -> tuple[float, float]:
    """(mean, threshold) of the baseline counts (the module's rule)."""
    mean = sum(counts) / len(counts)
    sd = math.sqrt(sum((c - mean) ** 2 for c in counts) / len(counts))
    return mean, mean + settings.CIVICGRID_PROACTIVE_ANOMALY_K * max(sd, 1.0)


def find(day: datetime.date) -> list[dict]:
    """The anomalies of `day` (not stored): [{micro_grid_id, category_id, count, baseline,
    threshold}]."""
    days = [day, *baseline_days(day)]
    counts: Counter = Counter()
    for d in days:
        rows = (
            Case.objects.filter(
                reported_at__gte=_aware(d),
                reported_at__lt=_aware(d + datetime.timedelta(days=1)),
                micro_grid__isnull=False,
            )
            .exclude(status__in=NOT_COUNTED)
            .values_list("micro_grid_id", "category_id")
        )
        for grid_id, category_id in rows:
            counts[(d, grid_id, category_id)] += 1
    out = []
    for (d, grid_id, category_id), n in counts.items():
        if d != day or n < settings.CIVICGRID_PROACTIVE_ANOMALY_MIN:
            continue
        base = [counts.get((b, grid_id, category_id), 0) for b in days[1:]]
        mean, limit = threshold(base)
        if n > limit:
            out.append(
                {
                    "micro_grid_id": grid_id,
                    "category_id": category_id,
                    "count": n,
                    "baseline": round(mean, 2),
                    "threshold": round(limit, 2),
                }
            )
    return sorted(out, key=lambda a: (a["micro_grid_id"], a["category_id"]))


def do_detect_anomalies(day: datetime.date, *, now=None) -> list[Anomaly]:
    """Store the new anomalies of `day` and warn the grid leaders (once per anomaly)."""
    now = now or timezone.now()
    created = []
    with transaction.atomic():
        for found in find(day):
            anomaly, new = Anomaly.objects.get_or_create(
                day=day,
                micro_grid_id=found["micro_grid_id"],
                category_id=found["category_id"],
                defaults={
                    "count": found["count"],
                    "baseline": found["baseline"],
                    "threshold": found["threshold"],
                    "warned_at": now,
                },
            )
            if new:
                created.append(anomaly)
                # Through the loop's scheduler: the demo's backdated history mutes it.
                notifications.schedule(_warnings(anomaly), at=now)
    return created


def grid_leaders(micro_grid_id):
    """The active accounts holding a current 网格长 post on the micro-grid."""
    today = timezone.localdate()
    # One filter() call: every condition must hold for the same post.
    return User.objects.filter(
        Q(staff_member__posts__end_date__isnull=True) | Q(staff_member__posts__end_date__gte=today),
        is_active=True,
        role__in=GRID_STAFF_ROLES,
        staff_member__posts__micro_grid_id=micro_grid_id,
        staff_member__posts__role=PostRole.LEADER,
        staff_member__posts__start_date__lte=today,
    ).distinct()


def _warnings(anomaly) -> list[Message]:
    grid = Grid.objects.get(pk=anomaly.micro_grid_id)
    category = Category.objects.get(pk=anomaly.category_id)
    text = _(
        "异常预警：%(grid)s %(day)s “%(category)s”上报 %(n)d 件，前四周同日均值 %(mean)s 件，"
        "请关注并安排巡查。"
    ) % {
        "grid": grid.display_name,
        "day": anomaly.day.strftime("%m月%d日"),
        "category": category.name,
        "n": anomaly.count,
        "mean": f"{anomaly.baseline:g}",
    }
    link = reverse("proactive:anomaly", args=[anomaly.pk])
    leaders = grid_leaders(grid.pk)
    recipients = [
        Recipient(kind="staff", user_id=pk) for pk in leaders.values_list("pk", flat=True)
    ]
    recipients = recipients or [Recipient(kind="operator")]
    data = {"anomaly": anomaly.pk, "micro_grid": grid.pk, "category": category.pk}
    return [
        Message(
            kind="proactive_anomaly", case_number="", recipient=r, text=text, link=link, data=data
        )
        for r in recipients
    ]
