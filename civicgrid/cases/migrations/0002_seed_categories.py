"""Seed the standard categories (部件, 事件) and the community extension class.

Data from civicgrid.cases.seed; filing limits: 10 minutes (wall clock) for urgent categories,
30 working minutes otherwise. Existing rows with the same family and code are left alone, so
an operator's edits survive a re-run.
"""

from django.db import migrations


def seed(apps, schema_editor):
    from civicgrid.cases.seed import FILING_MINUTES, URGENT_FILING_MINUTES, rows

    Category = apps.get_model("cases", "Category")
    parents = {}
    for family, code, name, parent_code, value, unit, urgent in rows():
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
