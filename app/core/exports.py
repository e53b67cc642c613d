"""Spreadsheet exports (CSV and XLSX) whose text cells can never run as formulas.

Every CSV or XLSX the app hands out is written here, so the guard is in one place: names,
bank transfer texts, provider ids and comments are typed by anyone, and a spreadsheet runs a
cell starting with `=`, `+`, `-` or `@` (and, in some programs, a tab or carriage return
before one) as a formula. Such text gets a leading apostrophe, which the spreadsheet shows
as plain text.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Response, stream_with_context

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Spreadsheet programs read a CSV as UTF-8 (the Vietnamese names) only behind this mark.
BOM = "\ufeff"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Row = Sequence[Any]


def guard_cell(value: Any) -> Any:
    """A cell as a spreadsheet may safely read it: None is empty, text that would start a
    formula gets a leading `'`; numbers, dates and other text are left as they are."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def guard_row(row: Row) -> list[Any]:
    return [guard_cell(value) for value in row]


def iter_csv(rows: Iterable[Row]) -> Iterator[str]:
    """The CSV, BOM first, one chunk per row: a long export streams without being held."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write(BOM)
    for row in rows:
        writer.writerow(guard_row(row))
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    yield buffer.getvalue()  # the BOM alone when there were no rows


def csv_text(rows: Iterable[Row]) -> str:
    return "".join(iter_csv(rows))


def _attachment(filename: str) -> dict[str, str]:
    return {"Content-Disposition": f'attachment; filename="{filename}"'}


def csv_response(rows: Iterable[Row], filename: str) -> Response:
    """A CSV download streamed row by row; `rows` may be a lazy database result."""
    return Response(stream_with_context(iter_csv(rows)), mimetype="text/csv",
                    headers=_attachment(filename))


@dataclass
class Sheet:
    """One worksheet: a title, its rows, and number formats by column letter (e.g. "0.0%")
    applied below the header row."""

    title: str
    rows: Iterable[Row]
    number_formats: Mapping[str, str] = field(default_factory=dict)


def _line_feeds(value: Any) -> Any:
    """Text with every line break as a line feed. openpyxl writes a carriage return as it
    is through lxml and as a line feed without it; this keeps the file the same either way
    (spreadsheets show both as a new line)."""
    if isinstance(value, str) and "\r" in value:
        return value.replace("\r\n", "\n").replace("\r", "\n")
    return value


def xlsx_bytes(sheets: Sequence[Sheet]) -> bytes:
    # openpyxl is imported here: only the report download needs it, not every process start.
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for sheet in sheets:
        page = book.create_sheet(sheet.title)
        for row in sheet.rows:
            page.append([_line_feeds(value) for value in guard_row(row)])
        for column, number_format in sheet.number_formats.items():
            for cell in page[column][1:]:
                cell.number_format = number_format
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def xlsx_response(sheets: Sequence[Sheet], filename: str) -> Response:
    return Response(xlsx_bytes(sheets), mimetype=XLSX_MIMETYPE, headers=_attachment(filename))
