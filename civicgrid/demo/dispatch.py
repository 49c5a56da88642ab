"""The demo's smart dispatch (智能派单): the 权责清单 as the demo's cases are handled (one 片区
with its own department for 群租), auto-dispatch on for one category (路灯, at 0.8), and a model
trained on the street's closed cases — the demo's case texts come from dispatch.corpus, so the
history reads like residents' reports — made active. Through dispatch.services."""

from collections import Counter

from django.core.exceptions import ValidationError

from civicgrid.accounts.models import Department
from civicgrid.cases.models import Category
from civicgrid.demo.cases import BY_CLASS, BY_CODE, BY_NAME
from civicgrid.dispatch import services
from civicgrid.dispatch.choices import Trigger
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.models import Grid

AUTO = ("component", "0110")  # 路灯: a lamp is a lamp; the street lets the system send these
AREA_OWN = ("community", "0106")  # 群租: the second 片区's 房管 team handles its own


def _department_code(category) -> str:
    code = BY_CODE.get((category.family, category.code)) or BY_CLASS.get(
        (category.family, category.code[:2])
    )
    return code or next((c for word, c in BY_NAME if word in category.name), "WYGS")


def build_demo_dispatch(seed: int = 2023) -> Counter:
    counts: Counter = Counter()
    departments = {d.code: d for d in Department.objects.filter(is_active=True)}
    if not departments:
        return counts
    leaves = Category.objects.filter(parent__isnull=False, is_active=True).select_related(
        "default_department"
    )
    for category in leaves:
        department = category.default_department or departments.get(_department_code(category))
        if department is None:
            continue
        services.do_set_responsibility(None, category=category, department=department)
        counts["responsibilities"] += 1
    areas = list(Grid.objects.filter(level=GridLevel.AREA).order_by("code")[:2])
    own = Category.objects.filter(family=AREA_OWN[0], code=AREA_OWN[1]).first()
    other = departments.get("SCJG") or departments.get("CGZD")
    if len(areas) == 2 and own is not None and other is not None:
        services.do_set_responsibility(None, category=own, department=other, area=areas[1])
        counts["responsibilities"] += 1
    lamp = Category.objects.filter(family=AUTO[0], code=AUTO[1]).first()
    if lamp is not None:
        services.do_set_rule(None, category=lamp, enabled=True, threshold=0.8)
        counts["rules"] += 1
    try:
        model = services.do_train(None, trigger=Trigger.DEMO)
    except ValidationError:
        return counts  # a street too small to learn from (a quick demo): no model
    counts["models"] += 1
    counts["trained_on"] = model.sample_count
    return counts
