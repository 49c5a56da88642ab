"""先行联系: the first contact with the caller, recorded once while the case is open (cases
raised from outside the street: residents, 12345, Open311, 物业报修).

Who: the street's staff who take up a case — the 城运中心's desk, the 居委 and grid staff of its
micro-grid, the 片区负责人, the department it is dispatched to (accounts.policy
FIRST_CONTACT_ROLES, cases.permissions.may_act_on). On time: within
settings.CIVICGRID_FIRST_CONTACT_HOURS wall-clock hours of the ticket's arrival
(services.clocks.first_contact_deadline); the history row says whether it was.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from civicgrid.cases.choices import CaseAction, CaseSource
from civicgrid.cases.services.checks import (
    Done,
    IllegalTransition,
    _check,
    _lock,
    _required_text,
    _step,
)
from civicgrid.cases.services.clocks import first_contact_deadline

# Channels through which somebody outside the street raised the case: they have a caller to ring
# back. Patrols, visits, departments' and supervisors' own finds have none.
CALLER_SOURCES = frozenset(
    {
        CaseSource.RESIDENT,
        CaseSource.HOTLINE_12345,
        CaseSource.OPEN311,
        CaseSource.PROPERTY_REPAIR,
    }
)


def has_caller(case) -> bool:
    return case.source in CALLER_SOURCES


def do_first_contact(case, user, *, note: str, now=None) -> Done:
    """先行联系: record that the caller was contacted (with what was said) — once per case."""
    note = _required_text(note, "note", _("联系情况"))
    now = now or timezone.now()
    with transaction.atomic():
        case = _lock(case)
        _check(case, CaseAction.FIRST_CONTACT, user)
        if not has_caller(case):
            raise IllegalTransition(
                _("案件%(number)s由%(source)s发现，没有需要先行联系的来电人")
                % {"number": case.number, "source": case.get_source_display()}
            )
        if case.first_contact_at is not None:
            raise IllegalTransition(
                _("案件%(number)s已于%(at)s先行联系，不能重复登记")
                % {
                    "number": case.number,
                    "at": timezone.localtime(case.first_contact_at).strftime("%Y-%m-%d %H:%M"),
                }
            )
        deadline = first_contact_deadline(case)
        case.first_contact_at = now
        case.first_contact_by = user
        case.first_contact_note = note
        event = _step(
            case,
            CaseAction.FIRST_CONTACT,
            user,
            note=note,
            data={"on_time": now <= deadline, "deadline": deadline.isoformat()},
            at=now,
        )
    return Done(case, event)
