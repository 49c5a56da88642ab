"""Masking of personal data for display: every screen, endpoint and export uses these."""


def mask_id_number(value: str) -> str:
    """ "310101199001011234" → "3101**********1234"; short documents keep less."""
    value = value or ""
    n = len(value)
    if n == 0:
        return ""
    if n >= 10:
        return value[:4] + "*" * (n - 8) + value[-4:]
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
