"""What the case loop tells the rest of the application: `case_changed`.

**The rule.** A case changes only through `cases.services`. Every step that writes a case (the
report, and `_step` for every later action) sends `case_changed` once, inside the step's
transaction, with the case's *state* before and after: the values of `WATCHED_FIELDS`, the
fields that place a case in the loop (status, times, deadlines, grid, category, department,
source, rating, counts, suspension, point). Anything kept in step with the cases — the dashboard's
rollups (dashboard.rollups) — listens to this signal and to nothing else, so a Case read costs
nothing extra and a change nobody announced cannot slip in unnoticed:

- a bulk write of a watched field is refused (`CaseQuerySet.update`/`bulk_update` raise
  `WatchedFieldWrite`); other fields (the warning level, updated_at …) may be updated in bulk;
- a `Case.save()` outside the services, raw SQL or a bulk load announce nothing: after such a
  change run `manage.py rebuild_dashboard_rollups` (the demo builder and imports do).

Receivers: `receiver(sender=Case, case=…, before=(…), after=(…), using="default")`; `before`
is `NEW` (an empty tuple) for a case just reported. A receiver runs inside the transaction: what
it writes commits or rolls back with the step.
"""

from django.db import transaction
from django.dispatch import Signal

WATCHED_FIELDS = (
    "reported_at",
    "filed_at",
    "status",
    "micro_grid_id",
    "category_id",
    "assigned_department_id",
    "source",
    "handled_at",
    "handling_deadline",
    "closed_at",
    "rework_count",
    "extension_count",
    "rating",
    # 满意率 counts every closure's first rating (cases.models.CaseRating), not only the current.
    "rated_closures",
    "satisfied_closures",
    "filing_deadline",
    "verification_deadline",
    "is_suspended",
    # Set on a 12345 ticket: its handling clock is the hotline's (cases.clock.deadline_field).
    "hotline_deadline",
    # 解决率 and 先行联系及时率 (cases.indicators) are kept in the dashboard's rollups too.
    "resolved",
    "first_contact_at",
    "hotline_dispatched_at",
    # The point: proactive's 未诉先办 compares places (人工定位 may move it within a micro-grid).
    "lon",
    "lat",
)
# The same names as the model's fields (a bulk update may name a foreign key either way).
_WATCHED_NAMES = frozenset(WATCHED_FIELDS) | {
    f[: -len("_id")] for f in WATCHED_FIELDS if f.endswith("_id")
}
NEW = ()
# Where remember_stored keeps its note on the instance (not a field: never saved).
_STORED = "_stored_watched_state"

case_changed = Signal()


class WatchedFieldWrite(Exception):
    """A bulk write of fields other parts of the application keep in step with (see the rule)."""


def state(case) -> tuple:
    """The case's watched values, in WATCHED_FIELDS order."""
    return tuple(getattr(case, f) for f in WATCHED_FIELDS)


def remember_stored(case) -> None:
    """Note that the case's row holds its watched values now, for the rest of this transaction:
    the case was just read under its lock, or saved (which locks the row too). `stored_state`
    then answers from the note instead of reading the row again: nothing else can change the
    row before the commit, and the services change watched values only through `_step`, which
    saves them (a bulk write of one is refused)."""
    marker = _transaction_marker(case._state.db)
    if marker is not None:
        case.__dict__[_STORED] = (marker, state(case))


def _transaction_marker(alias):
    """What tells this transaction from any other on the connection: its outermost atomic
    block, and the list of its on-commit hooks, which Django replaces when a transaction ends
    either way (and when a savepoint rolls back, where a note is then merely not used)."""
    connection = transaction.get_connection(alias or "default")
    if not connection.atomic_blocks:
        return None
    return (connection.atomic_blocks[0], connection.run_on_commit)


def stored_state(case, using=None) -> tuple:
    """The watched values of the case's row as the database holds it (NEW if there is none)."""
    noted = case.__dict__.pop(_STORED, None)
    if noted is not None and using in (None, case._state.db):
        marker = _transaction_marker(case._state.db)
        # Only within the transaction that noted it (a decorator's atomic block is one object
        # for every call, so the block alone would not do).
        if marker is not None and all(a is b for a, b in zip(marker, noted[0], strict=True)):
            return noted[1]
    row = (
        type(case)
        ._base_manager.using(using or case._state.db)
        .filter(pk=case.pk)
        .values_list(*WATCHED_FIELDS)
        .first()
    )
    return tuple(row) if row else NEW


def send_case_changed(case, before: tuple, using=None) -> None:
    """Tell the receivers what a step changed (nothing is sent when no watched value moved)."""
    after = state(case)
    if before != after:
        case_changed.send(
            sender=type(case),
            case=case,
            before=before,
            after=after,
            using=using or case._state.db,
        )


def refuse_watched(fields) -> None:
    """Raise WatchedFieldWrite when a bulk write names a watched field."""
    watched = sorted(_WATCHED_NAMES.intersection(fields))
    if watched:
        raise WatchedFieldWrite(
            f"Case fields {', '.join(watched)} change only through cases.services "
            "(cases.signals.case_changed); a bulk write would bypass their receivers."
        )
