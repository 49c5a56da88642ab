"""The case table's indexes that repeat another's leading columns, dropped: every intake writes
each of the table's indexes, and each step that changes an indexed column (status, the warning)
writes a new entry into all of them. Single-column status, reported_at, micro_grid and
assigned_department are led by the list and deadline indexes (cases.models.Case.Meta); the
warning level keeps one index without PostgreSQL's second LIKE one. The fields change in the
migration state only; the database drops the indexes by name (no table rebuilt on SQLite)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

# Django's own names for the db_index indexes (its hash of table and column), *_like on PostgreSQL.
DROPPED = {
    "cases_case_status_95787cb3": "status",
    "cases_case_reported_at_e7db3137": "reported_at",
    "cases_case_micro_grid_id_7333b7a1": "micro_grid_id",
    "cases_case_assigned_department_id_886a7edc": "assigned_department_id",
    "cases_case_warning_level_fab93f94": "warning_level",
}
LIKE = ["cases_case_status_95787cb3_like", "cases_case_warning_level_fab93f94_like"]


def drop(apps, schema_editor):
    for name in [*DROPPED, *LIKE]:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def restore(apps, schema_editor):
    for name, column in DROPPED.items():
        schema_editor.execute(f'CREATE INDEX "{name}" ON "cases_case" ("{column}")')
    if schema_editor.connection.vendor == "postgresql":
        for name in LIKE:
            column = DROPPED[name.removesuffix("_like")]
            schema_editor.execute(
                f'CREATE INDEX "{name}" ON "cases_case" ("{column}" varchar_pattern_ops)'
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0004_area_and_duty_roles"),
        ("cases", "0021_category_order_index"),
        ("grids", "0007_full_width_labels"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="case",
                    name="assigned_department",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="accounts.department",
                        verbose_name="处置部门",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="micro_grid",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        limit_choices_to={"level": "micro_grid"},
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="cases",
                        to="grids.grid",
                        verbose_name="微网格",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="reported_at",
                    field=models.DateTimeField(verbose_name="上报时间"),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="status",
                    field=models.CharField(
                        choices=[
                            ("reported", "待受理"),
                            ("filed", "已立案"),
                            ("not_filed", "不予立案"),
                            ("dispatched", "已派遣"),
                            ("accepted", "处置中"),
                            ("returned", "退回"),
                            ("handled", "已处置"),
                            ("closed", "已结案"),
                            ("merged", "已合并"),
                            ("sent_back", "已退单"),
                            ("withdrawn", "已撤销"),
                        ],
                        default="reported",
                        max_length=20,
                        verbose_name="状态",
                    ),
                ),
                migrations.AlterField(
                    model_name="case",
                    name="warning_level",
                    field=models.CharField(
                        blank=True,
                        choices=[("", "正常"), ("yellow", "黄灯预警"), ("red", "红灯超期")],
                        default="",
                        help_text="由定时任务按当前时限计算：用时达80%黄灯，超期红灯",
                        max_length=10,
                        verbose_name="预警",
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(drop, restore)],
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(fields=["warning_level"], name="case_warning_idx"),
        ),
    ]
