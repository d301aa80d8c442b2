"""Exports: a cell typed by a user that starts like a formula is written as text, never run."""

import csv
import io

from openpyxl import load_workbook

from documents.exports import Table, table_csv, table_xlsx

TYPED = ['=HYPERLINK("http://x","clic")', "+33 6 12", "-2+3", "@SUM(A1)", "\t=1", "Durand"]


def _table():
    return Table(title="Historique", headings=["Motif"], rows=[[value] for value in TYPED])


def test_csv_neutralises_cells_that_start_like_a_formula():
    text = table_csv(_table()).decode("utf-8-sig")
    cells = [row[0] for row in csv.reader(io.StringIO(text), delimiter=";")][1:]
    assert cells[-1] == "Durand"
    for typed, cell in zip(TYPED[:-1], cells[:-1], strict=True):
        assert cell == "'" + typed


def test_xlsx_writes_cells_that_start_like_a_formula_as_text():
    sheet = load_workbook(io.BytesIO(table_xlsx(_table()))).active
    cells = [row[0] for row in sheet.iter_rows(min_row=2)]
    for typed, cell in zip(TYPED, cells, strict=True):
        assert cell.data_type == "s"
        assert cell.value in (typed, "'" + typed)
    assert cells[0].value.startswith("'")
