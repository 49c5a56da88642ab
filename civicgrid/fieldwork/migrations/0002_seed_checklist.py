"""Seed the patrol record form (巡查记录表) with the items the seeds name (桃浦 巡块, 康桥 消防),
each with the case category a failed check is reported under. Editable in the admin afterwards."""

from django.db import migrations

# (name, hint, (category family, code))
ITEMS = [
    ("楼道堆物", "楼道、楼梯间是否堆放杂物", ("community", "0101")),
    ("飞线充电", "是否私拉电线给电动车充电", ("community", "0103")),
    ("垃圾分类", "分类投放点是否整洁、混投", ("community", "0110")),
    ("非机动车乱停放", "非机动车是否停放有序", ("event", "0506")),
    ("消防通道", "消防通道是否被占用、堵塞", ("community", "0107")),
    ("暴露垃圾", "路面、绿地是否有暴露垃圾", ("event", "0102")),
    ("小广告", "是否有非法张贴的小广告", ("event", "0201")),
    ("僵尸车", "是否有长期停放的废弃车辆", ("community", "0104")),
    ("无序设摊", "是否有占道设摊、跨门营业", ("community", "0112")),
    ("积水", "雨后道路、小区是否积水", ("community", "0105")),
]


def seed(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    ChecklistItem = apps.get_model("fieldwork", "ChecklistItem")
    for order, (name, hint, (family, code)) in enumerate(ITEMS, start=1):
        category = Category.objects.get(family=family, code=code)
        ChecklistItem.objects.update_or_create(
            name=name, defaults={"hint": hint, "category": category, "order": order * 10}
        )


def unseed(apps, schema_editor):
    ChecklistItem = apps.get_model("fieldwork", "ChecklistItem")
    ChecklistItem.objects.filter(name__in=[name for name, _, _ in ITEMS]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("fieldwork", "0001_initial"),
        ("cases", "0002_seed_categories"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
