# One spelling of 其他 in the category names (the standard's 0599 was seeded as 其它街面秩序).

from django.db import migrations

RENAMED = [("event", "0599", "其它街面秩序", "其他街面秩序")]


def rename(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    db = schema_editor.connection.alias
    for family, code, old, new in RENAMED:
        Category.objects.using(db).filter(family=family, code=code, name=old).update(name=new)


def rename_back(apps, schema_editor):
    Category = apps.get_model("cases", "Category")
    db = schema_editor.connection.alias
    for family, code, old, new in RENAMED:
        Category.objects.using(db).filter(family=family, code=code, name=new).update(name=old)


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_case_control_co_handling_hurry")]

    operations = [migrations.RunPython(rename, rename_back)]
