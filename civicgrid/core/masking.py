"""Masking of personal data for display: every screen, endpoint and export uses these.

The rule for an ID number is that its masked form, together with whatever else is shown beside it
to the same role (birth year, gender, the street's district), still leaves thousands of candidates:
an 18-digit 居民身份证 keeps its province (2 digits) and its last two (gender digit and check
digit) and nothing of the district or the birth date; the birth date itself is shown as a year
(`birth_year`). A role that needs the full number asks for it, and that view is logged.
"""

import datetime
import re
import unicodedata


def mask_id_number(value: str) -> str:
    """ "310115194501011479" → "31**************79"; other documents keep at most 2 + 2."""
    value = value or ""
    n = len(value)
    if n == 0:
        return ""
    if n >= 10:
        return value[:2] + "*" * (n - 4) + value[-2:]
    if n >= 5:
        return value[:1] + "*" * (n - 3) + value[-2:]
    return "*" * n


_NOT_DIGITS = re.compile(r"\D+")


def normalize_phone(value: str) -> str:
    """A phone as it is stored and compared: digits only, without a +86/0086 prefix —
    "139 1234 5678", "+86-13912345678" and full-width "１３９１２３４５６７８" are the same
    "13912345678"; "021-6400 1234" is "02164001234"."""
    digits = _NOT_DIGITS.sub("", unicodedata.normalize("NFKC", value or ""))
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) == 11:
            return digits[len(prefix) :]
    return digits


def mask_phone(value: str) -> str:
    """One format everywhere, whatever way the number was written: "13912345678",
    "+86 139-1234-5678" → "139****5678"; a landline with its area code "021-64001234" →
    "021****1234"; a shorter number keeps only its last four ("****1234")."""
    digits = normalize_phone(value)
    if not digits:
        return ""
    if len(digits) >= 11:
        return digits[:3] + "****" + digits[-4:]
    if len(digits) > 4:
        return "****" + digits[-4:]
    return "*" * len(digits)


def birth_year(value: datetime.date | None) -> int | None:
    """What a masked view shows of a birth date: the year (with a masked ID, never the day)."""
    return value.year if value else None
