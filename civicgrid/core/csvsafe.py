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


# Excel refuses a sheet name with any of these, or longer than 31 characters (openpyxl raises
# ValueError): a translated name such as "Street/town" would stop the whole export.
SHEET_FORBIDDEN = str.maketrans({c: "-" for c in "[]:*?/\\"})
SHEET_TITLE_MAX = 31


def sheet_title(text) -> str:
    """`text` (a label, perhaps translated) as a name Excel takes for a sheet."""
    return str(text).translate(SHEET_FORBIDDEN).strip("'")[:SHEET_TITLE_MAX] or "Sheet"
