"""Seed the default fire-safety checklist (seeds 001–003: 三合一, 飞线充电, 楼道堆物 …) — five
重大 and six 一般 hazards — and the case category a red house opens, 社区治理 › 出租屋消防隐患
(3 working days, handled by the department whose name holds 消防 when the street has one), frozen
in 0002_seed_checklist.json. The category takes the first free code from 0120 of 社区治理 (other
seeds may have taken some); one already named so is left alone, as are existing items."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).with_suffix(".json")


def seed(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    Item = apps.get_model("firesafety", "CheckItem")
    for code, name, description, severity, order in data["items"]:
        Item.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "description": description,
                "severity": severity,
                "order": order,
            },
        )
    spec = data["category"]
    Category = apps.get_model("cases", "Category")
    Department = apps.get_model("accounts", "Department")
    if Category.objects.filter(family=spec["family"], name=spec["name"]).exists():
        return
    parent = Category.objects.filter(family=spec["family"], code=spec["parent_code"]).first()
    if parent is None:
        return  # the class was removed by hand: nothing to hang the category on
    taken = set(Category.objects.filter(family=spec["family"]).values_list("code", flat=True))
    number = spec["first_code"]
    while f"{spec['parent_code']}{number:02d}" in taken:
        number += 1
    department = (
        Department.objects.filter(is_active=True, name__contains=spec["department_name_contains"])
        .order_by("code")
        .first()
    )
    Category.objects.create(
        family=spec["family"],
        code=f"{spec['parent_code']}{number:02d}",
        name=spec["name"],
        parent=parent,
        handling_limit_value=spec["handling_limit_value"],
        handling_limit_unit=spec["handling_limit_unit"],
        filing_limit_minutes=spec["filing_minutes"],
        default_department=department,
    )


def unseed(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    Item = apps.get_model("firesafety", "CheckItem")
    Item.objects.filter(code__in=[row[0] for row in data["items"]], findings__isnull=True).delete()
    Category = apps.get_model("cases", "Category")
    spec = data["category"]
    doomed = Category.objects.filter(family=spec["family"], name=spec["name"], cases__isnull=True)
    # A raw delete: the collector would query every model that points at a category in this
    # historical state, including those of apps a backward migration has already removed (their
    # tables are gone). Nothing else points at the seeded category once its cases are gone.
    doomed._raw_delete(doomed.db)


class Migration(migrations.Migration):
    dependencies = [
        ("firesafety", "0001_initial"),
        ("cases", "0011_seed_spine_categories"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
