"""Seed the case category a failed 督查 item opens: 社区治理 › 文明创建督查问题 (5 working days;
no default department: the desk dispatches each case to the checkpoint's owner), frozen in
0002_seed_category.json. The category takes the first free code from 0140 of 社区治理 (other
seeds may have taken some); one already named so is left alone."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).with_suffix(".json")


def seed(apps, schema_editor):
    spec = json.loads(DATA.read_text(encoding="utf-8"))["category"]
    Category = apps.get_model("cases", "Category")
    if Category.objects.filter(family=spec["family"], name=spec["name"]).exists():
        return
    parent = Category.objects.filter(family=spec["family"], code=spec["parent_code"]).first()
    if parent is None:
        return  # the class was removed by hand: nothing to hang the category on
    taken = set(Category.objects.filter(family=spec["family"]).values_list("code", flat=True))
    number = spec["first_code"]
    while f"{spec['parent_code']}{number:02d}" in taken:
        number += 1
    Category.objects.create(
        family=spec["family"],
        code=f"{spec['parent_code']}{number:02d}",
        name=spec["name"],
        parent=parent,
        handling_limit_value=spec["handling_limit_value"],
        handling_limit_unit=spec["handling_limit_unit"],
        filing_limit_minutes=spec["filing_minutes"],
    )


def unseed(apps, schema_editor):
    spec = json.loads(DATA.read_text(encoding="utf-8"))["category"]
    Category = apps.get_model("cases", "Category")
    Category.objects.filter(family=spec["family"], name=spec["name"], cases__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0001_initial"),
        ("cases", "0011_seed_spine_categories"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
