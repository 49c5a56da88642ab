"""Template helpers of the residents' pages."""

from django import template
from django.utils.html import format_html

from civicgrid.cases.choices import CaseStatus
from civicgrid.cases.public import public_status
from civicgrid.web.templatetags.civicgrid_web import STATUS_CLASS

register = template.Library()

# The states a reporter reads as 处理中 share one colour (a case sent back is not "back" to them).
_IN_HAND = (CaseStatus.FILED, CaseStatus.DISPATCHED, CaseStatus.ACCEPTED, CaseStatus.RETURNED)


@register.simple_tag
def public_badge(case):
    """The case's state as the reporter reads it (cases.public.public_status)."""
    css = "st-work" if case.status in _IN_HAND else STATUS_CLASS.get(case.status, "st-new")
    return format_html(
        '<span class="badge {}" data-status="{}">{}</span>', css, case.status, public_status(case)
    )
