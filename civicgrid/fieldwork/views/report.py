"""Reporting a problem from the phone (上报, with photos): one cases.services.do_report."""

import uuid

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicgrid.cases import services as cases
from civicgrid.cases.choices import CaseSource
from civicgrid.cases.models import Case
from civicgrid.fieldwork import services
from civicgrid.fieldwork.forms import (
    ReportForm,
)
from civicgrid.fieldwork.views.common import field_staff, grid_shapes
from civicgrid.grids.models import Grid
from civicgrid.web.forms import add_service_errors

# --- report a problem ----------------------------------------------------------------------------


def _recent_category_ids(user, limit=5):
    ids = []
    for category_id in (
        Case.objects.filter(reporter_user=user)
        .order_by("-reported_at")
        .values_list("category_id", flat=True)[:50]
    ):
        if category_id not in ids:
            ids.append(category_id)
            if len(ids) == limit:
                break
    return ids


def _wants_json(request) -> bool:
    """A report sent by the page's offline queue (fieldwork/offline.js) wants a JSON answer."""
    return request.headers.get("X-Civicgrid-Queue") == "1"


@require_http_methods(["GET", "POST"])
@field_staff
def report(request):
    """上报 from the phone. The page carries a key it generated (client_key): a report kept on
    the phone while offline and sent again — or sent twice on a poor connection — is the same
    case (cases.services.report_once); the queue gets JSON, the page a redirect."""
    user = request.user
    recent = _recent_category_ids(user)
    if request.method == "POST":
        form = ReportForm(request.POST, request.FILES, recent_ids=recent)
        if form.is_valid():
            data = form.cleaned_data
            try:
                case, created = cases.report_once(
                    user=user,
                    client_key=data["client_key"],
                    source=CaseSource.GRID_PATROL,
                    photos=data["photos"],
                    category=data["category"],
                    description=data["description"],
                    address=data["address"],
                    lon=data["lon"] or None,
                    lat=data["lat"] or None,
                )
            except ValidationError as exc:
                add_service_errors(form, exc, {"lon": "address", "lat": "address"})
            else:
                url = reverse("fieldwork:case", args=[case.number])
                messages.success(
                    request, _("已上报，案件编号 %(number)s") % {"number": case.number}
                )
                if _wants_json(request):
                    return JsonResponse(
                        {"number": case.number, "url": url, "created": created},
                        status=201 if created else 200,
                    )
                return redirect(url)
        if _wants_json(request):
            return JsonResponse({"errors": form.errors.get_json_data()}, status=400)
    else:
        form = ReportForm(recent_ids=recent, initial={"client_key": uuid.uuid4()})
    status = 400 if form.is_bound else 200
    shapes = grid_shapes(Grid.objects.filter(pk__in=services.my_micro_grids(user).values("pk")))
    return render(request, "fieldwork/report.html", {"form": form, "shapes": shapes}, status=status)
