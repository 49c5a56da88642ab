"""The 垃圾分类 case category (社区扩展 0110, where a failed inspection's case goes, to the 物业 by
default) if an installation lacks it, and the first inspection score sheet (100 points, bin
purity included). Frozen data beside this file; rows an operator already has are left alone."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).with_suffix(".json")


def seed(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    Category = apps.get_model("cases", "Category")
    Department = apps.get_model("accounts", "Department")
    InspectionTemplate = apps.get_model("sorting", "InspectionTemplate")
    TemplateItem = apps.get_model("sorting", "TemplateItem")
    c = data["category"]
    parent = Category.objects.filter(family=c["family"], code=c["parent_code"]).first()
    if parent is not None:
        category, created = Category.objects.get_or_create(
            family=c["family"],
            code=c["code"],
            defaults={
                "name": c["name"],
                "parent": parent,
                "handling_limit_value": c["handling_limit_value"],
                "handling_limit_unit": c["handling_limit_unit"],
                "filing_limit_minutes": c["filing_minutes"],
            },
        )
        if category.default_department_id is None:
            department = Department.objects.filter(code=c["department"], is_active=True).first()
            if department is not None:
                category.default_department = department
                category.save(update_fields=["default_department"])
    if not InspectionTemplate.objects.exists():
        t = data["template"]
        template = InspectionTemplate.objects.create(name=t["name"], version=1, is_active=True)
        for order, (name, points, purity) in enumerate(t["items"]):
            TemplateItem.objects.create(
                template=template, name=name, max_points=points, is_purity=purity, order=order
            )


class Migration(migrations.Migration):
    dependencies = [
        ("sorting", "0001_initial"),
        ("cases", "0002_seed_categories"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
