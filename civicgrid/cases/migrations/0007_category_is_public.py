"""Category.is_public: whether cases of the category are published by Open311.

Two seeded categories are not: 流浪乞讨 (reports about a vulnerable person) and 群租 (reports
that point at one flat and its tenants). An operator may change either in the admin.
"""

from django.db import migrations, models

NOT_PUBLIC = [("event", "0502"), ("community", "0106")]


def mark(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    for family, code in NOT_PUBLIC:
        Category.objects.filter(family=family, code=code).update(is_public=False)


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0006_locate_action"),
    ]

    operations = [
        migrations.AddField(
            model_name="category",
            name="is_public",
            field=models.BooleanField(
                default=True,
                help_text="否:此类案件不在 Open311 公开接口发布(涉及个人或弱势群体的类别)",
                verbose_name="对外公开",
            ),
        ),
        migrations.RunPython(mark, migrations.RunPython.noop),
    ]
