"""The categories the seeds name (migration 0011) and the 归并组 of overlapping ones."""

from importlib import import_module

import pytest
from django.apps import apps

from civicgrid.cases.models import Category
from civicgrid.testing.factories import DepartmentFactory
from civicgrid.testing.world import category

MIGRATION = import_module("civicgrid.cases.migrations.0011_seed_spine_categories")

NEW = [
    ("event", "0511", "夜排挡", "05", 1, "working_days"),
    ("event", "0512", "违法骑行", "05", 4, "working_hours"),
    ("event", "0205", "乱拉横幅", "02", 1, "working_days"),
    ("event", "0206", "店招店牌", "02", 3, "working_days"),
    ("event", "0104", "卫生死角", "01", 2, "working_days"),
    ("component", "0111", "杂乱线缆/杆线", "01", 5, "working_days"),
    ("community", "0115", "矛盾纠纷", "01", 10, "working_days"),
    ("community", "0116", "物业报修", "01", 3, "working_days"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("family", "code", "name", "parent", "value", "unit"), NEW)
def test_new_categories_sit_in_their_family(family, code, name, parent, value, unit):
    cat = category(family, code)
    assert cat.name == name
    assert cat.parent == category(family, parent)
    assert (cat.handling_limit_value, cat.handling_limit_unit) == (value, unit)
    assert cat.filing_limit_minutes == 30
    assert not cat.is_urgent


@pytest.mark.django_db
def test_overlapping_categories_share_a_group():
    assert category("community", "0113").group == category("event", "0504").group == "shopfront"
    assert category("community", "0112").group == category("event", "0501").group == "vendor"
    grouped = Category.objects.exclude(group="").values_list("family", "code")
    assert sorted(grouped) == sorted(
        [("community", "0113"), ("event", "0504"), ("community", "0112"), ("event", "0501")]
    )


@pytest.mark.django_db
def test_dispute_records_a_mediation_and_stays_off_open311():
    dispute = category("community", "0115")
    assert dispute.needs_mediation_outcome
    assert not dispute.is_public
    assert dispute.default_department is None  # the 居委 mediates: dispatched to the grid
    assert not Category.objects.filter(needs_mediation_outcome=True).exclude(pk=dispute.pk)


@pytest.mark.django_db
def test_default_departments_by_code_and_operator_edits_kept():
    codes = {code: DepartmentFactory(code=code) for code in ("CGZD", "PCS", "LHSR", "WYGS")}
    Category.objects.filter(family="event", code__in=["0511", "0512"]).delete()
    cables = category("component", "0111")
    cables.name = "架空线缆"
    cables.save()
    shopfront = category("event", "0504")
    shopfront.group = "mine"
    shopfront.save()

    MIGRATION.seed(apps, None)

    assert category("event", "0511").default_department == codes["CGZD"]
    assert category("event", "0512").default_department == codes["PCS"]
    assert category("component", "0111").name == "架空线缆"  # an existing row is left alone
    assert category("event", "0504").group == "mine"
