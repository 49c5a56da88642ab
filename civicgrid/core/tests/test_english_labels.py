"""In English, model names, field names and choice labels read in sentence case ("Rental
registration", "Landlord (resident)"): they head columns, forms and filters on their own."""

import re

import pytest
from django.apps import apps
from django.utils import translation

# Labels that also stand inside sentences (a coordinate's label in "point 1: latitude must be a
# number") or lead with a package's own lower-case name.
MID_SENTENCE = {"longitude", "latitude", "chinese-calendar data"}
CHINESE = re.compile("[\u4e00-\u9fff]")


def _ours(label) -> bool:
    """A label written in Chinese here (Django's own fields, such as the user's, are not)."""
    with translation.override(None):
        return bool(CHINESE.search(str(label)))


def _labels():
    for model in apps.get_models():
        if not model.__module__.startswith("civicgrid."):
            continue
        where = f"{model._meta.label}"
        yield where, model._meta.verbose_name
        yield where, model._meta.verbose_name_plural
        for field in model._meta.get_fields():
            if field.auto_created or not hasattr(field, "verbose_name"):
                continue
            yield f"{where}.{field.name}", field.verbose_name
            for value, label in getattr(field, "flatchoices", None) or []:
                if value not in ("", None):
                    yield f"{where}.{field.name}={value}", label


def test_labels_are_in_sentence_case_in_english():
    with translation.override("en"):
        wrong = sorted(
            f"{where}: {text}"
            for where, label in _labels()
            if (text := str(label))
            and text[0].isascii()
            and text[0].isalpha()
            and text[0].islower()
            and text not in MID_SENTENCE
            and _ours(label)
        )
    assert not wrong, f"{len(wrong)} labels in lower case:\n" + "\n".join(wrong)


@pytest.mark.parametrize(
    ("model", "field", "english"),
    [
        ("registry.RentalRegistration", None, "Rental registration"),
        ("registry.RentalRegistration", "landlord", "Landlord (resident)"),
        ("cases.Case", "reported_at", "Reported at"),
    ],
)
def test_examples(model, field, english):
    meta = apps.get_model(model)._meta
    with translation.override("en"):
        label = meta.verbose_name if field is None else meta.get_field(field).verbose_name
        assert str(label) == english
