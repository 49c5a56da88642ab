"""Model plumbing shared by every app (no domain here)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImmutableQuerySet(models.QuerySet):
    """Log and history rows are never changed or removed, not even in bulk."""

    def update(self, **kwargs):
        raise ValueError(f"{self.model.__name__} rows are immutable")

    def delete(self):
        raise ValueError(f"{self.model.__name__} rows are immutable")


class ImmutableModel(models.Model):
    """An append-only row (history, access logs, delivery attempts): it is written once; a save of
    a stored row, a delete and a bulk update or delete raise ValueError. Cascades from a parent
    still apply (the database decides those)."""

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are immutable")


class PeriodicRun(models.Model):
    """定时任务运行记录: the claim of one periodic job for one period (core/periodic.py). The
    unique (job, period) pair is the lock: of all the nodes running `manage.py run_periodic`, the
    one whose insert succeeds runs the job for that period; the others skip it."""

    job = models.CharField(_("任务"), max_length=64)
    period_start = models.DateTimeField(_("周期开始"))
    node = models.CharField(_("执行节点"), max_length=200)
    started_at = models.DateTimeField(_("开始执行时间"))
    finished_at = models.DateTimeField(_("执行完毕时间"), null=True, blank=True)
    outcome = models.TextField(_("结果"), blank=True)

    class Meta:
        verbose_name = _("定时任务运行记录")
        verbose_name_plural = _("定时任务运行记录")
        ordering = ["-period_start", "job"]
        constraints = [
            models.UniqueConstraint(fields=["job", "period_start"], name="periodic_run_once")
        ]

    def __str__(self):
        return f"{self.job} @ {self.period_start:%Y-%m-%d %H:%M:%S}"
