"""What every filter form shares: an empty choice that reads 全部 (all values), not "---------"."""

from django import forms
from django.utils.translation import gettext_lazy as _

# The empty choice of a filter: no narrowing. django-filter's own forms get it from
# settings.FILTERS_EMPTY_CHOICE_LABEL (the API's browsable forms).
ALL = _("全部")


class FilterFormMixin:
    """For GET filter forms (before forms.Form in the bases): every select's empty choice reads
    全部 — model choices, plain choices (set in __init__ or later through `all_choices`) and
    yes/no selects alike."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.label_empty_choices()

    def label_empty_choices(self):
        for field in self.fields.values():
            if isinstance(field, forms.MultipleChoiceField):
                continue
            if getattr(field, "empty_label", None) is not None:
                # Model choices, and django-filter's ChoiceField (its iterator adds the empty
                # choice itself: relabel it rather than add a second one).
                field.empty_label = ALL
            elif isinstance(field, forms.NullBooleanField):
                field.widget.choices = [("unknown", ALL), *list(field.widget.choices)[1:]]
            elif isinstance(field, forms.ChoiceField) and not hasattr(field, "empty_label"):
                field.choices = all_choices(field.choices)


class FilterForm(FilterFormMixin, forms.Form):
    """The form of every FilterSet (`Meta.form`): its selects' empty choice reads 全部 on the
    pages and in the API's browsable forms alike."""


def all_choices(choices) -> list:
    """`choices` with one leading empty choice labelled 全部."""
    rest = [(value, label) for value, label in choices if value not in ("", None)]
    return [("", ALL), *rest]
