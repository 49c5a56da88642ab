"""Smart dispatch's test world: a text model fitted once per session on six categories of the
development set (corpus), stored as the active model for each test that asks for it."""

import copy

import numpy as np
import pytest

from civicgrid.dispatch import classifier, corpus

KEYS = [
    ("event", "0102"),  # 暴露垃圾
    ("event", "0505"),  # 机动车乱停放
    ("event", "0301"),  # 施工扰民
    ("community", "0101"),  # 楼道堆物
    ("community", "0103"),  # 飞线充电
    ("component", "0110"),  # 路灯
]

FLYING_WIRE = "楼上有人从窗户拉电线下来给电瓶车充电，插线板就挂在墙上，晚上一直在充，太危险了"


@pytest.fixture(scope="session")
def fitted_on_keys():
    rng = __import__("random").Random(4)
    reports = [corpus.compose(rng, f, c) for f, c in KEYS for _ in range(30)]
    return classifier.DispatchModel().fit(
        [r.title for r in reports], [r.text for r in reports], [r.label for r in reports]
    )


@pytest.fixture
def categories(db):
    from civicgrid.testing.world import category

    return {f"{f}:{c}": category(f, c) for f, c in KEYS}


@pytest.fixture
def active(db, fitted_on_keys, categories):
    """The session's model as the street's active TrainedModel (labels: category ids)."""
    from django.utils import timezone

    from civicgrid.dispatch import services
    from civicgrid.dispatch.models import TrainedModel

    fitted = copy.copy(fitted_on_keys)
    fitted.classes_ = np.asarray([str(categories[label].pk) for label in fitted.classes_])
    services._loaded.clear()
    return TrainedModel.objects.create(
        created_at=timezone.now(),
        trigger="command",
        recipe=classifier.RECIPE,
        blob=fitted.dumps(),
        is_active=True,
        sample_count=180,
        data_hash="0" * 64,
        labels={str(c.pk): c.name for c in categories.values()},
        accuracy=0.9,
        top2_accuracy=0.95,
        metrics={},
        libraries=classifier.library_versions(),
        training_seconds=1.0,
    )
