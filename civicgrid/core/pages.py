"""What every app's pages do with a service's answer: its ValidationError next to the form's
fields (`run_form`, `add_service_errors`), or, for a button without a form, as one message at the
top of the next page (`run_action`); the success message otherwise. The services refuse, the
pages only show it, so a refused action reads the same on every page.

It is here, below every app, because the programme apps (emergency, campaigns …) have pages but
sit below the fronts' `web` app; `web.forms` re-exports `add_service_errors`. The API needs none
of this: core.api's exception handler turns the same ValidationError into a 400 and DRF a
PermissionDenied into a 403.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.utils.functional import Promise

# How a page joins several of a service's messages into one line (full-width: the UI's language).
SEPARATOR = "；"


@dataclass(frozen=True)
class Outcome:
    """Whether the page's action went through, and what the service returned (a service may
    return None, so the page asks `if outcome:`, never `outcome.value is None`)."""

    done: bool
    value: Any = None

    def __bool__(self) -> bool:
        return self.done


def error_messages(error) -> list[str]:
    """Every message of a service's ValidationError (field messages first to last), or the text
    of another refusal (a PermissionDenied's reason)."""
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return [m for msgs in error.message_dict.values() for m in msgs]
        return list(error.messages)
    return [str(error)]


def add_service_errors(form, error: ValidationError, field_map: dict | None = None) -> None:
    """Put a service's ValidationError onto the form: each message next to its field when the
    form has that field (services name fields as the API does; `field_map` renames them, e.g.
    {"reason": "note"}), otherwise at the top of the form. The form keeps what was typed."""
    field_map = field_map or {}
    if hasattr(error, "error_dict"):
        for name, problems in error.message_dict.items():
            target = field_map.get(name, name)
            for message in problems:
                form.add_error(target if target in form.fields else None, message)
    else:
        for message in error.messages:
            form.add_error(None, message)


def run_form(form, call: Callable[[dict], Any], field_map: dict | None = None) -> Outcome:
    """The form checked, its cleaned data handed to the service (`call`); the service's
    ValidationError put next to the fields. Not done when the form or the service refused."""
    if not form.is_valid():
        return Outcome(False)
    try:
        value = call(form.cleaned_data)
    except ValidationError as error:
        add_service_errors(form, error, field_map)
        return Outcome(False)
    return Outcome(True, value)


def run_action(
    request,
    call: Callable[[], Any],
    success=None,
    *,
    refused: tuple[type[Exception], ...] = (ValidationError,),
) -> Outcome:
    """A button's action (`call`, the service) run for the page: a refusal of the kinds in
    `refused` becomes one error message for the next page (anything else, a PermissionDenied by
    default, goes on to the 403 page); else `success` — a text, or a function of what the
    service returned that makes it — becomes the success message. The page then redirects."""
    try:
        value = call()
    except refused as error:
        messages.error(request, SEPARATOR.join(error_messages(error)))
        return Outcome(False)
    if success is not None:
        text = success if isinstance(success, str | Promise) else success(value)
        messages.success(request, text)
    return Outcome(True, value)
