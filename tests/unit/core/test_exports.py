"""The one spreadsheet writer: hostile text cells come out as plain text in CSV and XLSX."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from openpyxl import load_workbook

from app.core.exports import BOM, Sheet, csv_text, guard_cell, iter_csv, xlsx_bytes

HOSTILE = ["=1+1", "+84912345678", "-2+3", "@SUM(A1)", "\t=cmd|' /C calc'!A0",
           "\r=HYPERLINK(\"http://x\")", '=HYPERLINK("http://x","bấm")']


@pytest.mark.parametrize("text", HOSTILE)
def test_text_a_spreadsheet_would_run_gets_an_apostrophe(text):
    assert guard_cell(text) == "'" + text


@pytest.mark.parametrize("value", ["Nguyễn Văn A", "", "a=b", " =1", "MC261123", 12000, -5,
                                   0.8, date(2026, 3, 1)])
def test_other_cells_are_left_alone(value):
    assert guard_cell(value) == value


def test_none_is_an_empty_cell():
    assert guard_cell(None) == ""


def test_csv_starts_with_the_bom_and_streams_a_chunk_per_row():
    chunks = list(iter_csv([["ten", "so"], ["=1+1", 3], [None, -5]]))
    assert chunks[0] == BOM + "ten,so\r\n" and len(chunks) == 4
    rows = list(csv.reader(io.StringIO("".join(chunks).removeprefix(BOM))))
    assert rows == [["ten", "so"], ["'=1+1", "3"], ["", "-5"]]
    assert csv_text([]) == BOM


def test_csv_keeps_every_hostile_cell_neutral():
    rows = list(csv.reader(io.StringIO(csv_text([HOSTILE]).removeprefix(BOM))))
    assert rows == [["'" + text for text in HOSTILE]]


def test_xlsx_holds_text_not_formulas_and_keeps_number_formats():
    data = xlsx_bytes([Sheet("2026-03", [["ten", "ti le"], *([t, 0.5] for t in HOSTILE)],
                             {"B": "0.0%"}),
                       Sheet("Y kien", [["=x"]])])
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["2026-03", "Y kien"]
    first = book["2026-03"]
    cells = [row[0] for row in first.iter_rows(min_row=2)]
    # XML reads a carriage return back as a line feed; what matters is the apostrophe first.
    assert [c.value for c in cells] == [("'" + text).replace("\r", "\n") for text in HOSTILE]
    assert all(c.data_type == "s" for c in cells)
    assert first["B2"].number_format == "0.0%" and first["B1"].number_format == "General"
    assert book["Y kien"]["A1"].value == "'=x"
