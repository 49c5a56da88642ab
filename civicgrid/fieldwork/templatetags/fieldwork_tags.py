"""Template helpers of the phone pages: residents' personal data always masked."""

from django import template

from civicgrid.registry.pii import mask_id_number, mask_phone

register = template.Library()


@register.filter
def mask_id(value):
    """ID numbers on the phone are never shown in full (registry.pii)."""
    return mask_id_number(value or "")


@register.filter
def mask_mobile(value):
    return mask_phone(value or "")


@register.filter
def percent(value):
    """A share (0–1) as a percentage with one decimal, "—" when there is none."""
    if value is None:
        return "—"
    return f"{value * 100:.1f}%"
