"""The 巡块 plan: my rounds of today and the days before (the worker's phone page), and the
patrol coverage per worker, micro-grid and 居村 for a period (the grid leader's and the 居委's
summary). Both read fieldwork.coverage, scoped by coverage.scoped_areas."""

import datetime

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.core.inputs import EARLIEST_DATE, LATEST_DATE, form_date
from civicgrid.fieldwork import coverage
from civicgrid.fieldwork.views.common import field_staff

RECENT_DAYS = 7


def parse_period(query, today: datetime.date) -> tuple[datetime.date, datetime.date, str]:
    """(first, last, error) from ?from=&to= (YYYY-MM-DD); the month so far by default."""
    first, last = today.replace(day=1), today
    for name in ("from", "to"):
        raw = (query.get(name) or "").strip()
        if not raw:
            continue
        value = form_date(raw)
        if value is None or not EARLIEST_DATE <= value <= LATEST_DATE:
            return first, last, _("日期格式应为 YYYY-MM-DD")
        if name == "from":
            first = value
        else:
            last = value
        if name == "from" and not query.get("to"):
            last = max(first, today)
    if last < first:
        return first, last, _("结束日期不能早于开始日期")
    if (last - first).days >= coverage.MAX_PERIOD_DAYS:
        return first, last, _("统计区间不能超过一年")
    return first, last, ""


@field_staff
def patrol_plan(request):
    user = request.user
    now = timezone.now()
    today = timezone.localdate(now)
    areas = coverage.scoped_areas(user).filter(worker=user)
    first = today - datetime.timedelta(days=RECENT_DAYS - 1)
    rounds = coverage.plan(areas, first, today, now=now)
    month = coverage.coverage(areas, today.replace(day=1), today, now=now)
    days = []
    for day in sorted({r.day for r in rounds}, reverse=True):
        days.append({"day": day, "rounds": [r for r in rounds if r.day == day]})
    return render(
        request,
        "fieldwork/patrol_plan.html",
        {
            "today": today,
            "days": days,
            "month": month["total"],
            "has_areas": areas.exists(),
        },
    )


@field_staff
def patrol_coverage(request):
    now = timezone.now()
    first, last, error = parse_period(request.GET, timezone.localdate(now))
    context = {"first": first, "last": last, "error": error}
    if not error:
        context["report"] = coverage.coverage(
            coverage.scoped_areas(request.user), first, last, now=now
        )
    return render(request, "fieldwork/patrol_coverage.html", context, status=400 if error else 200)
