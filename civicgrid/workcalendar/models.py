from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from civicgrid.workcalendar.choices import WORKING_KINDS, DayKind, DaySource


class CalendarYear(models.Model):
    """One year of the working-day calendar (工作日历) and the notice it was entered from.

    `published` means the State Council's holiday notice for the year has been entered and every
    day of the year is stored as a CalendarDay. Deadlines that reach a year that is not published
    fall back to plain Monday–Friday and say so (see workcalendar.services).
    """

    year = models.PositiveSmallIntegerField(_("年份"), unique=True)
    published = models.BooleanField(
        _("已公布"), default=False, help_text=_("已录入当年国务院办公厅节假日安排通知")
    )
    notice = models.CharField(
        _("通知依据"),
        max_length=300,
        blank=True,
        help_text=_("例如：国务院办公厅关于2027年部分节假日安排的通知（国办发明电〔2026〕×号）"),
    )
    published_at = models.DateTimeField(_("公布录入时间"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("录入人"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("日历年度")
        verbose_name_plural = _("日历年度")
        ordering = ["-year"]

    def __str__(self):
        return f"{self.year}年"


class CalendarDay(models.Model):
    """One day of a published year: workday, weekend, statutory holiday or adjusted working day.

    Every day of the year is stored (about 365 rows a year, a few thousand in all) rather than only
    the exceptions: an operator correcting a day edits one visible row, and a year is complete or
    absent, never half-known. `holiday_name` names the holiday a day off or an adjusted working
    day (调休上班) belongs to, e.g. 国庆节.
    """

    calendar_year = models.ForeignKey(
        CalendarYear, verbose_name=_("年度"), on_delete=models.CASCADE, related_name="days"
    )
    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=20, choices=DayKind.choices)
    holiday_name = models.CharField(_("节日名称"), max_length=40, blank=True)
    source = models.CharField(
        _("来源"), max_length=20, choices=DaySource.choices, default=DaySource.MANUAL
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("日历日")
        verbose_name_plural = _("日历日")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date.isoformat()} {self.get_kind_display()}"

    @property
    def is_working(self) -> bool:
        return self.kind in WORKING_KINDS

    def clean(self):
        if self.date is None or not self.kind:
            return
        weekend = self.date.isoweekday() >= 6
        errors = {}
        if weekend and self.kind == DayKind.WORKDAY:
            errors["kind"] = _("%(date)s 是周末，周末上班请选“调休上班”") % {"date": self.date}
        elif not weekend and self.kind in (DayKind.WEEKEND, DayKind.ADJUSTED_WORKDAY):
            errors["kind"] = _("%(date)s 是周一至周五，只能是“工作日”或“法定节假日”") % {
                "date": self.date
            }
        if self.kind in (DayKind.WORKDAY, DayKind.WEEKEND) and self.holiday_name.strip():
            errors["holiday_name"] = _("只有法定节假日和调休上班日填写节日名称")
        if self.calendar_year_id and self.calendar_year.year != self.date.year:
            errors["date"] = _("日期不在%(year)s年内") % {"year": self.calendar_year.year}
        if errors:
            raise ValidationError(errors)


class CalendarRevision(models.Model):
    """A counter bumped in the same transaction as any change to the calendar.

    Each process keeps the calendar in memory and compares this one row with the revision its copy
    was loaded at, so an edit made in the admin (another process) reaches every web and task worker.
    """

    revision = models.PositiveBigIntegerField(_("版本"), default=0)
    # A fresh random value with every bump, so a rolled-back bump never matches a later one.
    token = models.UUIDField(_("版本标识"), null=True, blank=True)
    changed_at = models.DateTimeField(_("变更时间"), auto_now=True)

    class Meta:
        verbose_name = _("工作日历版本")
        verbose_name_plural = _("工作日历版本")

    def __str__(self):
        return f"r{self.revision}"
