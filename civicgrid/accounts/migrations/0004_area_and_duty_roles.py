"""片区负责人 (User.area) and the 城运中心's duty roles (值班长, 带班领导); the operator's label
becomes 受理/派遣员 (value unchanged, so existing users keep their role)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_api_token"),
        ("grids", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="user",
            name="area",
            field=models.ForeignKey(
                blank=True,
                limit_choices_to={"level": "area"},
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="area_users",
                to="grids.grid",
                verbose_name="所属片区",
            ),
        ),
        migrations.AlterField(
            model_name="user",
            name="role",
            field=models.CharField(
                choices=[
                    ("admin", "系统管理员"),
                    ("operator", "受理/派遣员"),
                    ("shift_chief", "值班长"),
                    ("duty_leader", "带班领导"),
                    ("area_head", "片区负责人"),
                    ("community_staff", "居委工作人员"),
                    ("grid_leader", "网格长"),
                    ("grid_worker", "网格员"),
                    ("dept_handler", "部门处置人员"),
                    ("leader", "领导"),
                    ("resident", "居民"),
                ],
                default="resident",
                max_length=32,
                verbose_name="角色",
            ),
        ),
    ]
