"""Small filters of the garbage-sorting pages."""

from django import template

from civicgrid.sorting.reports import percent

register = template.Library()


@register.filter
def get(mapping, key):
    try:
        return mapping[key]
    except (KeyError, TypeError, IndexError):
        return None


@register.filter
def pct(value):
    """A share (0–1) as “57.9%”, “—” without one."""
    return percent(value)
