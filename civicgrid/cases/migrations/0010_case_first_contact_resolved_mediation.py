"""先行联系, 是否解决, 调解结果, the 值班长's approval of a 复杂 12345 limit, category groups.

Until now the filing of a 12345 ticket typed 复杂 was its approval (the filing event says
complex_limit_approved): such tickets already filed keep their 15 working days, their approval
time being the filing time. Older closed cases keep `resolved` empty (not asked then).
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def carry_complex_approvals(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    Case.objects.filter(
        source="hotline_12345", hotline_request_type="complex", filed_at__isnull=False
    ).update(complex_limit_approved_at=models.F("filed_at"))


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0009_hotline_outbox"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="complex_limit_approved_at",
            field=models.DateTimeField(
                blank=True,
                help_text="值班长批准12345复杂件按15个工作日办理的时间;未批准时按5个工作日",
                null=True,
                verbose_name="复杂件时限批准时间",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="complex_limit_approved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="复杂件时限批准人",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="first_contact_at",
            field=models.DateTimeField(
                blank=True,
                help_text="首次联系上报人(来电人)的时间",
                null=True,
                verbose_name="先行联系时间",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="first_contact_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="先行联系人",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="first_contact_note",
            field=models.TextField(blank=True, verbose_name="先行联系情况"),
        ),
        migrations.AddField(
            model_name="case",
            name="mediation_outcome",
            field=models.CharField(
                blank=True,
                choices=[("succeeded", "调解成功"), ("failed", "调解不成功"), ("referred", "转办")],
                max_length=20,
                verbose_name="调解结果",
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="resolved",
            field=models.BooleanField(blank=True, null=True, verbose_name="是否解决"),
        ),
        migrations.AddField(
            model_name="category",
            name="group",
            field=models.CharField(
                blank=True,
                db_index=True,
                help_text="内容重叠的类别填同一组码(如跨门营业与店外经营),重复提示和指标按一类计",
                max_length=20,
                verbose_name="归并组",
            ),
        ),
        migrations.AddField(
            model_name="category",
            name="needs_mediation_outcome",
            field=models.BooleanField(
                default=False,
                help_text="是:处置反馈时必须填写调解结果(调解成功、调解不成功、转办),如矛盾纠纷",
                verbose_name="须记录调解结果",
            ),
        ),
        migrations.AlterField(
            model_name="case",
            name="source",
            field=models.CharField(
                choices=[
                    ("grid_patrol", "巡查上报"),
                    ("resident", "居民上报"),
                    ("hotline_12345", "12345热线"),
                    ("department", "部门自查"),
                    ("supervision", "督查"),
                    ("open311", "Open311"),
                    ("visit", "走访"),
                    ("property_repair", "物业报修"),
                ],
                max_length=20,
                verbose_name="来源",
            ),
        ),
        migrations.AlterField(
            model_name="caseevent",
            name="action",
            field=models.CharField(
                choices=[
                    ("report", "上报"),
                    ("file", "立案"),
                    ("refuse_filing", "不予立案"),
                    ("dispatch", "派遣"),
                    ("accept", "接单处置"),
                    ("return", "退回"),
                    ("handle", "处置反馈"),
                    ("verify_pass", "核查通过"),
                    ("verify_fail", "核查不通过(返工)"),
                    ("rate", "评价"),
                    ("reopen", "不满意重新处置"),
                    ("request_extension", "申请延期"),
                    ("decide_extension", "审批延期"),
                    ("suspend", "挂起"),
                    ("resume", "恢复"),
                    ("merge", "合并到主案件"),
                    ("merge_receive", "并入重复案件"),
                    ("start_call_in", "发起基层约请"),
                    ("record_call_in_outcome", "约请结果"),
                    ("locate", "人工定位"),
                    ("send_back", "退单"),
                    ("first_contact", "先行联系"),
                    ("approve_complex_limit", "批准复杂件办理时限"),
                    ("reveal_phone", "查看上报人完整电话"),
                ],
                max_length=30,
                verbose_name="动作",
            ),
        ),
        migrations.RunPython(carry_complex_approvals, migrations.RunPython.noop),
    ]
