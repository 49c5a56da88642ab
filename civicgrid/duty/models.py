from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.duty.choices import DutyRole, SupervisionStatus


class DutyShift(models.Model):
    """值班表的一班 (a shift of the duty roster): who is 值班长 or 带班领导 from when to when
    (seed 003: "抓好防汛值班制度,加强领导带班"). `services.on_duty(role, at)` reads it: the
    值班长 on duty is asked to approve, the 带班领导 on duty leads the shift."""

    role = models.CharField(_("值班岗位"), max_length=20, choices=DutyRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("值班人员"),
        on_delete=models.PROTECT,
        related_name="duty_shifts",
    )
    starts_at = models.DateTimeField(_("开始时间"), db_index=True)
    ends_at = models.DateTimeField(_("结束时间"), db_index=True)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("排班人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("值班安排")
        verbose_name_plural = _("值班安排")
        ordering = ["starts_at", "role", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="duty_shift_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.user} {self.starts_at:%Y-%m-%d %H:%M}"


class Supervision(models.Model):
    """督办件: a 带班领导's instruction on a case, with a deadline, sent to whoever handles it and
    answered by them (services.do_supervise, do_answer_supervision)."""

    case = models.ForeignKey(
        "cases.Case",
        verbose_name=_("案件"),
        on_delete=models.PROTECT,
        related_name="supervisions",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("督办人"),
        on_delete=models.PROTECT,
        related_name="supervisions_given",
    )
    instruction = models.TextField(_("督办意见"))
    deadline = models.DateTimeField(_("办理时限"))
    status = models.CharField(
        _("状态"),
        max_length=20,
        choices=SupervisionStatus.choices,
        default=SupervisionStatus.OPEN,
        db_index=True,
    )
    created_at = models.DateTimeField(_("督办时间"), default=timezone.now, db_index=True)
    answer = models.TextField(_("答复"), blank=True)
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("答复人"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("督办件")
        verbose_name_plural = _("督办件")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.case_id} · {self.get_status_display()}"

    @property
    def is_overdue(self) -> bool:
        end = self.answered_at or timezone.now()
        return end > self.deadline


class Liaison(models.Model):
    """联系居委 (a department's liaison): a member of a department's staff linked to one or two
    居委 they keep in touch with (seed 000: "每一名党员联系一到两个居委会")."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("联系人"),
        on_delete=models.PROTECT,
        related_name="liaisons",
    )
    community = models.ForeignKey(
        "grids.Grid",
        verbose_name=_("联系居村"),
        on_delete=models.PROTECT,
        related_name="liaisons",
        limit_choices_to={"level": "community"},
    )
    since = models.DateField(_("联系起始日期"), default=timezone.localdate)

    class Meta:
        verbose_name = _("联系居委")
        verbose_name_plural = _("联系居委")
        ordering = ["community__code", "user_id"]
        constraints = [
            models.UniqueConstraint(fields=["user", "community"], name="liaison_unique_pair"),
        ]

    def __str__(self):
        return f"{self.user} → {self.community}"
