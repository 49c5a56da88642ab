"""The residents' satisfaction survey (居民满意度测评; seeds 000/001: "获得感、幸福感、满意度").

A survey runs for a period in one 居村 or the whole street; residents answer each of its items on
a five-point scale and may leave a comment. Answers change only through survey.services; once
given they are never edited (their rows refuse update and delete).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

MIN_SCORE, MAX_SCORE = 1, 5


class Survey(models.Model):
    """测评: a period, a 居村 (or the whole street when empty), its items, open while active."""

    title = models.CharField(_("测评名称"), max_length=100)
    community = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("居村"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="surveys",
        help_text=_("不选表示全街道"),
    )
    start_date = models.DateField(_("开始日期"))
    end_date = models.DateField(_("结束日期"))
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("满意度测评")
        verbose_name_plural = _("满意度测评")
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")),
                name="survey_end_after_start",
            ),
        ]

    def __str__(self):
        return self.title


class SurveyItem(models.Model):
    """测评项: one five-point question of a survey (获得感, 幸福感, 满意度 …)."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("测评"), on_delete=models.CASCADE, related_name="items"
    )
    name = models.CharField(_("测评项"), max_length=30)
    order = models.PositiveIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("测评项")
        verbose_name_plural = _("测评项")
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["survey", "name"], name="survey_item_once"),
        ]

    def __str__(self):
        return self.name


class ImmutableQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise TypeError("survey answers are never changed")

    def delete(self):
        raise TypeError("survey answers are never deleted")


class SurveyAnswer(models.Model):
    """答卷: one resident's answer to a survey — by account, or by phone for a visitor; one per
    survey each. `community` is the 居村 it counts for."""

    survey = models.ForeignKey(
        Survey, verbose_name=_("测评"), on_delete=models.PROTECT, related_name="answers"
    )
    community = models.ForeignKey(
        "grids.Grid", verbose_name=_("居村"), on_delete=models.PROTECT, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("居民账号"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    phone = models.CharField(_("手机号"), max_length=32, blank=True)
    comment = models.CharField(_("意见建议"), max_length=500, blank=True)
    answered_at = models.DateTimeField(_("提交时间"), db_index=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = _("测评答卷")
        verbose_name_plural = _("测评答卷")
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "user"],
                condition=models.Q(user__isnull=False),
                name="survey_answer_once_per_user",
            ),
            models.UniqueConstraint(
                fields=["survey", "phone"],
                condition=~models.Q(phone=""),
                name="survey_answer_once_per_phone",
            ),
        ]

    def __str__(self):
        return f"{self.survey} {self.answered_at:%Y-%m-%d}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("survey answers are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("survey answers are never deleted")


class SurveyScore(models.Model):
    """评分: the score (1–5) one answer gives one item."""

    answer = models.ForeignKey(
        SurveyAnswer, verbose_name=_("答卷"), on_delete=models.PROTECT, related_name="scores"
    )
    item = models.ForeignKey(
        SurveyItem, verbose_name=_("测评项"), on_delete=models.PROTECT, related_name="scores"
    )
    score = models.PositiveSmallIntegerField(_("分数"))

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        verbose_name = _("评分")
        verbose_name_plural = _("评分")
        constraints = [
            models.UniqueConstraint(fields=["answer", "item"], name="survey_score_once"),
            models.CheckConstraint(
                condition=models.Q(score__gte=MIN_SCORE, score__lte=MAX_SCORE),
                name="survey_score_one_to_five",
            ),
        ]

    def __str__(self):
        return f"{self.item} {self.score}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise TypeError("survey scores are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise TypeError("survey scores are never deleted")
