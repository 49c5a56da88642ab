"""The API's routers: DRF's, with an object's id in a URL matched as digits.

DRF matches a detail route's id as any text (`[^/.]+`), so `/api/party/members/null/assign/`
reached the view, and a view that looks the id up itself (a scoped `.filter(pk=…)`, not
`get_object`) answered 500 on the text. Every id here is an integer (BigAutoField, or a case's
one-to-one key), so a route for an id takes digits only and anything else is the API's 404. A
viewset whose lookup is another field (a case's number, a grid's code) names its own pattern.
"""

from rest_framework import routers

ID_PATTERN = "[0-9]{1,18}"


class _DigitIds:
    def get_lookup_regex(self, viewset, lookup_prefix=""):
        if getattr(viewset, "lookup_value_regex", None) is None and getattr(
            viewset, "lookup_field", "pk"
        ) in ("pk", "id"):
            return self._base_pattern.format(
                lookup_prefix=lookup_prefix,
                lookup_url_kwarg=getattr(viewset, "lookup_url_kwarg", None)
                or getattr(viewset, "lookup_field", "pk"),
                lookup_value=ID_PATTERN,
            )
        return super().get_lookup_regex(viewset, lookup_prefix)


class SimpleRouter(_DigitIds, routers.SimpleRouter):
    """DRF's SimpleRouter; ids are digits."""


class DefaultRouter(_DigitIds, routers.DefaultRouter):
    """DRF's DefaultRouter (with the API root view); ids are digits."""
