"""Reading a table a user brings: the first sheet of an .xlsx workbook, or a CSV file in UTF-8
(with or without the BOM Excel writes) or GB18030 — what Excel and WPS on a Chinese Windows save
as “CSV”, a superset of GBK. Used by every import (residents, the dispatch model's labelled
files); a file that cannot be read is a SpreadsheetError with the reason in the user's
language, never a traceback."""

import csv
import io

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CSV_ENCODINGS = ("utf-8-sig", "gb18030")


class SpreadsheetError(ValidationError):
    """The file as a whole cannot be read (a broken workbook, an unknown encoding)."""


def is_workbook(content: bytes, filename: str = "") -> bool:
    # An .xlsx is a zip archive: its first bytes say so whatever the file is called.
    return content[:2] == b"PK" or filename.lower().endswith((".xlsx", ".xlsm"))


def decode_text(content: bytes) -> str:
    for encoding in CSV_ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SpreadsheetError(_("无法识别CSV文件的编码，请另存为UTF-8或GBK编码"))


def read_rows(content: bytes, filename: str = "") -> list[list]:
    """All rows, header first: a workbook's cells as openpyxl gives them (None when empty), a
    CSV's as strings."""
    if is_workbook(content, filename):
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
            try:
                return [list(r) for r in workbook.worksheets[0].iter_rows(values_only=True)]
            finally:
                workbook.close()
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise SpreadsheetError(_("无法读取Excel文件：%(err)s") % {"err": exc}) from exc
    return list(csv.reader(io.StringIO(decode_text(content))))
