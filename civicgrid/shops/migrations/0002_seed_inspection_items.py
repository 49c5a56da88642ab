"""Seed the 门责 check (门责门清, seed 003): six items, each with the case category a failure of it
opens (跨门营业, 店招店牌, 乱堆物堆料 …), frozen in 0002_seed_inspection_items.json. An item whose
category is missing (removed by hand) is skipped; items already there are left alone."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).with_suffix(".json")


def seed(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    Category = apps.get_model("cases", "Category")
    Item = apps.get_model("shops", "InspectionItem")
    for name, description, family, code, order in data["rows"]:
        category = Category.objects.filter(family=family, code=code).first()
        if category is None:
            continue
        Item.objects.get_or_create(
            name=name, defaults={"description": description, "category": category, "order": order}
        )


def unseed(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    Item = apps.get_model("shops", "InspectionItem")
    Item.objects.filter(name__in=[row[0] for row in data["rows"]], results__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("shops", "0001_initial"),
        ("cases", "0011_seed_spine_categories"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
