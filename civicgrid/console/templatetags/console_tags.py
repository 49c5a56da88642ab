"""Small helpers of the console's templates."""

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag
def hours_left(value):
    """Working hours left on a deadline: “剩 3.5 工作小时”, or “超期 2 工作小时” in red."""
    if value is None:
        return ""
    amount = abs(value)
    if amount < 1:
        minutes = max(1, round(amount * 60)) if amount else 0
        text = (_("剩 %(m)s 工作分钟") if value >= 0 else _("超期 %(m)s 工作分钟")) % {"m": minutes}
    else:
        text = (_("剩 %(h)s 工作小时") if value >= 0 else _("超期 %(h)s 工作小时")) % {
            "h": _num(amount)
        }
    return format_html('<span class="left{}">{}</span>', "" if value >= 0 else " overdue", text)


def _num(value) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


@register.filter
def row_class(case):
    """warn-yellow / warn-red row classes (web/static/web/app.css)."""
    return f"warn-{case.warning_level}" if case.warning_level else ""


@register.filter
def actor_name(user):
    if user is None:
        return _("系统")
    return user.get_full_name() or user.username
