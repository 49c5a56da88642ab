"""Small helpers of the console's templates."""

from django import template
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def row_class(case):
    """warn-yellow / warn-red row classes (web/static/web/app.css)."""
    return f"warn-{case.warning_level}" if case.warning_level else ""


@register.filter
def actor_name(user):
    if user is None:
        return _("系统")
    return user.get_full_name() or user.username
