"""The desk's side of smart dispatch on the console's case page: the suggestion panel (its
context, `panel`) and the one-click acceptance or correction (`accept`). The console includes
the panel (dispatch/_suggestion.html); dispatch may not import the fronts, the fronts import it."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import DISPATCH_ROLES
from civicgrid.cases import services as case_services
from civicgrid.cases.choices import CaseStatus
from civicgrid.cases.models import Case
from civicgrid.cases.permissions import scope_cases
from civicgrid.dispatch import services
from civicgrid.dispatch.choices import Outcome
from civicgrid.dispatch.models import Suggestion


def panel(user, case) -> Suggestion | None:
    """The suggestion the case page shows: a report still waiting for 立案, a desk role, and a
    suggestion not yet decided (one query; none for other cases and roles)."""
    if case.status != CaseStatus.REPORTED or user.effective_role not in DISPATCH_ROLES:
        return None
    if user.is_read_only:
        return None
    return (
        Suggestion.objects.filter(case=case, outcome=Outcome.PENDING)
        .select_related("category", "department")
        .first()
    )


@require_POST
@role_required(*DISPATCH_ROLES)
def accept(request, number):
    """采纳 (no category posted) or 更正 (an alternative's category): 立案 and 派遣 in one step."""
    case = get_object_or_404(scope_cases(Case.objects.all(), request.user), number=number)
    case_url = reverse("console:case", args=[case.number])
    category = request.POST.get("category") or None
    try:
        done = services.do_accept(case, request.user, category=category)
    except case_services.IllegalTransition as exc:
        messages.error(request, exc.message)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        department = done.case.assigned_department
        messages.success(
            request,
            _("%(n)s：已按“%(c)s”立案并派遣至%(d)s")
            % {
                "n": case.number,
                "c": done.case.category.name,
                "d": department.name if department else _("网格"),
            },
        )
    return redirect(case_url)
