"""The one role-gated base of every project admin: roles decide the verbs, `scope` the rows.

Django's model permissions are not used: what a back-office user may do in the admin follows
their role (accounts.policy), like everywhere else in the project. A class declares

* ``view_roles`` — who sees the admin (its entry on the index, its list and its pages);
  ``None`` (the default) means everyone the site lets in (accounts.adminsite.may_use_admin);
* ``change_roles`` — who adds and changes (empty by default: read-only; ``None``: everyone who
  sees it);
* ``add_roles`` / ``delete_roles`` — when they differ from ``change_roles`` (``None``: the same);
* ``superusers_only`` — only Django superusers (the system's keepers), whatever their role;
* ``scope`` — a function ``(queryset, user) -> queryset`` that keeps the rows the user may see
  (grids.scoping, cases.permissions.scope_cases …), applied to every list and page.

A role changes only what it also sees: each write verb needs the view check too. Checks that
depend on the object (a grid with children is not deleted, a checklist item with findings
neither) stay in the admin as an override that also asks ``super()``.

    @admin.register(Category)
    class CategoryAdmin(RoleGatedAdmin):
        change_roles = CATEGORY_EDIT_ROLES
        delete_roles = frozenset()

The same rules for inlines: ``class PostInline(RoleGatedMixin, admin.TabularInline)``.
"""

from django.contrib import admin
from django.contrib.admin import widgets as admin_widgets
from django.core.exceptions import ValidationError

from civicgrid.accounts.adminsite import may_use_admin


class _KnownChoices:
    """Django's autocomplete widgets render a refused form with the posted value, looked up as
    `pk__in=[value]`: a crafted "abc" raised a ValueError there (500). Values that are no key
    of the related model are left out; the field has already said it is not a valid choice."""

    def optgroups(self, name, value, attr=None):
        field = self.choices.queryset.model._meta.get_field(self.field.remote_field.field_name)
        known = []
        for item in value:
            try:
                field.get_prep_value(field.to_python(item))
            except (TypeError, ValueError, ValidationError):
                continue
            known.append(item)
        return super().optgroups(name, known, attr)


class AutocompleteSelect(_KnownChoices, admin_widgets.AutocompleteSelect):
    pass


class AutocompleteSelectMultiple(_KnownChoices, admin_widgets.AutocompleteSelectMultiple):
    pass


class RoleGatedMixin:
    view_roles: frozenset | None = None
    change_roles: frozenset | None = frozenset()
    add_roles: frozenset | None = None
    delete_roles: frozenset | None = None
    superusers_only: bool = False
    # (queryset, user) -> queryset; read from the class, so a plain function works.
    scope = None

    def role_allows(self, request, roles) -> bool:
        """Whether the user may use the admin at all and their role is in `roles` (None: any)."""
        user = request.user
        if not may_use_admin(user):
            return False
        if self.superusers_only and not user.is_superuser:
            return False
        return roles is None or user.effective_role in roles

    def _may_write(self, request, roles) -> bool:
        return self.role_allows(request, self.view_roles) and self.role_allows(request, roles)

    def has_module_permission(self, request):
        return self.role_allows(request, self.view_roles)

    def has_view_permission(self, request, obj=None):
        return self.role_allows(request, self.view_roles)

    def has_add_permission(self, request, obj=None):
        roles = self.change_roles if self.add_roles is None else self.add_roles
        return self._may_write(request, roles)

    def has_change_permission(self, request, obj=None):
        return self._may_write(request, self.change_roles)

    def has_delete_permission(self, request, obj=None):
        roles = self.change_roles if self.delete_roles is None else self.delete_roles
        return self._may_write(request, roles)

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        scope = getattr(type(self), "scope", None)
        if scope is not None:
            queryset = scope(queryset, request.user)
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


class RoleGatedAdmin(RoleGatedMixin, admin.ModelAdmin):
    """Base class of every ModelAdmin of the project (see the module's docstring)."""
