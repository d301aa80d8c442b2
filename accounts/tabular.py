"""Read an uploaded CSV or XLSX file into rows of cells: the one reader of every import.

CSV files come from spreadsheets as they are: UTF-8 with or without its byte-order mark, or
Windows-1252 (French Excel's « CSV (séparateur : point-virgule) »), separated by « ; » or « , »
(or a tab). XLSX files are read from their first sheet. What cannot be read raises
``TableError`` with a French message saying what to do and, where it applies, the line.

It lives in ``accounts``, below ``workflow`` and ``documents``, so that every import shares it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

MAX_BYTES = 2 * 1024 * 1024
MAX_ROWS = 5000
MAX_LINE_CHARS = 10_000

BOM = b"\xef\xbb\xbf"
XLSX_MAGIC = b"PK\x03\x04"
# Old Excel (.xls), LibreOffice's and Word's compound files.
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
DELIMITERS = (";", ",", "\t")
_QUOTED = re.compile(r'"(?:[^"]|"")*"')


class TableError(Exception):
    """The file cannot be read at all: ``message`` says why in French, ``line`` where (0: the
    whole file)."""

    def __init__(self, message: str, line: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Row:
    """One line of the file: its number as a spreadsheet shows it, and its cells (text for CSV;
    text, numbers or dates for XLSX)."""

    line: int
    cells: list


@dataclass
class Table:
    rows: list[Row]
    encoding: str  # "utf-8", "utf-8-sig", "cp1252" or "xlsx"
    delimiter: str = ""

    @property
    def header(self) -> Row | None:
        return self.rows[0] if self.rows else None


def cell_text(value) -> str:
    """Return a cell as text, spaces trimmed: « 14 » for the 14.0 Excel stores, « 14.5 »."""
    if value is None:
        return ""
    if isinstance(value, float):
        value = int(value) if value.is_integer() else Decimal(repr(value))
    return str(value).strip()


def read_table(
    content: bytes,
    filename: str = "",
    *,
    max_bytes: int = MAX_BYTES,
    max_rows: int = MAX_ROWS,
) -> Table:
    """Return the rows of a CSV or XLSX file, blank lines left out; raise ``TableError``.

    ``max_rows`` counts the lines after the header.
    """
    if len(content) > max_bytes:
        raise TableError(
            _("Le fichier dépasse %(size)s Mo : découpez-le en plusieurs fichiers.")
            % {"size": _megabytes(max_bytes)}
        )
    if not content.strip():
        raise TableError(_("Le fichier est vide : ajoutez une ligne d'en-tête et vos lignes."), 1)
    name = filename.lower()
    if content.startswith(XLSX_MAGIC) or name.endswith(".xlsx"):
        table = _read_xlsx(content, max_rows)
    elif content.startswith(OLE_MAGIC) or name.endswith((".xls", ".ods", ".pdf", ".docx")):
        raise TableError(_wrong_kind())
    else:
        table = _read_csv(content)
    table.rows = [row for row in table.rows if any(cell_text(cell) for cell in row.cells)]
    if not table.rows:
        raise TableError(_("Le fichier est vide : ajoutez une ligne d'en-tête et vos lignes."), 1)
    if len(table.rows) - 1 > max_rows:
        raise TableError(
            _("Le fichier dépasse %(n)d lignes : découpez-le en plusieurs fichiers.")
            % {"n": max_rows}
        )
    return table


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}".replace(".", ",")


def _wrong_kind() -> str:
    return _(
        "Ce fichier n'est ni un CSV ni un classeur .xlsx : depuis votre tableur, enregistrez-le "
        "en « CSV (séparateur : point-virgule) », en « CSV UTF-8 » ou en .xlsx."
    )


def _decode(content: bytes) -> tuple[str, str]:
    if content.startswith(BOM):
        encoding = "utf-8-sig"
    else:
        try:
            return content.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            encoding = "cp1252"
    try:
        return content.decode(encoding), encoding
    except UnicodeDecodeError as error:
        raise TableError(
            _(
                "Caractère illisible : le fichier n'est ni en UTF-8 ni en Windows-1252. "
                "Enregistrez-le en « CSV UTF-8 » depuis votre tableur."
            ),
            content[: error.start].count(b"\n") + 1,
        ) from None


def _read_csv(content: bytes) -> Table:
    if b"\x00" in content[:4096]:
        raise TableError(_wrong_kind())
    text, encoding = _decode(content)
    lines = text.splitlines()
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE_CHARS:
            raise TableError(
                _("Ligne %(line)d trop longue (plus de %(n)d caractères) : vérifiez le fichier.")
                % {"line": number, "n": MAX_LINE_CHARS},
                number,
            )
    # Quoted cells may hold any separator, even a line break: count outside them.
    unquoted = _QUOTED.sub("", text[:65536])
    delimiter = sniff_delimiter(next((line for line in unquoted.splitlines() if line.strip()), ""))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    start = 1
    try:
        for cells in reader:
            rows.append(Row(start, [cell.strip() for cell in cells]))
            start = reader.line_num + 1
    except csv.Error:
        raise TableError(
            _("Ligne %(line)d illisible (guillemet non fermé ?) : corrigez-la.") % {"line": start},
            start,
        ) from None
    return Table(rows=rows, encoding=encoding, delimiter=delimiter)


def sniff_delimiter(first_line: str) -> str:
    """Return the separator of a CSV whose first line is ``first_line``: the most frequent of
    « ; », « , » and tab, « ; » when none (a one-column file)."""
    counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ";"


def _read_xlsx(content: bytes, max_rows: int) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds of errors for a damaged file
        raise TableError(
            _("Le classeur Excel est illisible : enregistrez-le à nouveau au format .xlsx.")
        ) from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            cells = list(cells)
            while cells and cell_text(cells[-1]) == "":
                cells.pop()
            if cells:
                rows.append(Row(number, cells))
            if len(rows) > max_rows + 1:
                break  # over the limit, which the caller reports: no need to read further
        return Table(rows=rows, encoding="xlsx")
    finally:
        workbook.close()
