"""Back office for the case loop.

Categories are edited here by the street (admin, 城运中心). Cases are read-mostly: every change
of a case goes through cases.services (the API's action endpoints), so the admin shows a case
and its immutable history but never edits, adds or deletes either. Rows follow the same scoping
as the API (cases.permissions.scope_cases); phones are masked.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from civicgrid.accounts.admin_base import RoleGatedAdmin, RoleGatedMixin
from civicgrid.accounts.choices import Role
from civicgrid.accounts.policy import CATEGORY_EDIT_ROLES
from civicgrid.cases import indicators
from civicgrid.cases.models import CallIn, Case, CaseEvent, Category, ExtensionRequest
from civicgrid.cases.notifications import mask_email
from civicgrid.cases.permissions import scope_cases
from civicgrid.core.forms import DateInput
from civicgrid.registry.pii import mask_phone


@admin.register(Category)
class CategoryAdmin(RoleGatedAdmin):
    change_roles = CATEGORY_EDIT_ROLES
    # Categories with cases are protected by the database anyway; retire them with 启用.
    delete_roles = frozenset()
    list_display = [
        "code",
        "name",
        "family",
        "parent",
        "default_department",
        "filing_limit_minutes",
        "handling_limit_value",
        "handling_limit_unit",
        "is_urgent",
        "is_active",
    ]
    list_editable = [
        "default_department",
        "filing_limit_minutes",
        "handling_limit_value",
        "handling_limit_unit",
        "is_urgent",
        "is_active",
    ]
    list_filter = ["family", "is_urgent", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["parent", "default_department"]

    def get_changelist_formset(self, request, **kwargs):
        """The editable 默认处置部门 column's choices read once for the page: Django builds each
        row's select from its own copy of the queryset, one query per row (a page of 100 rows
        took over a second)."""
        base = super().get_changelist_formset(request, **kwargs)
        shared = {}

        class SharedChoicesFormSet(base):
            def _construct_form(self, i, **form_kwargs):
                form = super()._construct_form(i, **form_kwargs)
                field = form.fields.get("default_department")
                if field is not None:
                    if "choices" not in shared:
                        shared["choices"] = list(field.choices)
                    field.choices = shared["choices"]
                return form

        return SharedChoicesFormSet


class _ReadOnlyInline(RoleGatedMixin, admin.TabularInline):
    # Whoever may see the case sees its history (the row scoping is the case's); nobody writes.
    extra = 0
    can_delete = False
    show_change_link = False


class CaseEventInline(_ReadOnlyInline):
    model = CaseEvent
    fields = ["at", "actor", "action", "from_status", "to_status", "note"]
    readonly_fields = fields
    verbose_name_plural = _("流转记录（不可修改）")


class ExtensionInline(_ReadOnlyInline):
    model = ExtensionRequest
    fields = ["requested_at", "requested_by", "days", "reason", "status", "new_deadline"]
    readonly_fields = fields


class CallInInline(_ReadOnlyInline):
    model = CallIn
    fields = ["requested_at", "requested_by", "reason", "meeting_at", "outcome", "status"]
    readonly_fields = fields


class IndicatorForm(forms.Form):
    start = forms.DateField(label=_("起始日期"), widget=DateInput())
    end = forms.DateField(label=_("截止日期"), widget=DateInput())
    by = forms.ChoiceField(
        label=_("维度"),
        choices=[
            ("street", _("街镇")),
            ("area", _("片区")),
            ("community", _("居村")),
            ("micro_grid", _("微网格")),
            ("department", _("部门")),
            ("category", _("类别")),
            ("reporter", _("上报人")),
        ],
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("截止日期不能早于起始日期"))
        return data


INDICATOR_COLUMNS = [
    ("filed", _("立案数")),
    ("due", _("应结案数")),
    ("closed", _("结案数")),
    ("closure_rate", _("结案率%")),
    ("on_time_closure_rate", _("按期结案率%")),
    ("handling_rate", _("处置率%")),
    ("on_time_handling_rate", _("按期处置率%")),
    ("rework_rate", _("返工率%")),
    ("overdue_rate", _("超期率%")),
    ("extension_rate", _("延期率%")),
    ("satisfaction_rate", _("满意率%")),
    ("valid_report_rate", _("有效上报率%")),
    ("on_time_verification_rate", _("按时核实率%")),
    ("resolution_rate", _("解决率%")),
    ("first_contact_rate", _("先行联系及时率%")),
    ("hurried", _("催办件数")),
    ("avg_handling_hours", _("平均处置用时（工作小时）")),
    ("grade", _("等级")),
]


@admin.register(Case)
class CaseAdmin(RoleGatedAdmin):
    # Read-only: every change of a case goes through cases.services.
    scope = scope_cases
    change_list_template = "admin/cases/case_change_list.html"
    list_display = [
        "number",
        "status",
        "source",
        "category",
        "micro_grid",
        "assigned_department",
        "reported_at",
        "handling_deadline",
        "warning_level",
        "is_suspended",
    ]
    list_filter = [
        "status",
        "warning_level",
        "source",
        "is_suspended",
        "needs_manual_location",
        "category__family",
    ]
    search_fields = ["number", "external_ticket", "address"]
    list_select_related = ["category", "micro_grid", "assigned_department"]
    date_hierarchy = "reported_at"
    inlines = [CaseEventInline, ExtensionInline, CallInInline]
    exclude = ["reporter_phone", "reporter_email", "public_token"]

    @admin.display(description=_("上报人电话"))
    def masked_phone(self, obj):
        return mask_phone(obj.reporter_phone)

    @admin.display(description=_("上报人电子邮箱"))
    def masked_email(self, obj):
        return mask_email(obj.reporter_email)

    def get_readonly_fields(self, request, obj=None):
        names = [f.name for f in Case._meta.fields if f.name not in self.exclude]
        return [*names, "masked_phone", "masked_email"]

    def get_urls(self):
        extra = [
            path(
                "indicators/",
                self.admin_site.admin_view(self.indicators_view),
                name="cases_indicators",
            )
        ]
        return extra + super().get_urls()

    def indicators_view(self, request):
        """综合评价 over the cases the user may see (definitions: cases.indicators)."""
        if not self.has_view_permission(request) or request.user.effective_role == Role.RESIDENT:
            raise PermissionDenied
        today = timezone.localdate()
        initial = {"start": today.replace(day=1), "end": today, "by": "community"}
        form = IndicatorForm(request.GET or initial)
        rows = []
        if form.is_valid():
            start, end = indicators.period(form.cleaned_data["start"], form.cleaned_data["end"])
            for row in indicators.compute(request.user, start, end, form.cleaned_data["by"]):
                row["values"] = [row[key] for key, _label in INDICATOR_COLUMNS]
                rows.append(row)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": _("综合评价"),
            "form": form,
            "rows": rows,
            "columns": INDICATOR_COLUMNS,
        }
        return TemplateResponse(request, "admin/cases/indicators.html", context)
