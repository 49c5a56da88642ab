"""The dashboard's background task (django-tasks): stale figures recomputed off the request path
(dashboard.shared), on whichever node's worker takes it."""

import datetime

from django.contrib.auth import get_user_model
from django_tasks import task

from civicgrid.dashboard import shared


@task()
def refresh_figures_task(
    kind: str,
    user_id: int | None,
    code: str | None,
    first: str,
    last: str,
    language: str,
    name: str,
) -> str:
    """One bundle's figures recomputed into the shared cache (see shared.refresh)."""
    user = None
    if user_id is not None:
        user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
        if user is None:
            shared.cache.delete(name + ":lock")
            return "gone"
    return shared.refresh(
        kind,
        user,
        code,
        datetime.date.fromisoformat(first),
        datetime.date.fromisoformat(last),
        language,
        name,
    )
