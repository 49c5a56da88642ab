"""Seed the standard categories (部件, 事件) and the community extension class.

The data is frozen next to this file (0002_seed_categories.json, written from civicgrid.cases.seed
when the migration was made): a later change of the live seed module does not change what this
migration writes. Filing limits: 10 minutes (wall clock) for urgent categories, 30 working minutes
otherwise. Existing rows with the same family and code are left alone, so an operator's edits
survive a re-run.
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).with_suffix(".json")


def seed(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    FILING_MINUTES = data["filing_minutes"]
    URGENT_FILING_MINUTES = data["urgent_filing_minutes"]
    Category = apps.get_model("cases", "Category")
    parents = {}
    for family, code, name, parent_code, value, unit, urgent in data["rows"]:
        category, _ = Category.objects.get_or_create(
            family=family,
            code=code,
            defaults={
                "name": name,
                "parent": parents.get((family, parent_code)),
                "handling_limit_value": value,
                "handling_limit_unit": unit,
                "is_urgent": urgent,
                "filing_limit_minutes": URGENT_FILING_MINUTES if urgent else FILING_MINUTES,
            },
        )
        if parent_code is None:
            parents[(family, code)] = category


def unseed(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    Category.objects.filter(parent__isnull=False, cases__isnull=True).delete()
    Category.objects.filter(parent__isnull=True, children__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
