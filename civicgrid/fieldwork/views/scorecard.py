"""The 六个到位 monthly scorecard (/m/scorecard/?month=YYYY-MM): a grid leader and 居委 staff see
the workers of their micro-grids, a grid worker their own card. Reads fieldwork.scorecard."""

from django.shortcuts import render
from django.utils import timezone

from civicgrid.fieldwork import scorecard as cards
from civicgrid.fieldwork.views.common import field_staff


@field_staff
def scorecard(request):
    now = timezone.now()
    first, error = cards.parse_month(request.GET.get("month", ""), timezone.localdate(now))
    context = {"month": first, "error": error, "raw_month": request.GET.get("month", "")}
    if not error:
        context["report"] = cards.scorecard(request.user, first, now=now)
    return render(request, "fieldwork/scorecard.html", context, status=400 if error else 200)
