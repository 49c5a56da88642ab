"""Smart dispatch's background tasks (django-tasks): a report's suggestion after its commit, so
the intake never waits for the model, and a training started from the admin."""

from django_tasks import task

from civicgrid.dispatch import services
from civicgrid.dispatch.choices import Trigger


@task()
def suggest_task(case_id: int) -> int | None:
    """The suggestion (and any auto-dispatch) of one reported case; repeated runs write once."""
    suggestion = services.do_suggest(case_id)
    return suggestion.pk if suggestion else None


@task()
def train_task(user_id: int | None = None) -> int:
    """Train on the street's closed cases and activate the new model."""
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    return services.do_train(user, trigger=Trigger.TASK).pk
