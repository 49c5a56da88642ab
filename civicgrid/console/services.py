"""What the console does on a POST: one entry per action of the loop, built from the one
description of the actions (cases.actions.ACTIONS: the service function, its input, the success
message) with the console's form for each. The API's action endpoints are built from the same
description (cases/api/views.py).

Photos are part of the step that carries them (the handler's feedback with its after-photos, a
failed verification with its photos: cases.services.photos), so a page never half-saves; a bulk
dispatch is all cases or none.

Which buttons a user gets on a case page is cases.actions.available_actions. Read-only roles get
none; the services still check everything again when the form is posted.
"""

from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from civicgrid.cases import actions as case_actions
from civicgrid.cases import services
from civicgrid.cases.choices import CaseAction as A
from civicgrid.cases.models import Case
from civicgrid.cases.permissions import scope_cases
from civicgrid.console import forms as f


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
class ConsoleAction:
    """An action of cases.actions.ACTIONS with the console's form for it."""

    action: case_actions.Action
    form: type
    # Service field names → form field names, for the service's messages (web.forms).
    field_map: dict = field(default_factory=dict)

    name = property(lambda self: self.action.name)
    label = property(lambda self: self.action.label)
    button_label = property(lambda self: self.action.button_label)
    done = property(lambda self: self.action.done)
    danger = property(lambda self: self.action.danger)

    def perform(self, case, user, data: dict) -> services.Done:
        return self.action.perform(case, user, data)


FORMS = {
    A.FILE: f.FileForm,
    A.REFUSE_FILING: f.ReasonForm,
    A.DISPATCH: f.DispatchForm,
    A.ACCEPT: f.NoteForm,
    A.RETURN: f.ReasonForm,
    A.HANDLE: f.HandleForm,
    A.VERIFY_PASS: f.VerifyPassForm,
    A.VERIFY_FAIL: f.ReworkForm,
    A.RATE: f.RateForm,
    A.REQUEST_EXTENSION: f.ExtensionRequestForm,
    A.DECIDE_EXTENSION: f.DecideExtensionForm,
    A.LOCATE: f.LocateForm,
    A.SUSPEND: f.ReasonForm,
    A.RESUME: f.NoteForm,
    A.MERGE: f.MergeForm,
    A.START_CALL_IN: f.CallInForm,
    A.RECORD_CALL_IN_OUTCOME: f.CallInOutcomeForm,
    A.SEND_BACK: f.ReasonForm,
    A.FIRST_CONTACT: f.FirstContactForm,
    A.APPROVE_COMPLEX_LIMIT: f.NoteForm,
    A.REDISPATCH: f.RedispatchForm,
    A.RECALL: f.ReasonForm,
    A.HURRY: f.NoteForm,
    A.CO_FEEDBACK: f.CoFeedbackForm,
    A.UNMERGE: f.ReasonForm,
}
# Hidden fields: their messages are shown above the form.
FIELD_MAPS = {
    A.DECIDE_EXTENSION: {"extension": NON_FIELD_ERRORS},
    A.RECORD_CALL_IN_OUTCOME: {"call_in": NON_FIELD_ERRORS},
}

ACTIONS = {
    name: ConsoleAction(action, FORMS[name], FIELD_MAPS.get(name, {}))
    for name, action in case_actions.ACTIONS.items()
}
