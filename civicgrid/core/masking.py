"""Masking of personal data for display: every screen, endpoint and export uses these.

The rule for an ID number is that its masked form, together with whatever else is shown beside it
to the same role (birth year, gender, the street's district), still leaves thousands of candidates:
an 18-digit 居民身份证 keeps its province (2 digits) and its last two (gender digit and check
digit) and nothing of the district or the birth date; the birth date itself is shown as a year
(`birth_year`). A role that needs the full number asks for it, and that view is logged.
"""

import datetime


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


def mask_phone(value: str) -> str:
    """ "13912345678" → "139****5678"."""
    value = value or ""
    n = len(value)
    if n == 0:
        return ""
    if n >= 8:
        return value[:3] + "*" * (n - 7) + value[-4:]
    return "*" * n


def birth_year(value: datetime.date | None) -> int | None:
    """What a masked view shows of a birth date: the year (with a masked ID, never the day)."""
    return value.year if value else None
