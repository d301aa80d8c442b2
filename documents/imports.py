"""Read a cohort's candidate list from CSV or XLSX and check every line before anything is saved.

The file has one header line and one line per candidate. Columns are found by their heading,
in any order, accents and case aside ("Prénom", "prenom", "PRÉNOM"). ``read_candidate_file``
turns the bytes into rows and reports every problem with its line and column; the services
(``documents.services``) compare the rows with the database and import them only when the
whole file is valid.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from accounts.models import Enrolment
from accounts.tabular import TableError, cell_text, read_table
from rules import admission

MAX_ROWS = 2000
MAX_BYTES = 2 * 1024 * 1024

# Canonical key → (heading shown in messages, accepted headings once normalised).
COLUMNS = {
    "last_name": ("nom", {"nom", "nom de famille"}),
    "first_name": ("prénom", {"prenom"}),
    "email": ("e-mail", {"e-mail", "email", "mail", "courriel", "adresse e-mail"}),
    "birth_date": ("date de naissance", {"date de naissance", "naissance"}),
    "route": ("voie", {"voie", "voie d'acces"}),
    "company": ("entreprise", {"entreprise", "employeur"}),
    "status": ("statut", {"statut", "statut du candidat"}),
    "tutor_email": (
        "e-mail du tuteur",
        {"e-mail du tuteur", "email du tuteur", "courriel du tuteur", "e-mail tuteur"},
    ),
    "tutor_last_name": ("nom du tuteur", {"nom du tuteur", "nom tuteur"}),
    "tutor_first_name": ("prénom du tuteur", {"prenom du tuteur", "prenom tuteur"}),
}
REQUIRED_COLUMNS = ("last_name", "first_name", "email", "birth_date", "route", "company")
REQUIRED_VALUES = REQUIRED_COLUMNS + ("tutor_email",)
ROUTES = {
    "portefeuille": Enrolment.Route.PORTEFEUILLE,
    "portefeuille de preuves": Enrolment.Route.PORTEFEUILLE,
    "epreuves": Enrolment.Route.EPREUVES,
}
STATUSES = {
    "salarie": Enrolment.Status.SALARIE,
    "demandeur d'emploi": Enrolment.Status.DEMANDEUR_EMPLOI,
    "apprenti": Enrolment.Status.APPRENTI,
    "contrat de professionnalisation": Enrolment.Status.APPRENTI,
}


@dataclass(frozen=True)
class LineError:
    line: int
    column: str
    message: str


@dataclass
class CandidateRow:
    line: int
    last_name: str
    first_name: str
    email: str
    birth_date: date | None
    route: str
    company: str
    tutor_email: str
    tutor_last_name: str = ""
    tutor_first_name: str = ""
    # Empty when the file has no status: a new enrolment is salaried, an existing one keeps its.
    status: str = ""


@dataclass
class ReadResult:
    rows: list[CandidateRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)


def _fold(text: str) -> str:
    """Return text lower-cased, without accents, with single spaces: the key for headings."""
    decomposed = unicodedata.normalize("NFKD", str(text))
    plain = "".join(char for char in decomposed if not unicodedata.combining(char))
    return " ".join(plain.replace("’", "'").lower().split())


def _clean(value) -> str:
    return " ".join(cell_text(value).split())


def read_candidate_file(filename: str, content: bytes, *, today: date) -> ReadResult:
    """Return the rows of a CSV or XLSX candidate list and every error, by line and column.

    ``today`` bounds the birth dates (none in the future).
    """
    result = ReadResult()
    try:
        table = read_table(content, filename, max_bytes=MAX_BYTES, max_rows=MAX_ROWS)
    except TableError as error:
        result.errors.append(LineError(error.line, "", error.message))
        return result
    header, *lines = table.rows
    columns = _map_header(header.cells, result)
    if columns is None:
        return result
    if not lines:
        result.errors.append(LineError(2, "", _("Le fichier ne contient aucun candidat.")))
        return result
    for line in lines:
        row = _read_row(line.line, line.cells, columns, result, today)
        if row is not None:
            result.rows.append(row)
    _check_duplicates(result)
    return result


def _map_header(header: list, result: ReadResult) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for index, heading in enumerate(header):
        folded = _fold(_clean(heading))
        for key, (_shown, accepted) in COLUMNS.items():
            if folded in accepted:
                if key in columns:
                    result.errors.append(
                        LineError(
                            1,
                            COLUMNS[key][0],
                            _("La colonne « %(column)s » apparaît deux fois : gardez-en une seule.")
                            % {"column": COLUMNS[key][0]},
                        )
                    )
                columns[key] = index
    missing = [key for key in REQUIRED_COLUMNS + ("tutor_email",) if key not in columns]
    for key in missing:
        result.errors.append(
            LineError(
                1,
                COLUMNS[key][0],
                _("Colonne « %(column)s » absente de la ligne d'en-tête : ajoutez-la.")
                % {"column": COLUMNS[key][0]},
            )
        )
    if result.errors:
        return None
    return columns


def _read_row(number: int, cells: list, columns: dict[str, int], result: ReadResult, today):
    def raw(key: str):
        index = columns.get(key)
        return cells[index] if index is not None and index < len(cells) else None

    def error(key: str, message: str) -> None:
        result.errors.append(LineError(number, COLUMNS[key][0], message))

    errors_before = len(result.errors)
    values = {key: _clean(raw(key)) for key in COLUMNS if key != "birth_date"}
    for key in REQUIRED_VALUES:
        if key != "birth_date" and not values[key]:
            error(key, _("Champ obligatoire vide : indiquez %(what)s.") % {"what": _article(key)})

    for key in ("email", "tutor_email"):
        if values[key]:
            values[key] = values[key].lower()
            try:
                validate_email(values[key])
            except ValidationError:
                error(
                    key,
                    _(
                        "Adresse e-mail invalide « %(value)s » : écrivez-la sous la forme "
                        "nom@domaine.fr."
                    )
                    % {"value": values[key]},
                )
    if values["email"] and values["email"] == values["tutor_email"]:
        error(
            "tutor_email",
            _("Le tuteur ne peut pas être le candidat : corrigez l'une des adresses."),
        )

    route = values["route"]
    if route:
        values["route"] = ROUTES.get(_fold(route), "")
        if not values["route"]:
            error(
                "route",
                _("Voie inconnue « %(value)s » : écrivez « portefeuille » ou « épreuves ».")
                % {"value": route},
            )

    status = values.get("status", "")
    values["status"] = STATUSES.get(_fold(status), "") if status else ""
    if status and not values["status"]:
        error(
            "status",
            _(
                "Statut inconnu « %(value)s » : écrivez « salarié », « demandeur d'emploi » ou "
                "« apprenti »."
            )
            % {"value": status},
        )
    elif (
        values["route"] == Enrolment.Route.PORTEFEUILLE
        and values["status"]
        and values["status"] not in admission.PORTFOLIO_STATUSES
    ):
        error(
            "route",
            _(
                "Le portefeuille de preuves est réservé aux candidats salariés ou demandeurs "
                "d'emploi : écrivez « épreuves » ou corrigez le statut."
            ),
        )

    birth_date = _read_date(raw("birth_date"), today, lambda message: error("birth_date", message))

    if len(result.errors) > errors_before:
        return None
    return CandidateRow(
        line=number,
        last_name=values["last_name"],
        first_name=values["first_name"],
        email=values["email"],
        birth_date=birth_date,
        route=values["route"],
        company=values["company"],
        tutor_email=values["tutor_email"],
        tutor_last_name=values["tutor_last_name"],
        tutor_first_name=values["tutor_first_name"],
        status=values["status"],
    )


def _article(key: str) -> str:
    return {
        "last_name": _("le nom"),
        "first_name": _("le prénom"),
        "email": _("l'adresse e-mail"),
        "route": _("la voie (portefeuille ou épreuves)"),
        "company": _("l'entreprise"),
        "tutor_email": _("l'adresse e-mail du tuteur"),
    }[key]


def _read_date(value, today: date, report) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = _clean(value)
    if not text:
        report(_("Champ obligatoire vide : indiquez la date de naissance (JJ/MM/AAAA)."))
        return None
    parts = text.split("/")
    if (
        len(parts) != 3
        or not all(part.isascii() and part.isdigit() for part in parts)
        or len(parts[2]) != 4
    ):
        report(
            _("Date de naissance « %(value)s » mal écrite : utilisez le format JJ/MM/AAAA.")
            % {"value": text}
        )
        return None
    day, month, year = (int(part) for part in parts)
    try:
        parsed = date(year, month, day)
    except ValueError:
        report(
            _("Date de naissance « %(value)s » impossible : ce jour n'existe pas.")
            % {"value": text}
        )
        return None
    if parsed >= today or parsed.year < 1900:
        report(
            _("Date de naissance « %(value)s » invraisemblable : vérifiez l'année.")
            % {"value": text}
        )
        return None
    return parsed


def _check_duplicates(result: ReadResult) -> None:
    """Report an address given twice in the file; the second line is the one to fix."""
    candidate_lines: dict[str, int] = {}
    for row in result.rows:
        first = candidate_lines.setdefault(row.email, row.line)
        if first != row.line:
            result.errors.append(
                LineError(
                    row.line,
                    "e-mail",
                    _(
                        "Adresse « %(email)s » déjà utilisée ligne %(line)d : un candidat ne "
                        "figure qu'une fois."
                    )
                    % {"email": row.email, "line": first},
                )
            )
    for row in result.rows:
        if row.tutor_email in candidate_lines:
            result.errors.append(
                LineError(
                    row.line,
                    "e-mail du tuteur",
                    _(
                        "Adresse « %(email)s » : c'est celle du candidat de la ligne %(line)d, "
                        "un candidat ne peut pas être tuteur."
                    )
                    % {"email": row.tutor_email, "line": candidate_lines[row.tutor_email]},
                )
            )
    # A new tutor named differently on two lines is ambiguous.
    tutors: dict[str, tuple[int, str, str]] = {}
    for row in result.rows:
        if not (row.tutor_last_name or row.tutor_first_name):
            continue
        names = (row.tutor_last_name, row.tutor_first_name)
        first = tutors.setdefault(row.tutor_email, (row.line, *names))
        if first[1:] != names:
            result.errors.append(
                LineError(
                    row.line,
                    "nom du tuteur",
                    _(
                        "Le tuteur « %(email)s » porte un autre nom ligne %(line)d : écrivez "
                        "le même nom et le même prénom."
                    )
                    % {"email": row.tutor_email, "line": first[0]},
                )
            )
    result.errors.sort(key=lambda error: (error.line, error.column))
