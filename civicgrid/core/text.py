"""One rule for text that comes from outside, shared by every input: the API (DRF parsers), the
web forms, Open311 and the admin (the input guard middleware), and model/form validators.

Refused everywhere: C0 control characters except tab, line feed and carriage return (NUL …),
DEL and the C1 controls (U+007F–U+009F), lone UTF-16 surrogates (U+D800–U+DFFF: they arrive as
JSON escapes such as "\\ud800" and cannot be stored or encoded) and Unicode non-characters
(U+FDD0–U+FDEF and U+xFFFE/U+xFFFF of every plane).

Names (a resident's, a reporter's, a staff member's, a user's first/last name, the name of a grid
or a building group …) additionally refuse tab and line breaks, the bidirectional controls
(U+202A–U+202E, U+2066–U+2069, and the marks U+200E, U+200F, U+061C), which make a name read
differently from what is stored, and zero-width characters (U+200B–U+200D, U+2060, U+FEFF), which
make two names that look alike compare different.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

_CONTROL = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
_LINE = "\t\n\r"
_SURROGATE = "\ud800-\udfff"
_NONCHARACTER = "\ufdd0-\ufdef" + "".join(
    chr(plane * 0x10000 + 0xFFFE) + chr(plane * 0x10000 + 0xFFFF) for plane in range(17)
)
_BIDI = "\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c"
_ZERO_WIDTH = "\u200b-\u200d\u2060\ufeff"

FORBIDDEN = re.compile(f"[{_CONTROL}{_SURROGATE}{_NONCHARACTER}]")
FORBIDDEN_IN_NAMES = re.compile(
    f"[{_CONTROL}{_LINE}{_SURROGATE}{_NONCHARACTER}{_BIDI}{_ZERO_WIDTH}]"
)

MESSAGES = {
    "control_character": _("含有不允许的控制字符（%(char)s）"),
    "surrogate": _("含有无效的字符（单独的代理项 %(char)s）"),
    "noncharacter": _("含有不允许的非字符码位（%(char)s）"),
    "invisible_in_name": _("名称中不能含有制表符、换行、方向控制符或零宽字符（%(char)s）"),
}


def _kind(char: str) -> str:
    point = ord(char)
    if 0xD800 <= point <= 0xDFFF:
        return "surrogate"
    if 0xFDD0 <= point <= 0xFDEF or (point & 0xFFFE) == 0xFFFE:
        return "noncharacter"
    if point <= 0x1F and char not in _LINE or 0x7F <= point <= 0x9F:
        return "control_character"
    return "invisible_in_name"


def text_problem(value: str, *, name: bool = False) -> ValidationError | None:
    """The ValidationError `check_text` would raise for `value`, or None when it is clean."""
    found = (FORBIDDEN_IN_NAMES if name else FORBIDDEN).search(value)
    if found is None:
        return None
    code = _kind(found.group())
    char = f"U+{ord(found.group()):04X}"
    return ValidationError(MESSAGES[code] % {"char": char}, code=code, params={"char": char})


def check_text(value, *, name: bool = False):
    """`value` unchanged when it is clean text (or not text at all); ValidationError otherwise.

    name=True applies the stricter rule for names (see the module's docstring)."""
    if isinstance(value, str):
        problem = text_problem(value, name=name)
        if problem is not None:
            raise problem
    return value


@deconstructible(path="civicgrid.core.text.TextValidator")
class TextValidator:
    """check_text as a model or form field validator: `validators=[TextValidator(name=True)]`."""

    def __init__(self, name: bool = False):
        self.name = name

    def __call__(self, value):
        check_text(value, name=self.name)

    def __eq__(self, other):
        return isinstance(other, TextValidator) and other.name == self.name

    def __hash__(self):
        return hash((TextValidator, self.name))


validate_text = TextValidator()
validate_name = TextValidator(name=True)


# Request fields (form fields, JSON keys, query parameters) that hold a name: "name" and every
# "…name" / "…_name" field (first_name, last_name, reporter_name, staff_name, holiday_name,
# username …); formset prefixes ("posts-0-name") are ignored.
def is_name_field(key) -> bool:
    if not isinstance(key, str):
        return False
    last = key.rsplit("-", 1)[-1].rsplit(".", 1)[-1]
    return last.lower().endswith("name")


def field_text(value, field, label, max_length, *, required=False, errors=None) -> str:
    """A service's text input, stripped: required, at most `max_length` characters, and the rule
    above. A problem raises ValidationError({field: message}), or, given `errors` (a dict that
    collects every field's problem for one round trip), is put there instead."""
    value = (value or "").strip() if isinstance(value, str) or value is None else str(value)
    problem = None
    if required and not value:
        problem = _("请填写%(label)s") % {"label": label}
    elif len(value) > max_length:
        problem = _("%(label)s不能超过%(n)d个字") % {"label": label, "n": max_length}
    elif (found := text_problem(value)) is not None:
        problem = found.messages[0]
    if problem is not None:
        if errors is None:
            raise ValidationError({field: problem})
        errors[field] = problem
    return value
