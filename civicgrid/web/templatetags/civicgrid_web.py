"""Template helpers shared by every page of the web front."""

import json

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from civicgrid.cases.history import actor_label
from civicgrid.core.masking import mask_phone as _mask_phone
from civicgrid.web.context import display_name

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
def person(user, empty=""):
    """A user's name as the pages show it (web.context.display_name: 王秀英, else the login
    name); `empty` for nobody — a step the system took, an owner not yet chosen. Every page
    names people through it: a missing account shows `empty` ("—" where the page asks for
    it), never a failed template lookup."""
    if not user:
        return empty
    return display_name(user)


@register.filter
def case_link(case, openable):
    """A case's number, as a link to its page when `openable` (cases.permissions.openable_cases,
    made by the view) holds it; the bare number otherwise — never a link that answers 403/404."""
    if case is None:
        return ""
    if case.pk in openable:
        return format_html(
            '<a href="{}">{}</a>', reverse("console:case", args=[case.number]), case.number
        )
    return case.number


@register.filter
def field_box_id(field) -> str:
    """The id of a field's box (web/includes/field.html): field-<name>, or field-<its id> when
    its form names its fields' ids itself (auto_id) — two forms on one page, each with a
    说明, then have two boxes of their own."""
    auto_id = field.auto_id
    if not auto_id or auto_id == f"id_{field.html_name}":
        return f"field-{field.html_name}"
    return f"field-{auto_id}"


@register.filter
def mask_phone(value):
    return _mask_phone(value or "")


@register.filter
def as_json(value):
    """A value for a <script type="application/json"> block (safe against </script>)."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return mark_safe(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


@register.simple_tag(takes_context=True)
def time_left(context, case):
    """The running clock's time left, worded by cases.clock.remaining on every page: "剩 N 工作
    小时", "超期 N 工作小时" (red), "挂起中,剩余 N" (the time left frozen at the suspension).
    One calendar snapshot per request."""
    from civicgrid.cases.clock import remaining
    from civicgrid.workcalendar.services import get_calendar

    holder = context.get("request")
    calendar = getattr(holder, "_civicgrid_calendar", None)
    if calendar is None:
        calendar = get_calendar()
        if holder is not None:
            holder._civicgrid_calendar = calendar
    left = remaining(case, context.get("now"), calendar)
    if left is None:
        return ""
    css = (
        "left overdue"
        if left.overdue
        else "left suspended"
        if left.state == "suspended"
        else "left"
    )
    return format_html('<span class="{}" data-left="{}">{}</span>', css, left.state, left.text)


@register.filter
def event_actor(event):
    """Who took a history row's step: the account's name, or who it was without one (匿名居民,
    12345热线 …; cases.history)."""
    return actor_label(event)
