"""After every report's commit the receivers ask whether a model is active: the answer is kept per
process while the shared cache's revision stands, and an activation is seen at once."""

from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from civicgrid.dispatch import services
from civicgrid.dispatch.models import TrainedModel


def _asks_the_table(fn):
    with CaptureQueriesContext(connection) as ctx:
        answer = fn()
    return answer, any("dispatch_trainedmodel" in q["sql"] for q in ctx.captured_queries)


def test_the_answer_is_kept_until_an_activation_which_is_seen_at_once(
    active, django_capture_on_commit_callbacks
):
    # A row changed outside the services (no signal) and said so: nothing active now.
    TrainedModel.objects.filter(pk=active.pk).update(is_active=False)
    services.forget_active_model()
    assert _asks_the_table(services.has_active_model) == (False, True)
    # Asked again (every report asks): answered from memory.
    assert _asks_the_table(services.has_active_model) == (False, False)

    before = cache.get(services.ACTIVE_REVISION_KEY)
    with django_capture_on_commit_callbacks(execute=True):
        services.do_activate(None, active)
    # This process sees the activation at once; the others at the commit, by the new revision.
    assert services.has_active_model() is True
    assert cache.get(services.ACTIVE_REVISION_KEY) not in (None, before)


def test_a_new_active_row_and_a_deleted_one_are_seen_at_once(active):
    assert services.has_active_model() is True
    active.delete()
    assert services.has_active_model() is False


def test_a_revision_lost_from_the_cache_is_re_read(active):
    assert services.has_active_model() is True
    TrainedModel.objects.filter(pk=active.pk).update(is_active=False)
    cache.delete(services.ACTIVE_REVISION_KEY)  # evicted, or the cache flushed
    assert _asks_the_table(services.has_active_model) == (False, True)


def test_a_task_worker_loads_the_model_before_its_jobs(active, categories):
    """An RQ worker warms up before it forks each job's process (messaging.rqworker): the
    active model and jieba are then in memory, and a suggestion reads no model blob."""
    from civicgrid.core.warmup import warm_worker_apps
    from civicgrid.dispatch import classifier
    from civicgrid.dispatch.tests.conftest import FLYING_WIRE

    assert "dispatch" in warm_worker_apps()
    assert list(services._loaded) == [active.pk]
    assert classifier._jieba is not None
    with CaptureQueriesContext(connection) as ctx:
        said = services.predict(FLYING_WIRE, None)
    assert said["category"] == categories["community:0103"].pk
    assert not any("blob" in q["sql"] for q in ctx.captured_queries)
