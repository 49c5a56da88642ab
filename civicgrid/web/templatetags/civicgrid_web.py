"""Template helpers shared by every page of the web front."""

import json

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from civicgrid.cases.history import actor_label
from civicgrid.core.masking import mask_phone as _mask_phone

register = template.Library()

# CSS class per case status: the same colours on every page (web/static/web/app.css).
STATUS_CLASS = {
    "reported": "st-new",
    "filed": "st-new",
    "not_filed": "st-done",
    "dispatched": "st-work",
    "accepted": "st-work",
    "returned": "st-back",
    "handled": "st-check",
    "closed": "st-done",
    "merged": "st-done",
    "sent_back": "st-done",
    "withdrawn": "st-done",
}


@register.simple_tag(takes_context=True)
def query_with(context, **changes):
    """The current query string with some parameters replaced (pagination, sort links)."""
    query = context["request"].GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    return query.urlencode()


@register.simple_tag
def status_badge(case):
    label = case.get_status_display()
    if getattr(case, "is_suspended", False):
        from django.utils.translation import gettext as _

        label = f"{label} · {_('挂起')}"
    return format_html(
        '<span class="badge {}">{}</span>', STATUS_CLASS.get(case.status, "st-new"), label
    )


@register.simple_tag
def warning_badge(case):
    """Yellow at 80 % of the running limit, red when overdue (set by the deadline scan)."""
    if not case.warning_level:
        return ""
    return format_html(
        '<span class="badge warn-{}">{}</span>',
        case.warning_level,
        case.get_warning_level_display(),
    )


@register.filter
def mask_phone(value):
    return _mask_phone(value or "")


@register.filter
def as_json(value):
    """A value for a <script type="application/json"> block (safe against </script>)."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return mark_safe(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@register.filter
def event_actor(event):
    """Who took a history row's step: the account's name, or who it was without one (匿名居民,
    12345热线 …; cases.history)."""
    return actor_label(event)
