"""The 督办 panel of the console's case page: the case's 督办件, the 带班领导's form to give one
and the handler's form to answer an open one (posting to duty.views)."""

from django import template

from civicgrid.accounts.policy import SUPERVISE_ROLES
from civicgrid.duty import services
from civicgrid.duty.choices import SupervisionStatus
from civicgrid.duty.forms import AnswerForm, SuperviseForm

register = template.Library()


@register.inclusion_tag("duty/_supervisions.html", takes_context=True)
def supervisions_panel(context, case):
    user = context["request"].user
    rows = []
    for supervision in case.supervisions.select_related("by", "answered_by"):
        form = None
        if (
            supervision.status == SupervisionStatus.OPEN
            and not user.is_read_only
            and services.may_answer(user, supervision)
        ):
            form = AnswerForm(prefix=f"answer-{supervision.pk}")
        rows.append({"supervision": supervision, "form": form})
    may_supervise = user.effective_role in SUPERVISE_ROLES and case.status in services.SUPERVISABLE
    return {
        "case": case,
        "rows": rows,
        "supervise_form": SuperviseForm() if may_supervise else None,
        "csrf_token": context.get("csrf_token"),
    }
