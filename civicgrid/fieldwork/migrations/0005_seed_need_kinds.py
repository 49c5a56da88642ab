"""Seed the 急难愁盼 need kinds a visit is tagged with, each with the case category a need is
reported under (frozen here; editable in the admin afterwards)."""

from django.db import migrations

# (name, (category family, code))
KINDS = [
    ("养老助餐", ("event", "0699")),
    ("就医看病", ("event", "0699")),
    ("住房修缮", ("event", "0699")),
    ("就业帮扶", ("event", "0699")),
    ("停车难", ("community", "0114")),
    ("噪音扰民", ("community", "0109")),
    ("楼道堆物", ("community", "0101")),
    ("消防安全", ("community", "0107")),
    ("邻里纠纷", ("event", "0699")),
    ("其他诉求", ("event", "0699")),
]


def seed(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    NeedKind = apps.get_model("fieldwork", "NeedKind")
    for order, (name, (family, code)) in enumerate(KINDS, start=1):
        category = Category.objects.get(family=family, code=code)
        NeedKind.objects.update_or_create(
            name=name, defaults={"category": category, "order": order * 10}
        )


def unseed(apps, schema_editor):
    NeedKind = apps.get_model("fieldwork", "NeedKind")
    NeedKind.objects.filter(name__in=[name for name, _ in KINDS], visits__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("fieldwork", "0004_visit_needs_topics"),
        ("cases", "0002_seed_categories"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
