"""The group of the 宣传/党建办 and its permission to approve the 社区报 (审定、退回和出版).

The permission row is made here (Django makes permissions only after every migration ran), so
the group can hold it at once; the frozen names below are the data, no live module is imported."""

from django.db import migrations

GROUP = "宣传/党建办"
CODENAME = "approve_bulletin"
PERMISSION_NAME = "审定、退回和出版社区报"


def create_group(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    content_type, _ = ContentType.objects.get_or_create(app_label="bulletin", model="issue")
    permission, _ = Permission.objects.get_or_create(
        content_type=content_type, codename=CODENAME, defaults={"name": PERMISSION_NAME}
    )
    group, _ = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(permission)


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="bulletin", codename=CODENAME
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("bulletin", "0002_approve_permission"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
