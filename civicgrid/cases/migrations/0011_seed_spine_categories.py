"""Seed the categories the seeds name and the standard lacked, and the 归并组 of overlapping ones.

The data is frozen next to this file (0011_seed_spine_categories.json):
- 夜排挡, 违法骑行 (事件 05 街面秩序), 乱拉横幅, 店招店牌 (事件 02 宣传广告), 卫生死角 (事件 01
  市容环境), 杂乱线缆/杆线 (部件 01 公用设施), 矛盾纠纷 and 物业报修 (社区扩展 01 社区治理), each
  with its handling limit and default department by the department's code (城管中队 CGZD, 派出所
  PCS, 绿化市容所 LHSR, 物业 WYGS) when the street has that department. 矛盾纠纷 has none (the
  居委 mediates: it is dispatched to the grid), is not published on Open311 (it is about persons)
  and records a mediation outcome when handled.
- groups: 0113 跨门营业 ~ 事件 0504 店外经营 ("shopfront"), 0112 无序设摊 ~ 事件 0501 无照经营游商
  ("vendor") count as one for duplicates and indicators.
Existing rows with the same family and code, and groups an operator already set, are left alone.
"""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).with_suffix(".json")


def seed(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    Category = apps.get_model("cases", "Category")
    Department = apps.get_model("accounts", "Department")
    departments = {d.code: d for d in Department.objects.filter(is_active=True)}
    for row in data["rows"]:
        family, code, name, parent_code, value, unit, department, public, mediation = row
        parent = Category.objects.filter(family=family, code=parent_code).first()
        if parent is None:
            continue  # the standard class was removed by hand: nothing to hang the row on
        Category.objects.get_or_create(
            family=family,
            code=code,
            defaults={
                "name": name,
                "parent": parent,
                "handling_limit_value": value,
                "handling_limit_unit": unit,
                "is_urgent": False,
                "filing_limit_minutes": data["filing_minutes"],
                "default_department": departments.get(department),
                "is_public": public,
                "needs_mediation_outcome": mediation,
            },
        )
    for family, code, group in data["groups"]:
        Category.objects.filter(family=family, code=code, group="").update(group=group)


def unseed(apps, schema_editor):
    data = json.loads(DATA.read_text(encoding="utf-8"))
    Category = apps.get_model("cases", "Category")
    for family, code, group in data["groups"]:
        Category.objects.filter(family=family, code=code, group=group).update(group="")
    for family, code, *_ in data["rows"]:
        Category.objects.filter(family=family, code=code, cases__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0010_case_first_contact_resolved_mediation"),
        ("accounts", "0001_initial"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
