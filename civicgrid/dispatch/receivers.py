"""Smart dispatch listens to the case loop (cases.signals.case_changed) — cases may not import it.

Both receivers act after the commit of the step (transaction.on_commit): a rolled-back report
gets no suggestion, and the intake's and the filing's transactions carry no model work.
"""

from functools import partial

from django.conf import settings
from django.db import transaction

from civicgrid.cases.choices import CaseStatus
from civicgrid.cases.signals import NEW, WATCHED_FIELDS

STATUS = WATCHED_FIELDS.index("status")


def _enqueue_suggestion(case_id: int) -> None:
    from civicgrid.dispatch.services import has_active_model
    from civicgrid.dispatch.tasks import suggest_task

    # No model, no task (a street that has not trained one); the answer is kept per process.
    if has_active_model():
        suggest_task.enqueue(case_id)


def _record_filing(case_id: int) -> None:
    from civicgrid.dispatch.services import record_filing

    record_filing(case_id)


def on_model_changed(sender, using=None, **kwargs):
    # Imported here: the services (numpy, the classifier) load on first use, not at start-up.
    from civicgrid.dispatch.services import forget_active_model

    forget_active_model(using=using)


def on_case_changed(sender, case, before, after, using=None, **kwargs):
    if not settings.CIVICGRID_DISPATCH_SUGGEST:
        return
    if before == NEW:
        if after[STATUS] == CaseStatus.REPORTED:
            transaction.on_commit(partial(_enqueue_suggestion, case.pk), using=using)
    elif before[STATUS] == CaseStatus.REPORTED and after[STATUS] == CaseStatus.FILED:
        transaction.on_commit(partial(_record_filing, case.pk), using=using)
