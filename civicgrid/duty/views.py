"""督办 on the console's case page: the 带班领导 gives one, the handling side answers it.

The case page (console) shows the 督办件 and these forms through duty_tags; the forms post here.
On success: a message and back to the case page (PRG). Refused input: this app's own page with
the form, what was typed and the message next to the field. A wrong state is an error message
with nothing changed; a role or scope problem is the 403 page; a case out of scope is a 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import CONSOLE_CASE_ROLES, SUPERVISE_ROLES
from civicgrid.cases.models import Case
from civicgrid.cases.permissions import scope_cases
from civicgrid.cases.services import IllegalTransition
from civicgrid.core.pages import add_service_errors
from civicgrid.duty import services
from civicgrid.duty.forms import AnswerForm, SuperviseForm
from civicgrid.duty.models import Supervision


def _case(user, number):
    return get_object_or_404(scope_cases(Case.objects.all(), user), number=number)


def _case_url(case) -> str:
    return reverse("console:case", args=[case.number])


@require_http_methods(["GET", "POST"])
@role_required(*SUPERVISE_ROLES)
def supervise(request, number):
    """督办 a case: an instruction and the time by which the handler answers."""
    case = _case(request.user, number)
    form = SuperviseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.do_supervise(
                case, request.user, instruction=data["instruction"], deadline=data["deadline"]
            )
        except IllegalTransition as exc:
            messages.error(request, exc.message)
            return redirect(_case_url(case))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)s：已督办，处置方已收到通知") % {"n": case.number})
            return redirect(_case_url(case))
    context = {
        "case": case,
        "form": form,
        "action": reverse("console:supervise", args=[case.number]),
        "title": _("督办案件"),
        "button": _("督办"),
    }
    return render(request, "duty/form_page.html", context)


@require_http_methods(["GET", "POST"])
@role_required(*CONSOLE_CASE_ROLES)
def answer_supervision(request, number, pk):
    """The handling side (or the 城运中心) answers a 督办 of a case it may see."""
    case = _case(request.user, number)
    supervision = get_object_or_404(Supervision.objects.filter(case=case), pk=pk)
    if request.user.is_read_only or not services.may_answer(request.user, supervision):
        raise PermissionDenied(_("只有案件的处置方或城运中心可以答复督办"))
    form = AnswerForm(request.POST or None, prefix=f"answer-{supervision.pk}")
    if request.method == "POST" and form.is_valid():
        try:
            services.do_answer_supervision(
                supervision, request.user, answer=form.cleaned_data["answer"]
            )
        except IllegalTransition as exc:
            messages.error(request, exc.message)
            return redirect(_case_url(case))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(n)s：督办已答复") % {"n": case.number})
            return redirect(_case_url(case))
    context = {
        "case": case,
        "supervision": supervision,
        "form": form,
        "action": reverse("console:answer-supervision", args=[case.number, supervision.pk]),
        "title": _("答复督办"),
        "button": _("提交答复"),
    }
    return render(request, "duty/form_page.html", context)
