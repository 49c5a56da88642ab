"""What can happen to a case: the actions a user may take on it now, and each action described
once.

`available_actions(user, case)` is the one answer to "which buttons does this user get on this
case": the API's `allowed_actions`, the console's case page and the grid workers' phone pages
all ask it. It is the transition table for the case's state and the user's role
(cases.workflow.allowed_actions), narrowed by the row rule for this case, 管监分离 included
(cases.permissions.may_act_on), and by what the case holds right now: an extension waiting for
a decision (only then decide_extension, and no second request), an open call-in (only then
record its outcome, and no second one), a rating already given (no rate). Read-only roles get
none. The services check everything again when the action is taken.

`ACTIONS` describes the actions a user takes on a case — the service function, the input it
takes (the names of the service's keyword arguments; the API's body serializer and the
console's form carry exactly these), whether photos come with it, the success message and the
URL segment — and both the API's action endpoints (cases.api.views) and the console's ACTIONS
(console.services) are built from it.
"""

import functools
import inspect
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from civicgrid.cases import services
from civicgrid.cases.choices import CallInStatus, CaseStatus, ExtensionStatus
from civicgrid.cases.choices import CaseAction as A
from civicgrid.cases.permissions import may_act_on
from civicgrid.cases.services.contact import has_caller
from civicgrid.cases.services.hotline import is_hotline_ticket, needs_complex_approval
from civicgrid.cases.workflow import allowed_actions

# "Look it up on the case" (the default of available_actions' keyword arguments).
UNKNOWN = object()


@dataclass(frozen=True)
class Action:
    """One action a user takes on a case (see the module docstring)."""

    name: str  # the CaseAction value
    service: Callable  # services.do_*(case, user, **kwargs) -> services.Done
    fields: tuple[str, ...]  # the service's keyword arguments read from the input
    done: Promise  # success message
    photos: bool = False  # whether photos may come with it (input "photos")
    url_path: str = ""  # the API's /api/cases/{number}/{url_path}/ (default: name with dashes)
    api_name: str = ""  # the API viewset's method (default: name)
    button: Promise | None = None  # the console's button (default: the label)
    danger: bool = False  # the console shows it as a destructive action

    @property
    def label(self):
        return A(self.name).label

    @property
    def button_label(self):
        return self.button or self.label

    @property
    def path(self) -> str:
        return self.url_path or self.name.replace("_", "-")

    @property
    def method_name(self) -> str:
        return self.api_name or self.name

    def perform(self, case, user, data: dict) -> services.Done:
        """Call the service with the fields of `data` — an absent one keeps the service's
        default, or is None when the service has none (it then refuses with its own message) —
        and, for an action that takes them, data["photos"]."""
        required = _required_arguments(self.service)
        kwargs = {name: data.get(name) for name in self.fields if name in data or name in required}
        if self.photos and data.get("photos"):
            kwargs["photos"] = data["photos"]
        return self.service(case, user, **kwargs)


@functools.cache
def _required_arguments(service) -> frozenset:
    return frozenset(
        name
        for name, parameter in inspect.signature(service).parameters.items()
        if parameter.default is inspect.Parameter.empty
    )


ACTIONS: dict[str, Action] = {
    action.name: action
    for action in [
        Action(A.FILE, services.do_file, ("category", "note"), _("已立案")),
        Action(
            A.REFUSE_FILING,
            services.do_refuse_filing,
            ("reason",),
            _("已作不予立案处理"),
            danger=True,
        ),
        # Not "dispatch" in the API: that name is APIView's request entry point.
        Action(
            A.DISPATCH,
            services.do_dispatch,
            ("department", "to_grid", "co_departments", "note"),
            _("已派遣"),
            api_name="dispatch_case",
        ),
        Action(
            A.REDISPATCH,
            services.do_redispatch,
            ("department", "co_departments", "reason"),
            _("已改派，原处置部门和新处置部门均已收到通知"),
        ),
        Action(
            A.RECALL,
            services.do_recall,
            ("reason",),
            _("已撤回，案件回到待派遣"),
            danger=True,
        ),
        Action(A.HURRY, services.do_hurry, ("note",), _("已催办，处置方已收到提醒")),
        Action(
            A.CO_FEEDBACK,
            services.do_co_feedback,
            ("feedback",),
            _("协办反馈已提交，主办部门可在案件页查看"),
            photos=True,
            url_path="co-feedback",
        ),
        Action(A.ACCEPT, services.do_accept, ("note",), _("已接单，案件处置中")),
        Action(
            A.RETURN,
            services.do_return,
            ("reason",),
            _("已退回城运中心"),
            api_name="return_case",
            danger=True,
        ),
        Action(
            A.HANDLE,
            services.do_handle,
            ("result", "mediation_outcome"),
            _("处置结果已反馈，等待核查"),
            photos=True,
        ),
        Action(A.VERIFY_PASS, services.do_verify_pass, ("resolved", "note"), _("核查通过，已结案")),
        Action(
            A.VERIFY_FAIL,
            services.do_verify_fail,
            ("reason",),
            _("核查不通过，已返工"),
            photos=True,
            danger=True,
        ),
        Action(A.RATE, services.do_rate, ("rating", "comment", "resolved"), _("评价已记录")),
        Action(
            A.REQUEST_EXTENSION,
            services.do_request_extension,
            ("days", "reason"),
            _("延期申请已提交，等待城运中心审批"),
        ),
        Action(
            A.DECIDE_EXTENSION,
            services.do_decide_extension,
            ("extension", "approve", "note"),
            _("延期申请已审批"),
        ),
        Action(
            A.LOCATE,
            services.do_locate,
            ("lon", "lat", "note"),
            _("位置已更新，案件已归入所在微网格"),
        ),
        Action(A.SUSPEND, services.do_suspend, ("reason",), _("案件已挂起，时限暂停计算")),
        Action(A.RESUME, services.do_resume, ("note",), _("案件已恢复，时限已顺延")),
        # The master is a case number the user must see (services.do_merge checks the scope).
        Action(
            A.MERGE,
            services.do_merge,
            ("master", "note"),
            _("已合并到主案件"),
            danger=True,
        ),
        Action(
            A.UNMERGE,
            services.do_unmerge,
            ("reason",),
            _("已取消合并，案件恢复办理"),
            danger=True,
        ),
        Action(
            A.SEND_BACK,
            services.do_send_back,
            ("reason",),
            _("已退单，12345热线将重新派单"),
            url_path="send-back",
            danger=True,
        ),
        Action(
            A.FIRST_CONTACT,
            services.do_first_contact,
            ("note",),
            _("先行联系已登记"),
        ),
        Action(
            A.APPROVE_COMPLEX_LIMIT,
            services.do_approve_complex_limit,
            ("note",),
            _("已批准按复杂件办理，处置期限为15个工作日"),
            url_path="approve-complex-limit",
        ),
        Action(
            A.START_CALL_IN,
            services.do_start_call_in,
            ("reason", "departments", "meeting_at"),
            _("基层约请已发起"),
            url_path="call-in",
            api_name="call_in",
        ),
        Action(
            A.RECORD_CALL_IN_OUTCOME,
            services.do_record_call_in_outcome,
            ("call_in", "outcome", "meeting_at"),
            _("约请结果已记录"),
            url_path="call-in-outcome",
            api_name="call_in_outcome",
            button=_("记录约请结果"),
        ),
    ]
}


def _prefetched(case, name):
    """The case's related rows when they were prefetched (the API detail, the console page)."""
    return getattr(case, "_prefetched_objects_cache", {}).get(name)


def pending_extension_of(case):
    """The extension request of `case` waiting for a decision, or None."""
    rows = _prefetched(case, "extensions")
    if rows is not None:
        return next((e for e in rows if e.status == ExtensionStatus.PENDING), None)
    return case.extensions.filter(status=ExtensionStatus.PENDING).first()


def open_call_in_of(case):
    """The open call-in of `case`, or None."""
    rows = _prefetched(case, "call_ins")
    if rows is not None:
        return next((c for c in rows if c.status == CallInStatus.OPEN), None)
    return case.call_ins.filter(status=CallInStatus.OPEN).first()


def available_actions(user, case, *, pending_extension=UNKNOWN, open_call_in=UNKNOWN) -> list[str]:
    """Names of the actions `user` may take on `case` now, in the table's order (see the module
    docstring). Pass what the caller already holds (the pending extension, the open call-in, or
    None for none); otherwise it is read from the case — from prefetched rows when there are,
    and only when an action depending on it is in question."""
    if user is None or not user.is_authenticated or user.is_read_only:
        return []
    names = [
        name
        for name in allowed_actions(case.status, user.effective_role, suspended=case.is_suspended)
        if name in ACTIONS
        and not (name == A.RATE and case.status == CaseStatus.CLOSED and case.rating)
    ]
    names = [name for name in names if may_act_on(user, case, name)]
    if A.SEND_BACK in names and not is_hotline_ticket(case):
        names.remove(A.SEND_BACK)
    if A.FIRST_CONTACT in names and (case.first_contact_at is not None or not has_caller(case)):
        names.remove(A.FIRST_CONTACT)
    if A.APPROVE_COMPLEX_LIMIT in names and not needs_complex_approval(case):
        names.remove(A.APPROVE_COMPLEX_LIMIT)
    if A.HURRY in names and not services.hurry_level(case):
        names.remove(A.HURRY)  # far from its deadline
    if A.HANDLE in names and services.open_co_handlings(case):
        names.remove(A.HANDLE)  # the co-handlers' feedback first (协办)
    hide = set()
    if {A.REQUEST_EXTENSION, A.DECIDE_EXTENSION} & set(names):
        if pending_extension is UNKNOWN:
            pending_extension = pending_extension_of(case)
        hide.add(A.DECIDE_EXTENSION if pending_extension is None else A.REQUEST_EXTENSION)
    if {A.START_CALL_IN, A.RECORD_CALL_IN_OUTCOME} & set(names):
        if open_call_in is UNKNOWN:
            open_call_in = open_call_in_of(case)
        hide.add(A.RECORD_CALL_IN_OUTCOME if open_call_in is None else A.START_CALL_IN)
    return [name for name in names if name not in hide]
