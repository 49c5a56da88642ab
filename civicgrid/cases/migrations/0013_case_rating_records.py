# 评价记录: every rating of every closure kept as its own row (CaseRating), so that an unsatisfied
# rating that reopened a case (and cleared Case.rating) still counts in 满意率. The ratings
# given so far are carried over from the history (the RATE rows), which kept them all.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

CLOSED = "closed"
RATE = "rate"
SATISFIED = ("satisfied", "basically")
RATINGS = ("satisfied", "basically", "unsatisfied")


def carry_ratings(apps, schema_editor):
    """One CaseRating per RATE row of the history, numbered by the closure it rated (a closure is
    a row entering 已结案 from another state); the first of each closure counts. A case rated
    without a RATE row (loaded outside the services) gets one from its own fields."""
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    CaseRating = apps.get_model("cases", "CaseRating")
    db = schema_editor.connection.alias
    rated_cases = set(
        CaseEvent.objects.using(db).filter(action=RATE).values_list("case_id", flat=True)
    ) | set(Case.objects.using(db).exclude(rating="").values_list("pk", flat=True))
    if not rated_cases:
        return
    events = (
        CaseEvent.objects.using(db)
        .filter(case_id__in=rated_cases)
        .filter(models.Q(action=RATE) | models.Q(to_status=CLOSED))
        .select_related("actor")
        .order_by("case_id", "at", "id")
    )
    closures, counted, rows = {}, {}, []
    for e in events.iterator(chunk_size=2000):
        if e.action != RATE:
            if e.from_status != CLOSED:
                closures[e.case_id] = closures.get(e.case_id, 0) + 1
            continue
        rating = (e.data or {}).get("rating")
        if rating not in RATINGS:
            continue
        closure = max(closures.get(e.case_id, 0), 1)
        first = (e.case_id, closure) not in counted
        counted.setdefault((e.case_id, closure), rating)
        resolved = (e.data or {}).get("resolved")
        if e.actor_id is None:
            channel = "link"
        elif e.actor.role == "resident":
            channel = "resident"
        else:
            channel = "return_visit"
        rows.append(
            CaseRating(
                case_id=e.case_id,
                closure=closure,
                rating=rating,
                comment=(e.note or "")[:500],
                resolved=resolved.get("to") if isinstance(resolved, dict) else None,
                counted=first,
                channel=channel,
                rated_by_id=e.actor_id,
                at=e.at,
            )
        )
    with_rows = {case_id for case_id, _closure in counted}
    for case in Case.objects.using(db).filter(pk__in=rated_cases - with_rows).exclude(rating=""):
        closure = max(closures.get(case.pk, 0), 1)
        counted[(case.pk, closure)] = case.rating
        rows.append(
            CaseRating(
                case_id=case.pk,
                closure=closure,
                rating=case.rating,
                comment=case.rating_comment,
                counted=True,
                channel="link",
                at=case.rated_at or case.closed_at or case.updated_at,
            )
        )
    CaseRating.objects.using(db).bulk_create(rows, batch_size=1000)
    totals = {}
    for (case_id, _closure), rating in counted.items():
        rated, satisfied = totals.get(case_id, (0, 0))
        totals[case_id] = (rated + 1, satisfied + (rating in SATISFIED))
    # The rollups count these two fields: rebuild_dashboard_rollups after migrating (the deploy
    # and the demo loader do).
    for case_id, (rated, satisfied) in totals.items():
        Case._base_manager.using(db).filter(pk=case_id).update(
            rated_closures=rated, satisfied_closures=satisfied
        )


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0012_case_client_key_withdraw_add_info"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="rated_closures",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="已评价结案次数"),
        ),
        migrations.AddField(
            model_name="case",
            name="satisfied_closures",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="满意结案次数"),
        ),
        migrations.CreateModel(
            name="CaseRating",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("closure", models.PositiveSmallIntegerField(verbose_name="结案轮次")),
                (
                    "rating",
                    models.CharField(
                        choices=[
                            ("satisfied", "满意"),
                            ("basically", "基本满意"),
                            ("unsatisfied", "不满意"),
                        ],
                        max_length=20,
                        verbose_name="评价",
                    ),
                ),
                ("comment", models.CharField(blank=True, max_length=500, verbose_name="评价意见")),
                ("resolved", models.BooleanField(blank=True, null=True, verbose_name="是否解决")),
                ("counted", models.BooleanField(default=True, verbose_name="计入满意率")),
                (
                    "channel",
                    models.CharField(
                        choices=[
                            ("link", "查询码链接"),
                            ("resident", "居民账号"),
                            ("return_visit", "回访记录"),
                        ],
                        max_length=20,
                        verbose_name="评价渠道",
                    ),
                ),
                ("at", models.DateTimeField(db_index=True, verbose_name="评价时间")),
                (
                    "case",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="ratings",
                        to="cases.case",
                        verbose_name="案件",
                    ),
                ),
                (
                    "rated_by",
                    models.ForeignKey(
                        blank=True,
                        help_text="空:报告人通过查询码评价",
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="评价人",
                    ),
                ),
            ],
            options={
                "verbose_name": "评价记录",
                "verbose_name_plural": "评价记录",
                "ordering": ["at", "id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("counted", True)),
                        fields=("case", "closure"),
                        name="case_rating_one_counted_per_closure",
                    )
                ],
            },
        ),
        migrations.RunPython(carry_ratings, migrations.RunPython.noop),
    ]
