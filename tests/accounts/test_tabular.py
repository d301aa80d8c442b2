"""The one reader of every import: CSV in UTF-8 (with or without BOM) or Windows-1252, « ; » or
« , » found by itself, XLSX, and French errors for what cannot be read."""

import csv
import io

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from accounts import tabular
from accounts.tabular import TableError, read_table

# Letters a French list holds, and the characters that make CSV hard: separators and quotes.
ALPHABET = "abcdeXYZ019 éèàçôÉŒœ«»€'-;,\"."
cell = st.text(alphabet=ALPHABET, max_size=12).map(str.strip)
ENCODINGS = {
    "utf-8": lambda text: text.encode("utf-8"),
    "utf-8-sig": lambda text: b"\xef\xbb\xbf" + text.encode("utf-8"),
    "cp1252": lambda text: text.encode("cp1252"),
}


def _csv(rows, delimiter) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=st.lists(st.text(alphabet="abcdefé", min_size=1, max_size=8), min_size=2, max_size=4),
    body=st.lists(st.lists(cell, min_size=1, max_size=4), min_size=1, max_size=8),
    delimiter=st.sampled_from([";", ","]),
    encoding=st.sampled_from(sorted(ENCODINGS)),
)
def test_rows_written_by_a_spreadsheet_are_read_back_in_every_encoding(
    header, body, delimiter, encoding
):
    width = len(header)
    rows = [header] + [(line + [""] * width)[:width] for line in body]
    rows = [row for row in rows if any(row)]
    content = ENCODINGS[encoding](_csv(rows, delimiter))
    if encoding == "cp1252":
        # Windows-1252 bytes that happen to form valid UTF-8 are read as UTF-8: nothing tells
        # them apart (« Ã© » is also « é »); such accents in a row are rare in French lists.
        try:
            content.decode("utf-8")
            assume(False)
        except UnicodeDecodeError:
            pass
    table = read_table(content, "liste.csv")
    assert [row.cells for row in table.rows] == rows
    assert table.delimiter == delimiter
    assert table.encoding == encoding


def test_windows_1252_from_french_excel_keeps_its_accents_and_ligatures():
    content = "nom;prénom\r\nŒuvray;Éloïse\r\n".encode("cp1252")
    table = read_table(content, "export.csv")
    assert table.encoding == "cp1252"
    assert [row.cells for row in table.rows] == [["nom", "prénom"], ["Œuvray", "Éloïse"]]


def test_line_numbers_follow_the_file_and_blank_lines_are_left_out():
    table = read_table(b'a;b\n\n"deux\nlignes";x\n;\nfin;y\n')
    assert [(row.line, row.cells) for row in table.rows] == [
        (1, ["a", "b"]),
        (3, ["deux\nlignes", "x"]),
        (6, ["fin", "y"]),
    ]


def test_a_separator_inside_quotes_does_not_fool_the_detection():
    table = read_table(b'"nom; pr\xc3\xa9nom",email\nx,y\n')
    assert table.delimiter == ","
    assert table.rows[0].cells == ["nom; prénom", "email"]


def test_an_xlsx_sheet_is_read_with_its_numbers():
    workbook = Workbook()
    workbook.active.append(["email", "note"])
    workbook.active.append(["a@exemple.fr", 14.0])
    workbook.active.append(["b@exemple.fr", 11.5])
    buffer = io.BytesIO()
    workbook.save(buffer)
    rows = read_table(buffer.getvalue(), "notes.xlsx").rows
    assert [[tabular.cell_text(value) for value in row.cells] for row in rows] == [
        ["email", "note"],
        ["a@exemple.fr", "14"],
        ["b@exemple.fr", "11.5"],
    ]


@pytest.mark.parametrize(
    ("content", "filename", "message", "line"),
    [
        (b"", "a.csv", "vide", 1),
        (b"\r\n ;\r\n", "a.csv", "vide", 1),
        (b"x" * 30, "a.csv", "dépasse", 0),
        (b"a;b\n" + b"x;y\n" * 11, "a.csv", "dépasse 10 lignes", 0),
        (b"a;b\n" + b"x" * 10_001 + b"\n", "a.csv", "Ligne 2 trop longue", 2),
        (b"%PDF-1.4\x00\x00binary", "a.pdf", "ni un CSV ni un classeur", 0),
        (b"\xd0\xcf\x11\xe0old excel", "a.xls", "ni un CSV ni un classeur", 0),
        (b"PK\x03\x04not really a zip", "a.xlsx", "illisible", 0),
        (b"a;b\nok;\x81\n", "a.csv", "ni en UTF-8 ni en Windows-1252", 2),
    ],
    ids=[
        "empty",
        "blank",
        "too-big",
        "too-many-rows",
        "line-too-long",
        "pdf",
        "xls",
        "broken-xlsx",
        "unknown-encoding",
    ],
)
def test_what_cannot_be_read_is_refused_in_french(content, filename, message, line):
    with pytest.raises(TableError) as refused:
        read_table(content, filename, max_bytes=25 if len(content) == 30 else 2**21, max_rows=10)
    assert message in refused.value.message
    assert refused.value.line == line
