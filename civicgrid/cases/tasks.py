"""Background tasks of the case loop (django-tasks; the demo runs the database worker)."""

from django_tasks import task

from civicgrid.cases import warnings


@task()
def scan_case_deadlines_task() -> dict:
    """Recompute the deadline warnings of all open cases (see cases.warnings)."""
    return warnings.scan()
