"""Admin for the registries: scoped by role, personal data masked, full views explicit and logged.

Access follows the user's role (accounts.policy.REGISTRY_VIEW_ROLES, as registry.permissions),
not Django model permissions, within the back office (accounts.adminsite.may_use_admin:
administrators, 城运中心, 居委 staff; grid staff and leaders see the registry in the web front and
the API). Rows are filtered with grids.scoping through services.scoped.
"""

import csv

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from civicgrid.accounts.admin_base import RoleGatedAdmin, RoleGatedMixin
from civicgrid.accounts.policy import FULL_PII_ROLES, READ_ONLY_ROLES, REGISTRY_VIEW_ROLES
from civicgrid.core.csvsafe import safe_row
from civicgrid.core.masking import birth_year, mask_id_number, mask_phone
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.scoping import visible_grids
from civicgrid.registry import services
from civicgrid.registry.choices import CareTag, DwellingUse, Tenure
from civicgrid.registry.filters import care_tag_q
from civicgrid.registry.imports import (
    ImportFileError,
    import_residents,
    template_csv,
    template_xlsx,
)
from civicgrid.registry.models import (
    Address,
    Household,
    PersonalDataAccess,
    RentalRegistration,
    Resident,
)
from civicgrid.registry.validators import validate_resident_id

# The resident fields a back-office form edits, in the order a 居委 register lists them.
RESIDENT_FORM_FIELDS = [
    "household",
    "name",
    "gender",
    "birth_date",
    "id_type",
    "id_number",
    "phone",
    "relation_to_head",
    "is_registered",
    "lives_here",
    "care_tags",
]


def in_scope(queryset, user):
    """The rows of the user's grids (services.scoped, by grids.scoping)."""
    return services.scoped(queryset.model, user, queryset)


# Who looks at the registry and who changes it (registry.permissions says the same for the API).
REGISTRY_CHANGE_ROLES = REGISTRY_VIEW_ROLES - READ_ONLY_ROLES


class RegistryAdmin(RoleGatedAdmin):
    """Role decides the verbs, scoping decides the rows."""

    view_roles = REGISTRY_VIEW_ROLES
    change_roles = REGISTRY_CHANGE_ROLES
    scope = in_scope


# --- list filters -------------------------------------------------------------------------------


class _GridFilter(admin.SimpleListFilter):
    level = None
    prefix = ""  # path from the listed model to Address

    def lookups(self, request, model_admin):
        grids = visible_grids(request.user).filter(level=self.level).order_by("code")
        return [(g.code, g.name) for g in grids]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(
            **{f"{self.prefix}building_group__path__contains": f"/{self.value()}/"}
        )


def grid_filter(level, title, prefix):
    return type(
        f"{level}Filter{prefix.replace('__', '_')}",
        (_GridFilter,),
        {"level": level, "title": title, "parameter_name": level, "prefix": prefix},
    )


class CareTagFilter(admin.SimpleListFilter):
    title = gettext_lazy("关爱标签")
    parameter_name = "care_tag"

    def lookups(self, request, model_admin):
        return CareTag.choices

    def queryset(self, request, queryset):
        return care_tag_q(queryset, "care_tags", self.value())


# --- addresses ----------------------------------------------------------------------------------


@admin.register(Address)
class AddressAdmin(RegistryAdmin):
    list_display = ["normalized", "building_group", "micro_grid", "household_total"]
    list_select_related = ["building_group", "micro_grid"]
    list_filter = [
        grid_filter(GridLevel.COMMUNITY, gettext_lazy("居村"), ""),
        grid_filter(GridLevel.MICRO_GRID, gettext_lazy("微网格"), ""),
    ]
    search_fields = ["normalized"]
    fields = ["road", "lane", "number", "building", "room", "building_group", "lon", "lat"]
    readonly_fields = []

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(household_total=Count("households"))

    @admin.display(description=gettext_lazy("户数"), ordering="household_total")
    def household_total(self, obj):
        return obj.household_total

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "building_group":
            kwargs["queryset"] = services.visible_building_groups(request.user).order_by("code")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.save_address(obj, user=request.user)

    def delete_model(self, request, obj):
        services.delete_object(obj, user=request.user)


# --- residents ----------------------------------------------------------------------------------


MASKED_FIELDS = {
    "id_number": "masked_id_number",
    "phone": "masked_phone",
    "birth_date": "masked_birth_date",
}


def _mask_read_only(fields):
    """For view-only users the admin renders every field as text: show the masks instead."""
    return [MASKED_FIELDS.get(f, f) for f in fields]


class MaskedDisplayMixin:
    @admin.display(description=gettext_lazy("证件号码"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number) if obj else ""

    @admin.display(description=gettext_lazy("手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone) if obj else ""

    @admin.display(description=gettext_lazy("出生年份"))
    def masked_birth_date(self, obj):
        # Beside a masked ID only the year: the full date would narrow the hidden digits.
        return birth_year(obj.birth_date) if obj else None

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if not self.has_change_permission(request, obj):
            fields = _mask_read_only(fields)
        return fields

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        return readonly + [f for f in MASKED_FIELDS.values() if f not in readonly]


class ResidentAdminForm(forms.ModelForm):
    """The raw ID number and phone are never put into an input; blank keeps the stored value."""

    id_number = forms.CharField(label=gettext_lazy("证件号码"), required=False, max_length=32)
    phone = forms.CharField(label=gettext_lazy("手机号"), required=False, max_length=32)
    birth_date = forms.DateField(label=gettext_lazy("出生日期"), required=False)
    care_tags = forms.MultipleChoiceField(
        label=gettext_lazy("关爱标签"),
        choices=CareTag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Resident
        fields = RESIDENT_FORM_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial["id_number"] = ""
        self.initial["phone"] = ""
        self.initial["birth_date"] = None
        if self.instance.pk:
            year = birth_year(self.instance.birth_date)
            self.fields["birth_date"].help_text = (
                _("当前：%(y)s年；留空则不修改") % {"y": year} if year else _("当前未填写")
            )
            for name, mask in (("id_number", mask_id_number), ("phone", mask_phone)):
                current = getattr(self.instance, name)
                self.fields[name].help_text = (
                    _("当前：%(v)s；留空则不修改") % {"v": mask(current)}
                    if current
                    else _("当前未填写")
                )

    def _keep_or_new(self, name):
        value = (self.cleaned_data.get(name) or "").strip()
        if not value and self.instance.pk:
            return getattr(self.instance, name)
        return value

    def clean_id_number(self):
        return self._keep_or_new("id_number")

    def clean_phone(self):
        return self._keep_or_new("phone")

    # Set per request by the admins below (get_form / get_formset).
    user = None

    def validate_unique(self):
        # Not the model's unique check: its "already exists" answered anyone, for numbers
        # registered anywhere in the street. The service names the holder only within the user's
        # grids and logs a check outside them.
        try:
            services.check_document_unique(self.instance, self.user)
        except DjangoValidationError as exc:
            self._update_errors(exc)

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        if value is None and self.instance.pk:
            return self.instance.birth_date
        return value


class ResidentInline(MaskedDisplayMixin, RoleGatedMixin, admin.TabularInline):
    view_roles = REGISTRY_VIEW_ROLES
    change_roles = REGISTRY_CHANGE_ROLES
    model = Resident
    form = ResidentAdminForm
    extra = 0
    fields = [
        "name",
        "gender",
        "birth_date",
        "id_type",
        "id_number",
        "phone",
        "relation_to_head",
        "is_registered",
        "lives_here",
    ]
    show_change_link = True

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        formset.form = type(formset.form.__name__, (formset.form,), {"user": request.user})
        return formset


@admin.register(Household)
class HouseholdAdmin(RegistryAdmin):
    list_display = ["__str__", "address", "household_number", "tenure", "use", "resident_total"]
    list_select_related = ["address"]
    list_filter = [
        "tenure",
        "use",
        grid_filter(GridLevel.COMMUNITY, gettext_lazy("居村"), "address__"),
        grid_filter(GridLevel.MICRO_GRID, gettext_lazy("微网格"), "address__"),
    ]
    search_fields = ["address__normalized", "household_number"]
    autocomplete_fields = ["address"]
    inlines = [ResidentInline]
    change_list_template = "admin/registry/figures_link_change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(resident_total=Count("residents"))

    @admin.display(description=gettext_lazy("人数"), ordering="resident_total")
    def resident_total(self, obj):
        return obj.resident_total

    def save_model(self, request, obj, form, change):
        services.save_household(obj, user=request.user)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            services.delete_object(obj, user=request.user)
        for obj in instances:
            services.save_resident(obj, user=request.user)

    def delete_model(self, request, obj):
        services.delete_object(obj, user=request.user)


class ImportForm(forms.Form):
    file = forms.FileField(label=gettext_lazy("文件（.xlsx 或 .csv）"))
    dry_run = forms.BooleanField(label=gettext_lazy("只检查，不保存"), required=False)


@admin.register(Resident)
class ResidentAdmin(MaskedDisplayMixin, RegistryAdmin):
    form = ResidentAdminForm
    # Seven narrow columns, so that the list reads at 1280 px beside its filters: gender and
    # birth year in one, 户籍/实住 in one, the micro-grid under the address.
    list_display = [
        "name",
        "gender_year",
        "masked_id_number",
        "masked_phone",
        "address",
        "residence",
        "care_tags_display",
    ]
    list_select_related = ["household__address__micro_grid"]
    list_filter = [
        grid_filter(GridLevel.COMMUNITY, gettext_lazy("居村"), "household__address__"),
        grid_filter(GridLevel.MICRO_GRID, gettext_lazy("微网格"), "household__address__"),
        CareTagFilter,
        "is_registered",
        "lives_here",
        "id_type",
    ]
    # Never the raw ID number: see get_search_results for the logged exact search.
    search_fields = ["name", "household__address__normalized"]
    search_help_text = gettext_lazy(
        "按姓名或地址搜索；有权限的用户可输入完整身份证号精确查找（将被记录）"
    )
    autocomplete_fields = ["household"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    fields = RESIDENT_FORM_FIELDS
    actions = ["export_masked_csv"]
    change_list_template = "admin/registry/resident/change_list.html"
    change_form_template = "admin/registry/resident/change_form.html"

    @admin.display(
        description=gettext_lazy("地址（微网格）"), ordering="household__address__normalized"
    )
    def address(self, obj):
        address = obj.household.address
        if address.micro_grid_id is None:
            return address.normalized
        return format_html(
            '{}<br><span class="quiet">{}</span>', address.normalized, address.micro_grid.name
        )

    @admin.display(description=gettext_lazy("性别·出生年"), ordering="birth_date")
    def gender_year(self, obj):
        year = birth_year(obj.birth_date)
        return " ".join(str(x) for x in (obj.get_gender_display(), year) if x)

    @admin.display(description=gettext_lazy("户籍·实住"))
    def residence(self, obj):
        registered = _("户籍") if obj.is_registered else _("非户籍")
        living = _("实住") if obj.lives_here else _("不在住")
        return f"{registered}·{living}"

    @admin.display(description=gettext_lazy("关爱标签"))
    def care_tags_display(self, obj):
        return "、".join(str(x) for x in obj.care_tag_labels)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip().upper()
        if term and request.user.may_view_full_pii:
            try:
                validate_resident_id(term)
            except DjangoValidationError:
                pass
            else:
                matches = services.find_by_id_number(
                    request.user, queryset, term, channel="admin_search"
                )
                return queryset.filter(pk__in=[r.pk for r in matches]), False
        return super().get_search_results(request, queryset, search_term)

    def save_model(self, request, obj, form, change):
        services.save_resident(obj, user=request.user)

    def delete_model(self, request, obj):
        services.delete_object(obj, user=request.user)

    @admin.action(description=gettext_lazy("导出所选居民（CSV，已脱敏）"))
    def export_masked_csv(self, request, queryset):
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="residents.csv"'
        response.write("\ufeff")
        writer = csv.writer(response)
        writer.writerow(["姓名", "性别", "出生年份", "证件号码", "手机号", "地址", "户籍", "实住"])
        for r in queryset.select_related("household__address"):
            writer.writerow(
                safe_row(
                    [
                        r.name,
                        r.get_gender_display(),
                        birth_year(r.birth_date) or "",
                        mask_id_number(r.id_number),
                        mask_phone(r.phone),
                        r.household.address.normalized,
                        "是" if r.is_registered else "否",
                        "是" if r.lives_here else "否",
                    ]
                )
            )
        return response

    # --- extra pages ---

    def get_urls(self):
        extra = [
            path(
                "<path:object_id>/reveal/",
                self.admin_site.admin_view(self.reveal_view),
                name="registry_resident_reveal",
            ),
            path(
                "figures/",
                self.admin_site.admin_view(self.figures_view),
                name="registry_figures",
            ),
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="registry_import",
            ),
            path(
                "import/template.<str:fmt>",
                self.admin_site.admin_view(self.template_view),
                name="registry_import_template",
            ),
        ]
        return extra + super().get_urls()

    def _context(self, request, title, **extra):
        return {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": title,
            **extra,
        }

    def reveal_view(self, request, object_id):
        """查看完整信息: GET asks to confirm, POST shows the values and logs each one."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        resident = get_object_or_404(self.get_queryset(request), pk=object_id)
        values = None
        if request.method == "POST":
            values = services.reveal_personal_data(request.user, resident, channel="admin")
        elif not request.user.may_view_full_pii:
            raise PermissionDenied(_("您的角色无权查看完整的证件号码和手机号"))
        return TemplateResponse(
            request,
            "admin/registry/resident/reveal.html",
            self._context(
                request,
                _("查看完整信息：%(name)s") % {"name": resident.name},
                resident=resident,
                values=values,
                masked_id=mask_id_number(resident.id_number),
                masked_phone=mask_phone(resident.phone),
            ),
        )

    def figures_view(self, request):
        """人口房屋统计: households, registered and living people by community and micro-grid."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = services.figures_table(request.user)
        # Households by tenure, then by use: two ways of counting the same households.
        for row in rows:
            row["housing"] = [row["by_tenure"][value] for value in Tenure.values] + [
                row["by_use"][value] for value in DwellingUse.values
            ]
        return TemplateResponse(
            request,
            "admin/registry/figures.html",
            self._context(
                request,
                _("人口房屋统计"),
                rows=rows,
                housing_labels=[*Tenure.labels, *DwellingUse.labels],
            ),
        )

    def import_view(self, request):
        """Upload a file; show every row error, keep nothing when there is one."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        result = None
        file_error = None
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                result = import_residents(
                    upload.read(),
                    upload.name,
                    user=request.user,
                    dry_run=form.cleaned_data["dry_run"],
                )
            except ImportFileError as exc:
                file_error = exc.messages[0]
            else:
                if result.saved:
                    messages.success(
                        request,
                        _("导入成功：新增地址%(a)d个、户%(h)d户、居民%(r)d人")
                        % {
                            "a": result.addresses_created,
                            "h": result.households_created,
                            "r": result.residents_created,
                        },
                    )
        return TemplateResponse(
            request,
            "admin/registry/resident/import.html",
            self._context(
                request,
                _("导入居民"),
                form=form,
                result=result,
                file_error=file_error,
                changelist_url=reverse("admin:registry_resident_changelist"),
            ),
        )

    def template_view(self, request, fmt):
        if not self.has_view_permission(request):
            raise PermissionDenied
        if fmt == "csv":
            response = HttpResponse(template_csv(), content_type="text/csv; charset=utf-8")
        else:
            response = HttpResponse(
                template_xlsx(),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            fmt = "xlsx"
        response["Content-Disposition"] = f'attachment; filename="residents_template.{fmt}"'
        return response


@admin.register(PersonalDataAccess)
class PersonalDataAccessAdmin(RoleGatedAdmin):
    """Read-only log of full views; visible to roles that may make them, within their scope."""

    view_roles = REGISTRY_VIEW_ROLES & FULL_PII_ROLES
    scope = in_scope

    list_display = ["accessed_at", "user", "resident", "field", "channel"]
    list_select_related = ["user", "resident"]
    list_filter = ["field", "channel"]
    search_fields = ["user__username", "resident__name"]
    date_hierarchy = "accessed_at"


@admin.register(RentalRegistration)
class RentalRegistrationAdmin(RoleGatedAdmin):
    """Read-only here (registered through the API's service); the landlord's phone masked."""

    view_roles = REGISTRY_VIEW_ROLES
    change_roles = frozenset()
    scope = in_scope
    list_display = ["household", "landlord_name", "masked_phone", "start_date", "end_date"]
    list_select_related = ["household__address"]
    list_filter = [grid_filter(GridLevel.COMMUNITY, gettext_lazy("居村"), "household__address__")]
    fields = ["household", "landlord", "landlord_name", "masked_phone", "start_date", "end_date"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("出租人手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.landlord_phone)
