"""What the console does on a POST: one entry per action of the loop, each calling the same
cases.services function (with the same arguments) as the API in cases/api/views.py.

Things the API does in separate calls are done here in one transaction, so that a page never
half-saves: the handler's feedback with its after-photos, a failed verification with its photos,
and a bulk dispatch (all cases or none).

Which buttons a user gets on a case page is `available_actions`: the workflow table for the
case's state and the user's role (cases.workflow.allowed_actions) narrowed by the row rule
(cases.permissions.may_act_on) and by what the case holds right now (an extension waiting for a
decision, an open call-in, a rating already given). Read-only roles get none; the services still
check everything again when the form is posted.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.attachments.choices import AttachmentKind
from civicgrid.attachments.services import last_event, step_with_photos
from civicgrid.cases import services
from civicgrid.cases.choices import CaseAction as A
from civicgrid.cases.choices import CaseStatus
from civicgrid.cases.models import Case
from civicgrid.cases.permissions import may_act_on, scope_cases
from civicgrid.cases.workflow import allowed_actions
from civicgrid.console import forms as f


def _master(user, number):
    """The master case of a merge, looked up in the user's scope (as the API does)."""
    number = (number or "").strip()
    if not number:
        raise ValidationError({"master": _("请填写主案件编号")})
    master = scope_cases(Case.objects.all(), user).filter(number=number).first()
    if master is None:
        raise ValidationError({"master": _("主案件“%(n)s”不存在") % {"n": number}})
    return master


def _with_photos(step, action, case, user, photos, kind) -> Case:
    """One step of the loop and its photos, linked to the step's history row — all or nothing
    (attachments.step_with_photos; its photo errors are on "file", shown on the photos field)."""

    def run():
        done = step()
        return done, last_event(done, action)

    return step_with_photos(user, run, photos, kind, field="file")


def handle_with_photos(case, user, *, result, photos=()) -> Case:
    """处置反馈 with its 处置后 photos."""
    return _with_photos(
        lambda: services.do_handle(case, user, result=result),
        A.HANDLE,
        case,
        user,
        photos,
        AttachmentKind.AFTER,
    )


def verify_fail_with_photos(case, user, *, reason, photos=()) -> Case:
    """核查不通过 (返工) with photos of what is still wrong (kind 其他, as the grid pages do)."""
    return _with_photos(
        lambda: services.do_verify_fail(case, user, reason=reason),
        A.VERIFY_FAIL,
        case,
        user,
        photos,
        AttachmentKind.OTHER,
    )


def bulk_dispatch(numbers, user, *, department=None, to_grid=False, note="") -> list:
    """Dispatch every case or none: [(number, message)] of those that failed (then nothing was
    dispatched), [] when all went through."""
    found = {c.number: c for c in scope_cases(Case.objects.all(), user).filter(number__in=numbers)}
    failures = []
    with transaction.atomic():
        for number in numbers:
            case = found.get(number)
            if case is None:
                failures.append((number, _("案件不存在或不在您的范围内")))
                continue
            try:
                services.do_dispatch(case, user, department=department, to_grid=to_grid, note=note)
            except services.IllegalTransition as exc:
                failures.append((number, exc.message))
            except (ValidationError, PermissionDenied) as exc:
                failures.append((number, "; ".join(_messages(exc))))
        if failures:
            # Each failed call rolled back its own savepoint; this undoes the ones that worked.
            transaction.set_rollback(True)
    return failures


def _messages(exc) -> list[str]:
    if isinstance(exc, ValidationError):
        return exc.messages
    return [str(exc)]


@dataclass(frozen=True)
class ActionSpec:
    name: str
    form: type
    perform: Callable  # (case, user, cleaned_data) -> None
    done: object  # success message (lazy)
    button: object = None  # button label; default the action's label
    field_map: dict = field(default_factory=dict)
    danger: bool = False

    @property
    def label(self):
        return A(self.name).label

    @property
    def button_label(self):
        return self.button or self.label


ACTIONS = {
    spec.name: spec
    for spec in [
        ActionSpec(
            A.FILE,
            f.FileForm,
            lambda c, u, d: services.do_file(c, u, category=d.get("category"), note=d["note"]),
            gettext_lazy("已立案"),
        ),
        ActionSpec(
            A.REFUSE_FILING,
            f.ReasonForm,
            lambda c, u, d: services.do_refuse_filing(c, u, reason=d["reason"]),
            gettext_lazy("已作不予立案处理"),
            danger=True,
        ),
        ActionSpec(
            A.DISPATCH,
            f.DispatchForm,
            lambda c, u, d: services.do_dispatch(
                c, u, department=d.get("department"), to_grid=d["to_grid"], note=d["note"]
            ),
            gettext_lazy("已派遣"),
        ),
        ActionSpec(
            A.ACCEPT,
            f.NoteForm,
            lambda c, u, d: services.do_accept(c, u, note=d["note"]),
            gettext_lazy("已接单,案件处置中"),
        ),
        ActionSpec(
            A.RETURN,
            f.ReasonForm,
            lambda c, u, d: services.do_return(c, u, reason=d["reason"]),
            gettext_lazy("已退回城运中心"),
            danger=True,
        ),
        ActionSpec(
            A.HANDLE,
            f.HandleForm,
            lambda c, u, d: handle_with_photos(c, u, result=d["result"], photos=d["photos"]),
            gettext_lazy("处置结果已反馈,等待核查"),
            field_map={"file": "photos"},
        ),
        ActionSpec(
            A.VERIFY_PASS,
            f.NoteForm,
            lambda c, u, d: services.do_verify_pass(c, u, note=d["note"]),
            gettext_lazy("核查通过,已结案"),
        ),
        ActionSpec(
            A.VERIFY_FAIL,
            f.ReworkForm,
            lambda c, u, d: verify_fail_with_photos(c, u, reason=d["reason"], photos=d["photos"]),
            gettext_lazy("核查不通过,已返工"),
            field_map={"file": "photos"},
            danger=True,
        ),
        ActionSpec(
            A.RATE,
            f.RateForm,
            lambda c, u, d: services.do_rate(c, u, rating=d["rating"], comment=d["comment"]),
            gettext_lazy("评价已记录"),
        ),
        ActionSpec(
            A.REQUEST_EXTENSION,
            f.ExtensionRequestForm,
            lambda c, u, d: services.do_request_extension(c, u, days=d["days"], reason=d["reason"]),
            gettext_lazy("延期申请已提交,等待城运中心审批"),
        ),
        ActionSpec(
            A.DECIDE_EXTENSION,
            f.DecideExtensionForm,
            lambda c, u, d: services.do_decide_extension(
                c, u, extension=d["extension"], approve=d["decision"] == "approve", note=d["note"]
            ),
            gettext_lazy("延期申请已审批"),
            field_map={"extension": NON_FIELD_ERRORS},  # a hidden field: shown above the form
        ),
        ActionSpec(
            A.LOCATE,
            f.LocateForm,
            lambda c, u, d: services.do_locate(
                c, u, lon=d.get("lon"), lat=d.get("lat"), note=d["note"]
            ),
            gettext_lazy("位置已更新,案件已归入所在微网格"),
        ),
        ActionSpec(
            A.SUSPEND,
            f.ReasonForm,
            lambda c, u, d: services.do_suspend(c, u, reason=d["reason"]),
            gettext_lazy("案件已挂起,时限暂停计算"),
        ),
        ActionSpec(
            A.RESUME,
            f.NoteForm,
            lambda c, u, d: services.do_resume(c, u, note=d["note"]),
            gettext_lazy("案件已恢复,时限已顺延"),
        ),
        ActionSpec(
            A.MERGE,
            f.MergeForm,
            lambda c, u, d: services.do_merge(c, u, master=_master(u, d["master"]), note=d["note"]),
            gettext_lazy("已合并到主案件"),
            danger=True,
        ),
        ActionSpec(
            A.START_CALL_IN,
            f.CallInForm,
            lambda c, u, d: services.do_start_call_in(
                c,
                u,
                reason=d["reason"],
                departments=list(d["departments"]),
                meeting_at=d.get("meeting_at"),
            ),
            gettext_lazy("基层约请已发起"),
        ),
        ActionSpec(
            A.RECORD_CALL_IN_OUTCOME,
            f.CallInOutcomeForm,
            lambda c, u, d: services.do_record_call_in_outcome(
                c, u, call_in=d["call_in"], outcome=d["outcome"], meeting_at=d.get("meeting_at")
            ),
            gettext_lazy("约请结果已记录"),
            button=gettext_lazy("记录约请结果"),
            field_map={"call_in": NON_FIELD_ERRORS},
        ),
    ]
}


def available_actions(case, user, *, pending_extension=None, open_call_in=None) -> list[str]:
    """Names of the actions this user may take on this case now (see the module docstring)."""
    if not user.is_authenticated or user.is_read_only:
        return []
    names = allowed_actions(case.status, user.effective_role, suspended=case.is_suspended)
    hide = set()
    if pending_extension is None:
        hide.add(A.DECIDE_EXTENSION)
    else:
        hide.add(A.REQUEST_EXTENSION)
    if open_call_in is None:
        hide.add(A.RECORD_CALL_IN_OUTCOME)
    else:
        hide.add(A.START_CALL_IN)
    if case.status == CaseStatus.CLOSED and case.rating:
        hide.add(A.RATE)
    return [
        name
        for name in names
        if name in ACTIONS and name not in hide and may_act_on(user, case, name)
    ]
