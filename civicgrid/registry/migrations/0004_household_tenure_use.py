"""Household.housing_type (one list with 租赁房 beside 公房) becomes two fields: tenure (房屋性质)
and use (房屋用途). Every old value maps onto a pair, and the reverse maps each pair back."""

from django.db import migrations, models

# Frozen here (not imported from registry.choices): old value → (tenure, use).
FORWARD = {
    "commercial": ("commercial", "owner_occupied"),
    "public_rent": ("public_rent", "owner_occupied"),
    "sold_public": ("sold_public", "owner_occupied"),
    "self_built": ("self_built", "owner_occupied"),
    "rental": ("other", "rented"),
    "other": ("other", "owner_occupied"),
}


def split(apps, schema_editor):
    Household = apps.get_model("registry", "Household")
    for old, (tenure, use) in FORWARD.items():
        Household.objects.filter(housing_type=old).update(tenure=tenure, use=use)


def join(apps, schema_editor):
    Household = apps.get_model("registry", "Household")
    for old in ("commercial", "public_rent", "sold_public", "self_built"):
        Household.objects.filter(tenure=old).update(housing_type=old)
    Household.objects.filter(tenure__in=["resettlement", "affordable_rental", "other"]).update(
        housing_type="other"
    )
    # A let dwelling of no known tenure was 租赁房.
    Household.objects.filter(tenure="other", use__in=["rented", "group_rented"]).update(
        housing_type="rental"
    )


TENURE = [
    ("commercial", "商品房"),
    ("public_rent", "公房"),
    ("sold_public", "售后公房"),
    ("self_built", "自建房"),
    ("resettlement", "动迁安置"),
    ("affordable_rental", "保障性租赁"),
    ("other", "其他"),
]
USE = [
    ("owner_occupied", "自住"),
    ("rented", "出租"),
    ("group_rented", "群租"),
    ("vacant", "空置"),
    ("business", "经营"),
]


class Migration(migrations.Migration):
    # Not one transaction: on PostgreSQL an ALTER TABLE after the data step in the same
    # transaction fails ("pending trigger events"); each operation commits on its own instead
    # (the data step in its own transaction, so a failure there leaves the new columns empty,
    # never half-filled).
    atomic = False
    dependencies = [
        ("registry", "0003_address_estate"),
    ]

    operations = [
        migrations.AddField(
            model_name="household",
            name="tenure",
            field=models.CharField(
                choices=TENURE, default="commercial", max_length=20, verbose_name="房屋性质"
            ),
        ),
        migrations.AddField(
            model_name="household",
            name="use",
            field=models.CharField(
                choices=USE, default="owner_occupied", max_length=20, verbose_name="房屋用途"
            ),
        ),
        migrations.RunPython(split, join, atomic=True),
        migrations.RemoveField(model_name="household", name="housing_type"),
    ]
