"""Spreadsheet cells that stay text: a cell a user typed beginning with = + - @ (or a tab or
carriage return) is a formula to Excel and WPS (CSV injection); it is written with a leading
apostrophe, which spreadsheets show as plain text. Every CSV and .xlsx export passes its text
cells through `safe_cell`."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values) -> list:
    return [safe_cell(v) for v in values]
