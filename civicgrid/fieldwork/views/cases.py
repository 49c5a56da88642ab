"""My grids and tasks, and the case page with the grid's actions (接单, 处置反馈 with photos,
核查 with a photo); which buttons show is cases.actions.available_actions."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.attachments.models import Attachment
from civicgrid.cases import services as cases
from civicgrid.cases.actions import available_actions
from civicgrid.cases.choices import CaseAction, CaseStatus
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.cases.permissions import scope_cases
from civicgrid.fieldwork import services
from civicgrid.fieldwork.choices import PatrolStatus
from civicgrid.fieldwork.forms import (
    AcceptForm,
    HandleForm,
    VerifyForm,
)
from civicgrid.fieldwork.models import Patrol
from civicgrid.fieldwork.views.common import LIST_LIMIT, field_staff, grid_shapes, my_grids
from civicgrid.grids.services import STAFFING_MEANING
from civicgrid.web.forms import add_service_errors

# --- my grids and my tasks -----------------------------------------------------------------------


@field_staff
def home(request):
    user = request.user
    grids = my_grids(user)
    grid_ids = [g.pk for g in grids]
    in_grids = Case.objects.filter(micro_grid_id__in=grid_ids).select_related(
        "category", "micro_grid"
    )
    tasks = list(
        in_grids.filter(
            handled_by_grid=True, status__in=[CaseStatus.DISPATCHED, CaseStatus.ACCEPTED]
        ).order_by("handling_deadline", "id")[:LIST_LIMIT]
    )
    # 管监分离: what the worker handled themselves is checked by someone else.
    to_verify = list(
        in_grids.filter(status=CaseStatus.HANDLED)
        .exclude(
            pk__in=CaseEvent.objects.filter(action=CaseAction.HANDLE, actor=user).values("case")
        )
        .order_by("handled_at", "id")[:LIST_LIMIT]
    )
    running = (
        Patrol.objects.filter(worker=user, status=PatrolStatus.RUNNING)
        .select_related("micro_grid")
        .first()
    )
    return render(
        request,
        "fieldwork/home.html",
        {
            "grids": grids,
            "tasks": tasks,
            "to_verify": to_verify,
            "running": running,
            "staffing_meaning": STAFFING_MEANING,
        },
    )


@field_staff
def waiting(request):
    """The reports of my grids still waiting for 立案 at the 城运中心, the oldest first: what the
    grid has reported (and residents have), so the worker can answer "has anyone seen it?"."""
    user = request.user
    waiting_cases = (
        scope_cases(Case.objects.all(), user)
        .filter(
            micro_grid__in=services.my_micro_grids(user).values("pk"),
            status=CaseStatus.REPORTED,
        )
        .select_related("category", "micro_grid")
        .order_by("reported_at", "id")
    )
    page = Paginator(waiting_cases, 20).get_page(request.GET.get("page"))
    return render(request, "fieldwork/waiting.html", {"page_obj": page})


# --- the case page and its actions ---------------------------------------------------------------


def _visible_case(request, number) -> Case:
    case = get_object_or_404(
        Case.objects.select_related("category", "micro_grid", "assigned_department"),
        number=number,
    )
    # Outside the user's grids a case does not exist for them: the same 404 as on the console,
    # the API and the residents' pages (a 403 would tell that the number is in use).
    if not scope_cases(Case.objects.filter(pk=case.pk), request.user).exists():
        raise Http404
    return case


def _render_case(request, case, *, forms=None, status=200):
    forms = forms or {}
    actions = available_actions(request.user, case)
    events = list(CaseEvent.objects.filter(case=case).select_related("actor").order_by("at", "id"))
    photos = list(Attachment.objects.filter(case=case).order_by("uploaded_at", "id"))
    context = {
        "case": case,
        "events": events,
        "photos": photos,
        "may_accept": CaseAction.ACCEPT in actions,
        "may_handle": CaseAction.HANDLE in actions,
        "may_verify": CaseAction.VERIFY_PASS in actions,
        "accept_form": forms.get("accept") or AcceptForm(),
        "handle_form": forms.get("handle") or HandleForm(),
        "verify_form": forms.get("verify") or VerifyForm(),
        "shapes": grid_shapes([case.micro_grid]) if case.micro_grid_id else None,
    }
    return render(request, "fieldwork/case.html", context, status=status)


@field_staff
def case_detail(request, number):
    return _render_case(request, _visible_case(request, number))


def _case_step(request, case, run, success, form_key, form, field_map=None):
    """Run one case step: PRG on success; IllegalTransition → message; bad input → the page
    again with the form and its errors."""
    if not form.is_valid():
        return _render_case(request, case, forms={form_key: form}, status=400)
    try:
        run(form.cleaned_data)
    except cases.IllegalTransition as exc:
        messages.error(request, exc.message)
        return redirect("fieldwork:case", number=case.number)
    except PermissionDenied as exc:
        # Refused for this user (another unit's case, 管监分离): the page again, with the reason.
        messages.error(request, str(exc))
        return _render_case(request, case, status=403)
    except ValidationError as exc:
        add_service_errors(form, exc, field_map)
        return _render_case(request, case, forms={form_key: form}, status=400)
    messages.success(request, success)
    if not scope_cases(Case.objects.filter(pk=case.pk), request.user).exists():
        # The step took the case out of the user's grids: back to their tasks, with the message.
        return redirect("fieldwork:home")
    return redirect("fieldwork:case", number=case.number)


@require_POST
@field_staff
def case_accept(request, number):
    case = _visible_case(request, number)
    form = AcceptForm(request.POST)
    return _case_step(
        request,
        case,
        lambda data: cases.do_accept(case, request.user, note=data["note"]),
        _("已接单，请尽快处置"),
        "accept",
        form,
    )


@require_POST
@field_staff
def case_handle(request, number):
    case = _visible_case(request, number)
    form = HandleForm(request.POST, request.FILES)
    return _case_step(
        request,
        case,
        lambda data: cases.do_handle(
            case, request.user, result=data["result"], photos=data["photos"]
        ),
        _("处置结果已提交，等待核查"),
        "handle",
        form,
    )


@require_POST
@field_staff
def case_verify(request, number):
    case = _visible_case(request, number)
    form = VerifyForm(request.POST, request.FILES)

    def run(data):
        photos = [data["photo"]] if data["photo"] else []
        if data["decision"] == VerifyForm.PASS:
            cases.do_verify_pass(case, request.user, note=data["note"], photos=photos)
        else:
            cases.do_verify_fail(case, request.user, reason=data["note"], photos=photos)

    decision = request.POST.get("decision")
    return _case_step(
        request,
        case,
        run,
        _("核查通过，案件已结案") if decision == VerifyForm.PASS else _("已退回返工"),
        "verify",
        form,
        {"reason": "note", "photos": "photo"},
    )
