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

from contextvars import ContextVar

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin import widgets as admin_widgets
from django.contrib.admin.options import InlineModelAdmin
from django.core.exceptions import NON_FIELD_ERRORS, FieldDoesNotExist, ValidationError
from django.db import router, transaction
from django.http import HttpResponseRedirect
from django.urls import reverse

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


def may_open(admin_site, request, obj) -> bool:
    """Whether `obj`'s page in the admin opens for the request's user: its admin lets their
    role see it and the row is in their scope (the admin's get_queryset)."""
    return _opens(admin_site, request, type(obj), "pk", obj.pk)


def _opens(admin_site, request, model, key: str, value) -> bool:
    """may_open for the row of `model` whose `key` is `value`, asked once per row and request:
    a case's history names the same few accounts on every row."""
    known = request.__dict__.setdefault("_admin_may_open", {})
    if (model, key, value) not in known:
        related = admin_site._registry.get(model)
        known[model, key, value] = (
            related is not None
            and related.has_view_permission(request)
            and related.get_queryset(request).filter(**{key: value}).exists()
        )
    return known[model, key, value]


# The request whose change page is being drawn (RoleGatedAdmin.changeform_view): Django draws a
# read-only relation as a link to the related object's page with no request at hand, so without
# asking whether it opens; an operator's case linked to accounts they may not see (403), a 居委's
# time-bank row to a resident outside its area.
_drawing_for: ContextVar = ContextVar("civicgrid_admin_request", default=None)
_django_admin_url = helpers.AdminReadonlyField.get_admin_url


def _admin_url_if_it_opens(self, remote_field, remote_obj):
    request = _drawing_for.get()
    if request is not None and not may_open(self.model_admin.admin_site, request, remote_obj):
        return str(remote_obj)
    return _django_admin_url(self, remote_field, remote_obj)


helpers.AdminReadonlyField.get_admin_url = _admin_url_if_it_opens


class RawIdWidget(admin_widgets.ForeignKeyRawIdWidget):
    """A raw-id field's widget whose label links to the related object's page only when that
    page opens for the user (Django's links it whatever they may see)."""

    def __init__(self, *args, request=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request

    def label_and_url_for_value(self, value):
        label, url = super().label_and_url_for_value(value)
        if url and self.request is not None:
            key = self.rel.get_related_field().name
            if not _opens(self.admin_site, self.request, self.rel.model, key, value):
                url = ""
        return label, url


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
        if isinstance(self, InlineModelAdmin):
            # An inline's rows name their relations (a history row its actor): read with the
            # rows, not one by one.
            shown = _relations(self.model, [*(self.fields or ()), *self.readonly_fields])
            if shown:
                queryset = queryset.select_related(*shown)
        return queryset

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        elif "widget" not in kwargs and db_field.name in self.raw_id_fields:
            kwargs["widget"] = RawIdWidget(
                db_field.remote_field, self.admin_site, using=kwargs.get("using"), request=request
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = AutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def _relations(model, names) -> list[str]:
    """The names among `names` of `model`'s foreign keys (and one-to-one fields)."""
    found = []
    for name in dict.fromkeys(n for n in names if isinstance(n, str)):
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            continue
        if field.concrete and (field.many_to_one or field.one_to_one):
            found.append(name)
    return found


def _required_paths(field, path: str, depth: int = 3) -> list[str]:
    """`path` and, below it, the relations that cannot be empty (a bare select_related()'s)."""
    found = [path]
    if depth > 1:
        for sub in field.related_model._meta.concrete_fields:
            if sub.many_to_one and not sub.null:
                found += _required_paths(sub, f"{path}__{sub.name}", depth - 1)
    return found


def _refusal_form(form_class, refusal: ValidationError):
    """The admin's form once more, refused with what the service said: its field errors on the
    fields the form shows, the others (and a plain message) above the form."""

    class Refused(form_class):
        def clean(self):
            cleaned = super().clean()
            if hasattr(refusal, "error_dict"):
                for field, errors in refusal.error_dict.items():
                    on = field if field in self.fields else NON_FIELD_ERRORS
                    self.add_error(None, ValidationError({on: errors}))
            else:
                self.add_error(None, refusal)
            return cleaned

    Refused.__name__ = form_class.__name__
    return Refused


def _drawn(response):
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    return response


class RoleGatedAdmin(RoleGatedMixin, admin.ModelAdmin):
    """Base class of every ModelAdmin of the project (see the module's docstring).

    Saving goes through the app's services (save_model, save_related, delete_model), which check
    more than the form can (a name taken in the campaign, a kind with results already). Django
    lets their ValidationError through as a server error; here the change page's transaction is
    rolled back and the form shown again with the refusal, and a refused delete goes back to
    the object's page with the message, the data as it was."""

    def get_list_select_related(self, request):
        """The list's relations in its one query. Django's default (a bare select_related())
        follows only the relations that cannot be empty, so a column showing an optional one
        (the inspector, the category) read it row by row; here every relation the columns show
        is followed, and from each, as the default does, those that cannot be empty. An admin
        whose rows' names read further still lists its paths itself."""
        chosen = super().get_list_select_related(request)
        if chosen is not False:
            return chosen
        paths = []
        for name in self.get_list_display(request):
            if not isinstance(name, str):
                continue
            try:
                field = self.opts.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.concrete and (field.many_to_one or field.one_to_one):
                paths += _required_paths(field, name)
        return tuple(paths) or False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The page is drawn here, not after the view returns as a TemplateResponse is, so that
        # its read-only relations know whose page it is (_admin_url_if_it_opens).
        drawing = _drawing_for.set(request)
        try:
            return _drawn(self._changeform_or_refusal(request, object_id, form_url, extra_context))
        finally:
            _drawing_for.reset(drawing)

    def _changeform_or_refusal(self, request, object_id, form_url, extra_context):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as refusal:
            if request.method != "POST" or hasattr(request, "_admin_refusal"):
                raise
            request._admin_refusal = refusal
            return super().changeform_view(request, object_id, form_url, extra_context)

    def get_form(self, request, obj=None, **kwargs):
        # `change` stays in kwargs: auth's UserAdmin.get_form takes no third positional.
        form = super().get_form(request, obj, **kwargs)
        refusal = getattr(request, "_admin_refusal", None)
        return form if refusal is None else _refusal_form(form, refusal)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as refusal:
            if request.method != "POST":
                raise
            self._say_refused(request, refusal)
            opts = self.opts
            return HttpResponseRedirect(
                reverse(
                    f"admin:{opts.app_label}_{opts.model_name}_change",
                    args=[object_id],
                    current_app=self.admin_site.name,
                )
            )

    def changelist_view(self, request, extra_context=None):
        # An action (the delete of several rows, each through the service) and the list's own
        # edits are refused whole: all rows or none.
        try:
            return super().changelist_view(request, extra_context)
        except ValidationError as refusal:
            if request.method != "POST":
                raise
            self._say_refused(request, refusal)
            return HttpResponseRedirect(request.get_full_path())

    def response_action(self, request, queryset):
        with transaction.atomic(using=router.db_for_write(self.model)):
            return super().response_action(request, queryset)

    def _say_refused(self, request, refusal: ValidationError):
        for message in refusal.messages:
            self.message_user(request, message, messages.ERROR)
