"""Admin for the working-day calendar: enter a year's notice, correct a day.

Every save goes through workcalendar.services (validated, one transaction, revision bumped), so a
change reaches every process. Any back-office user may look; the system administrator and the
city-operations centre (城运中心) may change. Years are never deleted here: a year is withdrawn by
unticking 已公布, after which deadlines over it fall back to Monday–Friday and say so.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.admin_base import RoleGatedAdmin
from civicgrid.accounts.policy import CALENDAR_EDIT_ROLES
from civicgrid.workcalendar import services
from civicgrid.workcalendar.choices import DayKind
from civicgrid.workcalendar.models import CalendarDay, CalendarYear
from civicgrid.workcalendar.notice import NoticeError, notice_lines, parse_notice

WEEKDAYS = "一二三四五六日"

NOTICE_SYNTAX_HELP = _(
    "每行一项：[节日名称=]开始日期[：结束日期]，日期写作 YYYY-MM-DD，例如 “国庆节=2027-10-01:2027-10-07”。"
)


class CalendarEditorAdmin(RoleGatedAdmin):
    # Any back-office user looks; the editors of services.may_edit_calendar change; years are
    # withdrawn (已公布 unticked), never deleted.
    change_roles = CALENDAR_EDIT_ROLES
    delete_roles = frozenset()


class CalendarYearForm(forms.ModelForm):
    """A year's notice as text: its holidays and its adjusted working days (调休上班)."""

    holidays = forms.CharField(
        label=_("放假日期"),
        widget=forms.Textarea(attrs={"rows": 8, "cols": 60}),
        required=False,
        help_text=NOTICE_SYNTAX_HELP + _("整段假期连同其中的周末一并填写。"),
    )
    workdays = forms.CharField(
        label=_("调休上班日期"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        required=False,
        help_text=_("只能是周六或周日，例如 “国庆节=2027-10-09”。"),
    )

    class Meta:
        model = CalendarYear
        fields = ["year", "notice", "published"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.notice = None
        if "year" not in self.fields:
            return  # a reader's form (view permission only): every field is shown read-only
        if self.instance.pk:
            self.fields["year"].disabled = True
            days = self.instance.days.filter(
                kind__in=[DayKind.HOLIDAY, DayKind.ADJUSTED_WORKDAY]
            ).values_list("date", "kind", "holiday_name")
            holidays = {d: n for d, k, n in days if k == DayKind.HOLIDAY}
            workdays = {d: n for d, k, n in days if k == DayKind.ADJUSTED_WORKDAY}
            self.current_days = (holidays, workdays)
            self.initial["holidays"], self.initial["workdays"] = notice_lines(holidays, workdays)
            self.fields["holidays"].help_text = self.fields["holidays"].help_text + _(
                "修改放假或调休日期后保存，将按此重新生成全年日期（手工修改过的日期以此为准）。"
            )
        else:
            self.fields["published"].widget = forms.HiddenInput()
            self.initial["published"] = True
            self.fields["holidays"].required = True

    @property
    def days_changed(self) -> bool:
        """Whether the holidays or adjusted days differ from what is stored (compared as dates,
        not as text, so saving only a new notice reference keeps hand corrections and notes)."""
        if not self.instance.pk:
            return True
        if self.notice is None:
            return False
        return (self.notice.holidays, self.notice.workdays) != self.current_days

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        year = cleaned.get("year") if not self.instance.pk else self.instance.year
        try:
            self.notice = parse_notice(
                year, cleaned.get("holidays"), cleaned.get("workdays"), cleaned.get("notice")
            )
        except NoticeError as exc:
            for field_name, messages in exc.by_field().items():
                for message in messages:
                    self.add_error(field_name if field_name in self.fields else None, message)
        return cleaned


@admin.register(CalendarYear)
class CalendarYearAdmin(CalendarEditorAdmin):
    form = CalendarYearForm
    list_display = [
        "year",
        "published",
        "notice",
        "holiday_count",
        "adjusted_count",
        "days_link",
        "published_at",
        "published_by",
    ]
    list_filter = ["published"]
    list_select_related = ["published_by"]
    readonly_fields = ["published_at", "published_by"]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                holiday_total=Count("days", filter=Q(days__kind=DayKind.HOLIDAY)),
                adjusted_total=Count("days", filter=Q(days__kind=DayKind.ADJUSTED_WORKDAY)),
            )
        )

    def get_fields(self, request, obj=None):
        fields = ["year", "notice", "published", "holidays", "workdays"]
        return fields + (["published_at", "published_by"] if obj else [])

    @admin.display(description=_("放假天数"), ordering="holiday_total")
    def holiday_count(self, obj):
        return obj.holiday_total

    @admin.display(description=_("调休上班天数"), ordering="adjusted_total")
    def adjusted_count(self, obj):
        return obj.adjusted_total

    @admin.display(description=_("逐日"))
    def days_link(self, obj):
        url = reverse("admin:workcalendar_calendarday_changelist")
        return format_html('<a href="{}?calendar_year__id__exact={}">查看/修改</a>', url, obj.pk)

    def save_model(self, request, obj, form, change):
        try:
            if form.days_changed:
                saved = services.publish_year(
                    form.notice.year,
                    form.notice.holidays,
                    form.notice.workdays,
                    form.cleaned_data.get("notice", ""),
                    user=request.user,
                )
                if change and not form.cleaned_data.get("published"):
                    saved = services.update_year(
                        saved, notice=saved.notice, published=False, user=request.user
                    )
            else:
                saved = services.update_year(
                    obj,
                    notice=form.cleaned_data.get("notice", ""),
                    published=form.cleaned_data.get("published", False),
                    user=request.user,
                )
        except (NoticeError, ValidationError) as exc:  # validated in the form; a race at worst
            raise ValidationError(str(exc)) from exc
        obj.pk = saved.pk
        obj.refresh_from_db()


class WeekdayFilter(admin.SimpleListFilter):
    title = _("星期")
    parameter_name = "weekday"

    def lookups(self, request, model_admin):
        return [(str(i), f"周{WEEKDAYS[i - 1]}") for i in range(1, 8)]

    def queryset(self, request, queryset):
        if self.value() and self.value().isdigit():
            # Django's week_day runs Sunday=1 … Saturday=7; iso_week_day Monday=1 … Sunday=7.
            return queryset.filter(date__iso_week_day=int(self.value()))
        return queryset


class CalendarDayForm(forms.ModelForm):
    class Meta:
        model = CalendarDay
        fields = ["kind", "holiday_name", "note"]


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarEditorAdmin):
    add_roles = frozenset()  # a year's days all come with its notice
    form = CalendarDayForm
    list_display = ["date", "weekday", "kind", "holiday_name", "source", "note", "updated_at"]
    list_editable = ["kind", "holiday_name", "note"]
    list_filter = ["calendar_year", "kind", "source", WeekdayFilter]
    date_hierarchy = "date"
    search_fields = ["holiday_name", "note"]
    list_per_page = 100
    fields = ["date", "weekday", "calendar_year", "kind", "holiday_name", "note", "source"]
    readonly_fields = ["date", "weekday", "calendar_year", "source"]

    @admin.display(description=_("星期"))
    def weekday(self, obj):
        return f"周{WEEKDAYS[obj.date.isoweekday() - 1]}"

    def save_model(self, request, obj, form, change):
        saved = services.correct_day(
            obj,
            kind=form.cleaned_data["kind"],
            holiday_name=form.cleaned_data.get("holiday_name", ""),
            note=form.cleaned_data.get("note", ""),
            user=request.user,
        )
        obj.source = saved.source
