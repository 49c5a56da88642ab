"""The 受理/派遣员's desk: a case registered by hand (来电, 来访, a 12345 ticket typed in), the
queues' bulk 立案 / 不予立案, and the confirmation before a merge.

Every change goes through cases.services: the entry through do_report (the API's intake takes
the same fields), each case of a bulk step through do_file / do_refuse_filing on its own — a case
refused does not undo the others, and the page says which and why.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from civicgrid.accounts.access import role_required
from civicgrid.accounts.policy import APPROVER_ROLES, DISPATCH_ROLES
from civicgrid.attachments.models import Attachment
from civicgrid.cases import services as case_services
from civicgrid.cases.actions import available_actions
from civicgrid.cases.choices import CaseAction, CaseSource
from civicgrid.cases.models import Case
from civicgrid.cases.permissions import scope_cases
from civicgrid.console.forms import BulkFilingForm, CaseEntryForm
from civicgrid.web.forms import add_service_errors


@require_http_methods(["GET", "POST"])
@role_required(*DISPATCH_ROLES)
def new_case(request):
    """登记案件: a call, a visitor at the desk or a 12345 ticket typed in, in one round trip."""
    form = CaseEntryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            done = case_services.do_report(user=request.user, **form.service_arguments())
        except ValidationError as exc:
            add_service_errors(form, exc, CaseEntryForm.FIELD_MAP)
        else:
            messages.success(
                request,
                _("已登记案件%(n)s（%(s)s）")
                % {"n": done.case.number, "s": CaseSource(done.case.source).label},
            )
            return redirect("console:case", number=done.case.number)
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "console/new_case.html", {"form": form}, status=status)


@require_POST
@role_required(*DISPATCH_ROLES)
def bulk_filing(request):
    """立案 or 不予立案 of the cases ticked on 待受理, each through its own service."""
    from civicgrid.console.views import _queue_page, _queue_url

    form = BulkFilingForm(request.POST)
    user = request.user
    if form.is_valid() and form.cleaned_data["decision"] == "refuse":
        if user.effective_role not in APPROVER_ROLES:
            form.add_error(None, _("不予立案须由值班长决定"))
    if not form.is_valid():
        return _queue_page(request, filing_form=form, status=400)
    data = form.cleaned_data
    if data["decision"] == "refuse":

        def step(case):
            return case_services.do_refuse_filing(case, user, reason=data["reason"])

        label = _("已作不予立案处理")
    else:

        def step(case):
            return case_services.do_file(case, user, note=data["reason"])

        label = _("已立案")
    outcome = case_services.bulk(data["cases"], user, step)
    summary = _("%(label)s %(n)s 件") % {"label": label, "n": len(outcome.done)}
    if outcome.failed:
        detail = ";".join(f"{number}:{message}" for number, message in outcome.failed)
        messages.warning(
            request,
            _("%(summary)s，%(m)s 件未处理：%(detail)s")
            % {"summary": summary, "m": len(outcome.failed), "detail": detail},
        )
    else:
        messages.success(request, summary)
    return redirect(_queue_url(request.POST))


def _photos(case_ids):
    by_case = {pk: [] for pk in case_ids}
    for photo in Attachment.objects.filter(case_id__in=case_ids).order_by("uploaded_at", "pk"):
        by_case[photo.case_id].append(photo)
    return by_case


@require_http_methods(["GET"])
@role_required(*APPROVER_ROLES)
def merge_confirm(request, number):
    """合并 asks first: the duplicate and its master side by side (description, place, reporter's
    time, photos), then one POST through the merge action."""
    visible = scope_cases(
        Case.objects.select_related("category", "micro_grid", "micro_grid__parent"), request.user
    ).defer("micro_grid__geometry", "micro_grid__parent__geometry")
    duplicate = get_object_or_404(visible, number=number)
    master_number = (request.GET.get("master") or "").strip()
    master = visible.filter(number=master_number).first() if master_number else None
    error = None
    if master is None:
        error = _("主案件“%(n)s”不存在") % {"n": master_number or "—"}
    elif master.pk == duplicate.pk:
        error = _("不能把案件合并到它自己")
    elif CaseAction.MERGE not in available_actions(request.user, duplicate):
        error = _("案件%(n)s当前状态为“%(s)s”，不能合并") % {
            "n": duplicate.number,
            "s": duplicate.get_status_display(),
        }
    photos = _photos([c.pk for c in (duplicate, master) if c is not None])
    context = {
        "duplicate": duplicate,
        "master": master,
        "duplicate_photos": photos.get(duplicate.pk, []),
        "master_photos": photos.get(master.pk, []) if master else [],
        "note": request.GET.get("note") or _("同一问题重复上报"),
        "error": error,
        "next": request.GET.get("next", ""),
    }
    return render(request, "console/merge_confirm.html", context, status=400 if error else 200)
