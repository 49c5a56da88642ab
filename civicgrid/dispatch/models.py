"""智能派单: trained text models, the 权责清单, auto-dispatch rules, suggestions and their history.

The text model predicts only a case's category; the department comes from the 权责清单
(`Responsibility`: category → department, per 片区 where it differs, else the street's row, else
the category's default department). A suggestion is made once per report, after the report's
commit (dispatch.tasks), and its outcome — accepted, corrected, or dispatched by the system — is
recorded when the case is filed, whoever files it and through whichever surface.
Every change goes through dispatch.services; `DispatchLog` is the immutable history.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from civicgrid.core.models import ImmutableModel
from civicgrid.dispatch.choices import LogAction, Outcome, Trigger
from civicgrid.grids.choices import GridLevel


def _by(name=None):
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=name or _("操作人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )


class TrainedModel(models.Model):
    """派单模型: one trained text model, stored with what it saw and how well it did.

    `blob` is the fitted dispatch.classifier.DispatchModel (joblib); `labels` maps each label
    (a category's id) to the category's name at training time, so a model stays readable after
    a category is renamed. At most one row is active (a partial unique constraint)."""

    created_at = models.DateTimeField(_("训练时间"))
    created_by = _by(_("训练人"))
    trigger = models.CharField(_("训练来源"), max_length=20, choices=Trigger.choices)
    recipe = models.CharField(_("算法"), max_length=200)
    blob = models.BinaryField(_("模型数据"))
    is_active = models.BooleanField(_("启用"), default=False)
    sample_count = models.PositiveIntegerField(_("训练案件数"))
    data_from = models.DateTimeField(_("数据起"), null=True, blank=True)
    data_to = models.DateTimeField(_("数据止"), null=True, blank=True)
    data_hash = models.CharField(_("数据指纹"), max_length=64)
    labels = models.JSONField(_("类别"), default=dict)
    accuracy = models.FloatField(_("准确率"))
    top2_accuracy = models.FloatField(_("前二准确率"))
    # Per-class precision and recall, the confusion matrix (rows: truth, columns: prediction, in
    # metrics["labels"] order), measured on a held-out fifth before the final fit on all data.
    metrics = models.JSONField(_("评估指标"), default=dict)
    libraries = models.JSONField(_("依赖库版本"), default=dict)
    training_seconds = models.FloatField(_("训练耗时（秒）"))

    class Meta:
        verbose_name = _("派单模型")
        verbose_name_plural = _("派单模型")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_active"], condition=Q(is_active=True), name="dispatch_one_active"
            )
        ]

    def __str__(self):
        return f"#{self.pk} {self.created_at:%Y-%m-%d %H:%M} ({self.accuracy:.1%})"


class Responsibility(models.Model):
    """权责清单: which department handles a category, street-wide or in one 片区."""

    category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("类别"),
        on_delete=models.CASCADE,
        related_name="+",
        limit_choices_to={"parent__isnull": False},
    )
    area = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("片区"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        limit_choices_to={"level": GridLevel.AREA},
        help_text=_("留空：全街道适用；填写：仅该片区，优先于全街道的设置"),
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("责任部门"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = _("权责清单")
        verbose_name_plural = _("权责清单")
        ordering = ["category__family", "category__code", "area__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["category"], condition=Q(area__isnull=True), name="dispatch_resp_street"
            ),
            models.UniqueConstraint(fields=["category", "area"], name="dispatch_resp_area"),
        ]

    def __str__(self):
        return f"{self.category.name} → {self.department.name}"


class AutoDispatchRule(models.Model):
    """自动派单规则: whether the system files and dispatches a category's reports itself, and
    above which confidence. Off unless the street turns it on."""

    category = models.OneToOneField(
        "cases.Category", verbose_name=_("类别"), on_delete=models.CASCADE, related_name="+"
    )
    enabled = models.BooleanField(_("自动派单"), default=False)
    threshold = models.FloatField(_("置信度阈值"))

    class Meta:
        verbose_name = _("自动派单规则")
        verbose_name_plural = _("自动派单规则")
        ordering = ["category__family", "category__code"]
        constraints = [
            models.CheckConstraint(
                condition=Q(threshold__gte=0) & Q(threshold__lte=1),
                name="dispatch_rule_threshold_0_1",
            )
        ]

    def __str__(self):
        return f"{self.category.name} ≥ {self.threshold:.2f}"


class Suggestion(models.Model):
    """派单建议: the model's category for one report, the runners-up, the reason, the routed
    department, and what the desk (or the system) did with it."""

    case = models.OneToOneField(
        "cases.Case", verbose_name=_("案件"), on_delete=models.CASCADE, related_name="+"
    )
    model = models.ForeignKey(
        TrainedModel, verbose_name=_("模型"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("生成时间"))
    category = models.ForeignKey(
        "cases.Category", verbose_name=_("建议类别"), on_delete=models.PROTECT, related_name="+"
    )
    confidence = models.FloatField(_("置信度"))
    # [{"category": id, "name": …, "p": 0.71}, …] best first, three at most.
    alternatives = models.JSONField(_("备选类别"), default=list)
    reasons = models.JSONField(_("依据"), default=list)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("建议部门"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    outcome = models.CharField(
        _("结果"), max_length=20, choices=Outcome.choices, default=Outcome.PENDING, db_index=True
    )
    final_category = models.ForeignKey(
        "cases.Category",
        verbose_name=_("最终类别"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    is_correct = models.BooleanField(_("建议正确"), null=True, blank=True)
    decided_by = _by(_("确认人"))
    decided_at = models.DateTimeField(_("确认时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("派单建议")
        verbose_name_plural = _("派单建议")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.case_id}: {self.category.name} ({self.confidence:.0%})"


class DispatchLog(ImmutableModel):
    """派单记录: one immutable row per step of smart dispatch (a suggestion, a decision, an
    automatic dispatch, a training, an activation, a change of the rules or the 权责清单)."""

    at = models.DateTimeField(_("时间"))
    user = _by()
    action = models.CharField(_("动作"), max_length=30, choices=LogAction.choices)
    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("案件"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    data = models.JSONField(_("内容"), default=dict, blank=True)

    class Meta:
        verbose_name = _("派单记录")
        verbose_name_plural = _("派单记录")
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["action", "at"])]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_action_display()}"
