"""Back office for estates and property companies: the registry's roles decide the verbs, the
estate's 居村 (grids.scoping) the rows; every save goes through estates.services."""

from django.contrib import admin
from django.utils.translation import gettext_lazy

from civicgrid.accounts.admin_base import RoleGatedAdmin, RoleGatedMixin
from civicgrid.accounts.policy import REGISTRY_VIEW_ROLES
from civicgrid.core.masking import mask_phone
from civicgrid.estates import services
from civicgrid.estates.models import (
    Estate,
    EstateAddressRange,
    OwnersCommittee,
    PropertyCompany,
)
from civicgrid.grids.choices import GridLevel
from civicgrid.grids.scoping import visible_grids
from civicgrid.registry.admin import REGISTRY_CHANGE_ROLES
from civicgrid.registry.validators import validate_mobile


def estates_in_scope(queryset, user):
    return services.scoped_estates(user, queryset)


class CommunityFilter(admin.SimpleListFilter):
    title = gettext_lazy("居村")
    parameter_name = "community"

    def lookups(self, request, model_admin):
        grids = visible_grids(request.user).filter(level=GridLevel.COMMUNITY).order_by("code")
        return [(g.code, g.name) for g in grids]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        return queryset.filter(community__code=self.value())


class _ReadOnlyInline(RoleGatedMixin, admin.TabularInline):
    """Ranges and committees change through their services (the API), not inline."""

    view_roles = REGISTRY_VIEW_ROLES
    change_roles = frozenset()
    extra = 0
    can_delete = False


class AddressRangeInline(_ReadOnlyInline):
    model = EstateAddressRange
    fields = ["road", "lane_from", "lane_to"]
    readonly_fields = fields


class CommitteeInline(_ReadOnlyInline):
    model = OwnersCommittee
    fields = ["term_start", "term_end", "party_liaison", "is_red", "member_list"]
    readonly_fields = fields

    @admin.display(description=gettext_lazy("成员"))
    def member_list(self, obj):
        return "、".join(str(m) for m in obj.members.all())


@admin.register(Estate)
class EstateAdmin(RoleGatedAdmin):
    view_roles = REGISTRY_VIEW_ROLES
    change_roles = REGISTRY_CHANGE_ROLES
    delete_roles = frozenset()
    scope = estates_in_scope
    list_display = [
        "name",
        "kind",
        "estate_class",
        "community",
        "year_built",
        "is_heritage",
        "property_company",
    ]
    list_select_related = ["community", "property_company"]
    list_filter = [CommunityFilter, "kind", "estate_class", "is_heritage"]
    search_fields = ["name"]
    fields = [
        "name",
        "kind",
        "estate_class",
        "community",
        "micro_grids",
        "year_built",
        "is_heritage",
        "heritage_note",
        "property_company",
    ]
    inlines = [AddressRangeInline, CommitteeInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "community":
            kwargs["queryset"] = (
                visible_grids(request.user).filter(level=GridLevel.COMMUNITY).order_by("code")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "micro_grids":
            kwargs["queryset"] = (
                visible_grids(request.user).filter(level=GridLevel.MICRO_GRID).order_by("code")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.do_save_estate(
            obj, micro_grids=form.cleaned_data.get("micro_grids"), user=request.user
        )

    def save_related(self, request, form, formsets, change):
        # The micro-grids were set by the service in save_model; the inlines are read-only.
        pass


def _clean_contact_phone(form):
    value = form.cleaned_data.get("contact_phone")
    return validate_mobile(value) if value else value


@admin.register(PropertyCompany)
class PropertyCompanyAdmin(RoleGatedAdmin):
    view_roles = REGISTRY_VIEW_ROLES
    change_roles = REGISTRY_CHANGE_ROLES
    delete_roles = frozenset()
    list_display = ["name", "contact_name", "masked_phone"]
    search_fields = ["name"]
    fields = ["name", "credit_code", "contact_name", "contact_phone", "office_address"]

    @admin.display(description=gettext_lazy("联系电话"))
    def masked_phone(self, obj):
        return mask_phone(obj.contact_phone)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # The service refuses a number that is no mobile; the form says so beside the field (in
        # save_model it was a 500).
        form.clean_contact_phone = _clean_contact_phone
        if obj is not None:
            # The stored number is never shown in full: an empty field keeps it.
            form.base_fields["contact_phone"].required = False
            form.base_fields["contact_phone"].help_text = gettext_lazy(
                "当前：%(phone)s；留空则不修改"
            ) % {"phone": mask_phone(getattr(obj, "_full_phone", obj.contact_phone))}
        return form

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is not None and request.method == "GET":
            obj._full_phone = obj.contact_phone
            obj.contact_phone = ""
        return obj

    def save_model(self, request, obj, form, change):
        if change and not form.cleaned_data.get("contact_phone"):
            obj.contact_phone = PropertyCompany.objects.get(pk=obj.pk).contact_phone
        services.do_save_property_company(obj, user=request.user)
