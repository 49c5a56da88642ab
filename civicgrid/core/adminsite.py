"""What any changelist of the project's admin accepts (no role knowledge: that is the site's,
accounts.adminsite, which decides who may use the admin at all).

Every ModelAdmin registered on the site — ours and third-party ones (auth, DRF authtoken,
django_tasks_db …) — is registered through CivicgridAdminSite.register, which mixes
StrictAdminMixin into its class (`harden`), so a newly registered admin is covered without doing
anything.

Django's admin accepts a filter on any of a model's own fields in the changelist's query string
(``?id_number__startswith=3101``), which turns the row count into an oracle for personal data.
Here a changelist accepts only what its page can produce itself:

* the parameters of the declared ``list_filter`` entries (field filters such as
  ``status__exact``/``department__id__exact``/``uploaded_at__gte``, custom SimpleListFilter
  parameter names) — whatever the filter classes consume, so Django's own naming is used;
* ``date_hierarchy`` drill-down (``<field>__year``/``__month``/``__day``);
* the changelist's own controls: search ``q``, ordering ``o``, page ``p``, ``all``, ``e``,
  ``_popup``, ``_to_field`` (checked by Django's to_field_allowed), ``_facets``;
* the fixed ``limit_choices_to`` pairs that Django's raw-id popups put into their URL.

Anything else is refused with a 400 page, before any row is filtered, and logged on
"civicgrid.security" with the user and the parameter names (not the values: they may be the
personal data being guessed). Admin actions get the same care: a selection with garbage or with
ids the user cannot see is refused with a message instead of a 500 or a partial run.
"""

import logging

from django.contrib import messages
from django.contrib.admin import helpers, widgets
from django.contrib.admin.exceptions import (
    DisallowedModelAdminLookup,
    DisallowedModelAdminToField,
)
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

security_log = logging.getLogger("civicgrid.security")


def _user_label(request) -> str:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return "anonymous"
    return f"{user.get_username()} (id={user.pk})"


# --------------------------------------------------------------------------- changelist lookups


class RefusedLookup(DisallowedModelAdminLookup):
    """A changelist parameter that no declared filter of the page uses."""

    def __init__(self, params):
        self.params = list(params)
        super().__init__(f"Filtering by {', '.join(self.params)} not allowed")


def _popup_limit_pairs(model) -> set[tuple[str, str]]:
    """The (parameter, value) pairs of the limit_choices_to of foreign keys pointing at model:
    Django's raw-id popups put exactly these into the changelist URL."""
    pairs = set()
    for lookup in model._meta.related_fkey_lookups:
        if callable(lookup):
            lookup = lookup()
        pairs.update(widgets.url_params_from_lookup_dict(lookup).items())
    return pairs


class StrictChangeListMixin:
    """Refuse every query parameter that no declared filter consumed."""

    def get_filters(self, request):
        asked = self.get_filters_params()
        result = super().get_filters(request)
        remaining = result[2]
        generated = set()
        if self.date_hierarchy and f"{self.date_hierarchy}__year" in asked:
            # Django turns the drill-down into a bounded range of its own.
            generated = {f"{self.date_hierarchy}__gte", f"{self.date_hierarchy}__lt"}
        popup = None
        refused = []
        for key in remaining:
            if key in generated and key not in asked:
                continue
            if popup is None:
                popup = _popup_limit_pairs(self.model)
            values = asked.get(key)
            if values and all((key, value) in popup for value in values):
                continue
            refused.append(key)
        if refused:
            raise RefusedLookup(sorted(refused))
        return result


_strict_changelists: dict[type, type] = {}


def strict_changelist(base: type) -> type:
    if issubclass(base, StrictChangeListMixin):
        return base
    if base not in _strict_changelists:
        _strict_changelists[base] = type(
            f"Strict{base.__name__}",
            (StrictChangeListMixin, base),
            {"__module__": __name__},
        )
    return _strict_changelists[base]


# ---------------------------------------------------------------------------------- model admins


class StrictAdminMixin:
    """Mixed into every ModelAdmin of the site (see CivicgridAdminSite.register)."""

    def get_changelist(self, request, **kwargs):
        return strict_changelist(super().get_changelist(request, **kwargs))

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except (DisallowedModelAdminLookup, DisallowedModelAdminToField) as exc:
            params = getattr(exc, "params", None) or [str(exc)]
            security_log.warning(
                "admin lookup refused: user=%s model=%s params=%s",
                _user_label(request),
                self.opts.label,
                ",".join(params),
            )
            context = {
                **self.admin_site.each_context(request),
                "title": _("筛选条件不允许"),
                "opts": self.opts,
                "changelist_url": reverse(
                    f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist",
                    current_app=self.admin_site.name,
                ),
            }
            return TemplateResponse(
                request, "admin/civicgrid/refused_lookup.html", context, status=400
            )

    def response_action(self, request, queryset):
        # Django filters the queryset with pk__in=<whatever was posted>: garbage raises on
        # evaluation (a 500) and ids the user cannot see silently drop out. Check first.
        if request.POST.get("select_across") not in ("1", "True", "true"):
            selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
            if selected:
                refused = self._refuse_selection(request, queryset, selected)
                if refused:
                    self.message_user(request, refused, messages.ERROR)
                    return None
        return super().response_action(request, queryset)

    def _refuse_selection(self, request, queryset, selected) -> str | None:
        pk_field = self.opts.pk
        try:
            wanted = {pk_field.to_python(value) for value in selected}
        except (ValidationError, TypeError, ValueError):
            security_log.warning(
                "admin action refused (malformed selection): user=%s model=%s",
                _user_label(request),
                self.opts.label,
            )
            return _("所选对象无效，未做任何修改。")
        found = queryset.filter(pk__in=wanted).count()
        if found != len(wanted):
            security_log.warning(
                "admin action refused (selection outside the list): user=%s model=%s "
                "selected=%d visible=%d",
                _user_label(request),
                self.opts.label,
                len(wanted),
                found,
            )
            return _("所选对象有的不存在或不在您的权限范围内，未做任何修改。")
        return None


def harden(admin_class: type) -> type:
    """admin_class with StrictAdminMixin in front (a subclass with the same name and module)."""
    if issubclass(admin_class, StrictAdminMixin):
        return admin_class
    return type(
        admin_class.__name__,
        (StrictAdminMixin, admin_class),
        {
            "__module__": admin_class.__module__,
            "__qualname__": admin_class.__qualname__,
            "__doc__": admin_class.__doc__,
        },
    )
