"""The one filter of case lists: the API's `GET /api/cases/` and the console's queues.

`CaseFilter` says what each filter means, once (as NetBox serves its UI and its API from one
FilterSet). Query parameters, all optional and combined with AND:

- `q`: text in the case number or the description;
- `status` (repeatable), `source`, `warning` (yellow/red), `needs_manual_location`;
- `category`: a category id; a top-level class (e.g. 01 市容环境) includes its second levels;
- `community`, `micro_grid`: a grid by its code (GB/T 30428, 9 digits or more: the micro-grid's
  15) or by its id (the console's choices send ids, the API's clients usually codes);
- `department`: the id of the department the case is dispatched to;
- `overdue`: true/false — cases.clock's one meaning of 超期 (the running clock is past its
  deadline), the same as the field `is_overdue`, the console's 超期 tab and the dashboard;
- `date_from`, `date_to`: local days of the report, both included (YYYY-MM-DD);
  `reported_after`, `reported_before`: instants (ISO 8601), `reported_before` excluded.

The filters narrow a queryset already limited to what the user may see (scope_cases), so a
grid or department outside the user's scope gives an empty list, never somebody else's cases.
The API answers a malformed value with a 400; the console shows its error next to the field and
ignores it. The console passes its own form (its choices limited to the user's grids) to the
same filters: a choice arrives as the model object instead of its id, with the same meaning.
"""

import datetime

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.cases import clock
from civicgrid.cases.choices import CaseSource, CaseStatus, WarningLevel
from civicgrid.cases.models import Case
from civicgrid.core.forms import FilterForm
from civicgrid.core.inputs import validate_date_range
from civicgrid.grids.models import Grid
from civicgrid.grids.services import grid_by_code

# The shortest grid code (a street: the 6-digit county code and 3 digits); an id is shorter.
MIN_CODE_DIGITS = 9
MAX_SEARCH = 100


def _grid_lookup(value, prefix: str = "") -> dict | None:
    """Which grid `value` names — a Grid (the console's choice), its code or its id — as
    lookup keyword arguments (`prefix` "micro_grid__" for the case's grid); None: no grid."""
    if isinstance(value, Grid):
        return {f"{prefix}pk": value.pk}
    text = str(value).strip()
    if not text.isdigit():
        return None
    if len(text) >= MIN_CODE_DIGITS:
        # A code changed by a split of a 居委 still names its grid (grids.GridCodeHistory).
        grid = grid_by_code(text)
        return {f"{prefix}pk": grid.pk} if grid is not None else {f"{prefix}code": text}
    return {f"{prefix}pk": int(text)}


def _pk(value):
    return getattr(value, "pk", value)


class CaseFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("搜索"), method="filter_text", max_length=MAX_SEARCH, help_text=_("案件编号或描述")
    )
    # No DISTINCT (django-filter's default for a multiple choice): the states are one column of
    # the case, no join can repeat a row, and SELECT DISTINCT would sort every matching case.
    status = django_filters.MultipleChoiceFilter(
        label=_("状态"), choices=CaseStatus.choices, distinct=False
    )
    source = django_filters.ChoiceFilter(label=_("来源"), choices=CaseSource.choices)
    category = django_filters.NumberFilter(
        label=_("类别"),
        method="filter_category",
        help_text=_("类别ID；大类包含其下的小类"),
    )
    community = django_filters.CharFilter(
        label=_("居村"), method="filter_community", help_text=_("居村编码或ID")
    )
    micro_grid = django_filters.CharFilter(
        label=_("微网格"), method="filter_micro_grid", help_text=_("微网格编码或ID")
    )
    department = django_filters.NumberFilter(label=_("处置部门"), method="filter_department")
    needs_manual_location = django_filters.BooleanFilter(label=_("待人工定位"))
    warning = django_filters.ChoiceFilter(
        label=_("预警"),
        field_name="warning_level",
        choices=[(v, label) for v, label in WarningLevel.choices if v],
    )
    overdue = django_filters.BooleanFilter(label=_("超期未处置"), method="filter_overdue")
    date_from = django_filters.DateFilter(
        label=_("上报日期起"), method="filter_date_from", validators=[validate_date_range]
    )
    date_to = django_filters.DateFilter(
        label=_("上报日期止"), method="filter_date_to", validators=[validate_date_range]
    )
    reported_after = django_filters.IsoDateTimeFilter(
        label=_("上报时间起"), field_name="reported_at", lookup_expr="gte"
    )
    reported_before = django_filters.IsoDateTimeFilter(
        label=_("上报时间止"), field_name="reported_at", lookup_expr="lt"
    )

    class Meta:
        form = FilterForm
        model = Case
        fields = []

    def filter_text(self, queryset, name, value):
        text = (value or "").strip()
        if not text:
            return queryset
        # icontains: LIKE on SQLite (case-insensitive for ASCII), UPPER(...) LIKE on PostgreSQL.
        return queryset.filter(Q(number__icontains=text) | Q(description__icontains=text))

    def filter_category(self, queryset, name, value):
        pk = _pk(value)
        return queryset.filter(Q(category_id=pk) | Q(category__parent_id=pk))

    def filter_community(self, queryset, name, value):
        if isinstance(value, Grid):
            path = value.path
        else:
            lookup = _grid_lookup(value)
            path = lookup and Grid.objects.filter(**lookup).values_list("path", flat=True).first()
        if not path:
            return queryset.none()
        return queryset.filter(micro_grid__path__startswith=path)

    def filter_micro_grid(self, queryset, name, value):
        lookup = _grid_lookup(value, "micro_grid__")
        return queryset.filter(**lookup) if lookup else queryset.none()

    def filter_department(self, queryset, name, value):
        return queryset.filter(assigned_department_id=_pk(value))

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        condition = clock.overdue_q(timezone.now())
        return queryset.filter(condition) if value else queryset.exclude(condition)

    @staticmethod
    def _day_start(day: datetime.date) -> datetime.datetime:
        return datetime.datetime.combine(
            day, datetime.time.min, tzinfo=timezone.get_current_timezone()
        )

    def filter_date_from(self, queryset, name, value):
        return queryset.filter(reported_at__gte=self._day_start(value))

    def filter_date_to(self, queryset, name, value):
        return queryset.filter(reported_at__lt=self._day_start(value + datetime.timedelta(days=1)))
