"""Every change of a case: one function per action of the loop (see cases.workflow).

Each `do_*` runs in one transaction, locks the case row (select_for_update), checks the
transition table and the actor's role and scope (cases.permissions), writes one immutable
CaseEvent, sets status, timestamps and deadlines, and schedules notifications after commit.
An illegal transition raises IllegalTransition, a role or scope problem PermissionDenied, bad
input ValidationError (field → Chinese message); in every case nothing is written.

`user=None` means a trusted caller (a management command, a data generator).

Deadlines (workcalendar, working days and hours; the conventions are in workcalendar.engine):
- filing (立案+派遣): from the report, the category's filing limit in minutes — wall-clock for
  urgent categories (an emergency does not wait for office hours), working time otherwise;
- handling: from dispatch, the category's handling limit, or for a 12345 ticket with a request
  type the type's limit (咨询/建议 1, 督办 3, 求助/投诉 5, 复杂 15 working days once the
  值班长 approved them — 5 until then);
- 先行联系: CIVICGRID_FIRST_CONTACT_HOURS wall-clock hours from the hotline's dispatch (else the
  report), as the hotline counts them;
- verification (核查): 1 working hour from the handler's feedback.
Suspension stops the running clocks: on resume each pending deadline moves out by the working
time paused before it (wall-clock time for an urgent filing limit).

Every `do_*` takes `now=None` (the moment of the step, default timezone.now(): a data generator
backdates by passing it) and returns a `Done(case, event)`: the case as the step left it and
the history row it wrote (plus `extension` / `call_in` for the steps that create one, and
`photos`). Steps that may carry photos (do_report, do_handle, do_verify_pass, do_verify_fail)
take `photos=()` and store them inside their own transaction (cases.services.photos).

The functions live in one module per topic — checks (the transition table, scope, history
rows, Done), clocks (deadlines and pauses), intake, hotline (退单, the 办结 reply, the 复杂
limit's approval), contact (先行联系), control (改派, 撤回, 催办, 协办, 取消合并, bulk steps), loop (the main steps), side_paths (extension, locate,
suspend/resume, merge, call-in), photos (a step's
photos) and reveal — and are re-exported here, so callers keep `from civicgrid.cases import services`.
"""

from django.core.exceptions import PermissionDenied, ValidationError

from civicgrid.cases.services.checks import (
    MAX_DESCRIPTION,
    MAX_EXTENSION_DAYS,
    MAX_NOTE,
    PHONE_RE,
    SOURCES_BY_ROLE,
    VERIFICATION_LIMIT_HOURS,
    Done,
    IllegalTransition,
)
from civicgrid.cases.services.clocks import (
    filing_deadline,
    first_contact_deadline,
    handling_deadline,
    handling_limit,
    pause_intervals,
)
from civicgrid.cases.services.contact import do_first_contact
from civicgrid.cases.services.control import (
    BulkOutcome,
    bulk,
    do_co_feedback,
    do_hurry,
    do_recall,
    do_redispatch,
    do_unmerge,
    hurry_level,
    open_co_handlings,
)
from civicgrid.cases.services.hotline import do_approve_complex_limit, do_send_back
from civicgrid.cases.services.intake import (
    IdempotencyConflict,
    do_report,
    idempotency_key,
    intake_hotline,
    payload_fingerprint,
    report_once,
)
from civicgrid.cases.services.loop import (
    do_accept,
    do_dispatch,
    do_file,
    do_handle,
    do_rate,
    do_refuse_filing,
    do_return,
    do_verify_fail,
    do_verify_pass,
)
from civicgrid.cases.services.photos import MAX_PHOTOS
from civicgrid.cases.services.reporter import do_add_info, do_withdraw_report
from civicgrid.cases.services.reveal import reveal_reporter_phone
from civicgrid.cases.services.side_paths import (
    do_decide_extension,
    do_locate,
    do_merge,
    do_record_call_in_outcome,
    do_request_extension,
    do_resume,
    do_start_call_in,
    do_suspend,
)

__all__ = [
    "PermissionDenied",
    "ValidationError",
    "IllegalTransition",
    "Done",
    "MAX_PHOTOS",
    "MAX_DESCRIPTION",
    "MAX_NOTE",
    "MAX_EXTENSION_DAYS",
    "VERIFICATION_LIMIT_HOURS",
    "PHONE_RE",
    "SOURCES_BY_ROLE",
    "pause_intervals",
    "filing_deadline",
    "first_contact_deadline",
    "handling_limit",
    "handling_deadline",
    "do_report",
    "intake_hotline",
    "report_once",
    "IdempotencyConflict",
    "idempotency_key",
    "payload_fingerprint",
    "do_file",
    "do_refuse_filing",
    "do_dispatch",
    "do_accept",
    "do_return",
    "do_handle",
    "do_verify_pass",
    "do_verify_fail",
    "do_rate",
    "do_request_extension",
    "do_decide_extension",
    "do_locate",
    "do_suspend",
    "do_resume",
    "do_merge",
    "do_start_call_in",
    "do_record_call_in_outcome",
    "do_send_back",
    "do_first_contact",
    "do_approve_complex_limit",
    "reveal_reporter_phone",
    "do_redispatch",
    "do_recall",
    "do_hurry",
    "hurry_level",
    "do_co_feedback",
    "open_co_handlings",
    "do_unmerge",
    "bulk",
    "BulkOutcome",
    "do_add_info",
    "do_withdraw_report",
]
