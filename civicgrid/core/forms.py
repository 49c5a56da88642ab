"""What every app's forms share: a filter's empty choice that reads 全部 (all values), not
"---------", the date picker's input, and the field for several photos in one input."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext
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


# A phone opens its camera for a photo input with `capture`; a desk's browser its file picker.
PHOTO_ATTRS = {"accept": "image/*", "capture": "environment"}


class DateInput(forms.DateInput):
    """A date field's picker, <input type="date">, its value written YYYY-MM-DD: the only form a
    browser takes there. Django writes the language's first input format instead (2026/12/06
    in zh-hans), which the browser shows as an empty field, so that saving an edit cleared an
    optional date or refused a required one."""

    input_type = "date"

    def __init__(self, attrs=None, format=None):
        super().__init__(attrs, format=format or "%Y-%m-%d")


class MultiplePhotoInput(forms.ClearableFileInput):
    """A file input that takes several files at once (without the "clear" checkbox)."""

    allow_multiple_selected = True
    template_name = "django/forms/widgets/file.html"


class MultiplePhotoField(forms.FileField):
    """Several photos in one input, optional unless `required=True`; `max_count` refuses more at
    once; `camera=False` for a desk's file picker. Each photo's content (type, size, pixels) is
    the store's to check when it keeps it (web.forms.checked_photos checks it earlier)."""

    def __init__(self, *args, max_count: int | None = None, camera: bool = True, **kwargs):
        attrs = {**(PHOTO_ATTRS if camera else {"accept": "image/*"}), "multiple": True}
        kwargs.setdefault("widget", MultiplePhotoInput(attrs=attrs))
        kwargs.setdefault("required", False)
        self.max_count = max_count
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if not data:
            if self.required:
                raise ValidationError(self.error_messages["required"], code="required")
            return []
        files = data if isinstance(data, list | tuple) else [data]
        if self.max_count and len(files) > self.max_count:
            raise ValidationError(gettext("最多上传%(n)s张照片") % {"n": self.max_count})
        return [super(MultiplePhotoField, self).clean(f, initial) for f in files]
