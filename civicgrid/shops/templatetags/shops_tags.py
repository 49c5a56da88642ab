from django import template

register = template.Library()


@register.filter
def person(user) -> str:
    """A user's name as the pages show it (full name, else login name; "" for nobody)."""
    if user is None:
        return ""
    return user.get_full_name() or user.username
