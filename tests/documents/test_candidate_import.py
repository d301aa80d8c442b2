"""Importing a cohort's candidates from CSV or XLSX: dry run, every error, all or nothing."""

import io
from datetime import date

import pytest
from django.urls import reverse
from openpyxl import Workbook

from accounts.models import Enrolment, Organisation, Role, User, UserRole
from audit.models import AuditEvent
from documents import services
from tests.factories import STAFF_ROLES, CohortFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

HEADER = (
    "nom;prénom;e-mail;date de naissance;voie;entreprise;e-mail du tuteur;"
    "nom du tuteur;prénom du tuteur"
)
GOOD_LINES = [
    "Légaré;Anaïs;anais.legare@exemple.fr;05/03/1998;portefeuille;Hôtel des Célestins;"
    "tuteur.celestins@exemple.fr;Faure;Hélène",
    "Dupont;Jérôme;jerome.dupont@exemple.fr;28/11/2001;épreuves;Imprimerie Lumière;"
    "tuteur.lumiere@exemple.fr;Roche;Marc",
    "Nguyen;Zoé;zoe.nguyen@exemple.fr;01/01/2000;Epreuves;hôtel des célestins;"
    "tuteur.celestins@exemple.fr;Faure;Hélène",
]


def csv_bytes(*lines, header=HEADER, bom=True, delimiter=";") -> bytes:
    text = "\n".join([header, *lines]) + "\n"
    if delimiter != ";":
        text = text.replace(";", delimiter)
    return (b"\xef\xbb\xbf" if bom else b"") + text.encode()


def counts():
    return (
        User.objects.count(),
        Enrolment.objects.count(),
        Organisation.objects.count(),
        UserRole.objects.count(),
    )


@pytest.fixture
def cohort():
    return CohortFactory(name="Promotion 2026 Lyon")


@pytest.fixture
def staff():
    return UserFactory(email="responsable@exemple.fr", roles=STAFF_ROLES)


def test_a_good_csv_imports_candidates_tutors_companies_and_enrolments(cohort, staff):
    report = services.enrolments_import(
        cohort=cohort, filename="promo.csv", content=csv_bytes(*GOOD_LINES), actor=staff
    )
    assert report.valid
    anais = User.objects.get(email="anais.legare@exemple.fr")
    assert (anais.last_name, anais.first_name, anais.birth_date) == (
        "Légaré",
        "Anaïs",
        date(1998, 3, 5),
    )
    assert anais.has_role(Role.CANDIDAT)
    assert not anais.has_usable_password()
    enrolment = Enrolment.objects.get(candidate=anais, cohort=cohort)
    assert enrolment.route == Enrolment.Route.PORTEFEUILLE
    assert enrolment.company.name == "Hôtel des Célestins"
    assert enrolment.tutor.email == "tuteur.celestins@exemple.fr"
    assert enrolment.tutor.has_role(Role.TUTEUR)
    # "hôtel des célestins" on line 4 is the same company, and the same tutor is reused.
    zoe = Enrolment.objects.get(candidate__email="zoe.nguyen@exemple.fr")
    assert zoe.company == enrolment.company and zoe.tutor == enrolment.tutor
    assert zoe.route == Enrolment.Route.EPREUVES
    assert Organisation.objects.filter(kind=Organisation.Kind.ENTREPRISE).count() == 2
    event = AuditEvent.objects.get(action="candidates_imported")
    assert event.actor == staff
    assert event.after["new_enrolments"] == 3


def test_importing_the_same_file_twice_changes_nothing(cohort, staff):
    content = csv_bytes(*GOOD_LINES)
    services.enrolments_import(cohort=cohort, filename="a.csv", content=content, actor=staff)
    before = counts()
    snapshot = list(
        Enrolment.objects.values_list("candidate_id", "route", "company_id", "tutor_id")
    )
    report = services.enrolments_import(
        cohort=cohort, filename="a.csv", content=content, actor=staff
    )
    assert counts() == before
    assert (
        list(Enrolment.objects.values_list("candidate_id", "route", "company_id", "tutor_id"))
        == snapshot
    )
    assert not report.changes_anything
    assert len(report.unchanged_enrolments) == 3
    assert AuditEvent.objects.filter(action="candidates_imported").count() == 2


def test_comma_separated_without_bom_is_read_too(cohort, staff):
    content = csv_bytes(*GOOD_LINES[:2], bom=False, delimiter=",")
    report = services.enrolments_import(
        cohort=cohort, filename="a.csv", content=content, actor=staff
    )
    assert report.valid and len(report.new_enrolments) == 2


def test_an_xlsx_file_with_real_date_cells_is_imported(cohort, staff):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(";"))
    sheet.append(
        [
            "Ébrard",
            "Maëlle",
            "maelle.ebrard@exemple.fr",
            date(1999, 12, 31),
            "portefeuille",
            "Clinique Saint-Exupéry",
            "tuteur.clinique@exemple.fr",
            "Morel",
            "Lucie",
        ]
    )
    sheet.append(
        ["Petit", "Noé", "noe.petit@exemple.fr", "14/07/2002", "épreuves", "Clinique Saint-Exupéry"]
        + ["tuteur.clinique@exemple.fr", "", ""]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    report = services.enrolments_import(
        cohort=cohort, filename="promo.xlsx", content=buffer.getvalue(), actor=staff
    )
    assert report.valid, report.errors
    assert User.objects.get(email="maelle.ebrard@exemple.fr").birth_date == date(1999, 12, 31)
    assert User.objects.get(email="noe.petit@exemple.fr").birth_date == date(2002, 7, 14)


def test_every_kind_of_bad_line_is_reported_by_line_and_column_and_nothing_is_imported(
    cohort, staff
):
    UserFactory(email="deja.inscrit@exemple.fr", birth_date=date(1990, 1, 1))
    lines = [
        GOOD_LINES[0],  # line 2: fine
        "Martin;Paul;paul.martin@exemple.fr;31/02/2000;portefeuille;ACME;tuteur.acme@x.fr;A;B",
        "Martin;Lina;lina.martin@exemple.fr;2000-02-03;portefeuille;ACME;tuteur.acme@x.fr;A;B",
        "Roux;Léo;leo.roux@exemple.fr;03/04/2001;alternance;ACME;tuteur.acme@x.fr;A;B",
        ";Sam;sam@exemple.fr;03/04/2001;portefeuille;ACME;tuteur.acme@x.fr;A;B",
        "Blanc;Éva;eva.blanc@@exemple;03/04/2001;portefeuille;ACME;tuteur.acme@x.fr;A;B",
        "Durand;Anaïs;ANAIS.LEGARE@exemple.fr;03/04/2001;portefeuille;ACME;tuteur.acme@x.fr;A;B",
        "Vidal;Tom;tom.vidal@exemple.fr;03/04/2001;portefeuille;ACME;inconnu@exemple.fr;;",
        "Deja;Inscrit;deja.inscrit@exemple.fr;02/02/1992;portefeuille;ACME;tuteur.acme@x.fr;A;B",
        "Gay;Ugo;ugo.gay@exemple.fr;03/04/2001;portefeuille;;tuteur.acme@x.fr;A;B",
        "Gros;Ana;ana.gros@exemple.fr;03/04/2001;portefeuille;ACME;ana.gros@exemple.fr;A;B",
        "Fort;Max;max.fort@exemple.fr;03/04/2099;portefeuille;ACME;tuteur.acme@x.fr;A;B",
    ]
    before = counts()
    report = services.enrolments_import_check(
        cohort=cohort, filename="bad.csv", content=csv_bytes(*lines)
    )
    found = {(error.line, error.column) for error in report.errors}
    messages = {(error.line, error.column): error.message for error in report.errors}
    assert (3, "date de naissance") in found and "n'existe pas" in messages[
        (3, "date de naissance")
    ]
    assert "JJ/MM/AAAA" in messages[(4, "date de naissance")]
    assert "Voie inconnue « alternance »" in messages[(5, "voie")]
    assert "indiquez le nom" in messages[(6, "nom")]
    assert "Adresse e-mail invalide" in messages[(7, "e-mail")]
    assert "déjà utilisée ligne 2" in messages[(8, "e-mail")]
    assert "inconnu" in messages[(9, "nom du tuteur")]
    assert "01/01/1990" in messages[(10, "date de naissance")]
    assert "l'entreprise" in messages[(11, "entreprise")]
    assert "ne peut pas être le candidat" in messages[(12, "e-mail du tuteur")]
    assert "invraisemblable" in messages[(13, "date de naissance")]
    assert not any(error.line == 2 for error in report.errors)
    with pytest.raises(services.ImportInvalid):
        services.enrolments_import(
            cohort=cohort, filename="bad.csv", content=csv_bytes(*lines), actor=staff
        )
    assert counts() == before
    assert not AuditEvent.objects.filter(action="candidates_imported").exists()


def test_a_missing_column_is_reported_on_the_header_line(cohort):
    header = "nom;prénom;e-mail;voie;entreprise;e-mail du tuteur"
    report = services.enrolments_import_check(
        cohort=cohort, filename="a.csv", content=csv_bytes(header=header)
    )
    assert [(e.line, e.column) for e in report.errors] == [(1, "date de naissance")]
    assert "ajoutez-la" in report.errors[0].message


ENCODED_LINE = (
    "Œuvray;Éloïse;eloise.oeuvray@exemple.fr;05/03/1998;épreuves;Cœur de Lyon;"
    "tuteur.coeur@exemple.fr;Lefèvre;Hélène"
)


@pytest.mark.parametrize(
    "encode",
    [
        pytest.param(lambda text: text.encode("cp1252"), id="windows-1252"),
        pytest.param(lambda text: b"\xef\xbb\xbf" + text.encode(), id="utf-8-bom"),
        pytest.param(lambda text: text.encode(), id="utf-8"),
    ],
)
def test_each_encoding_a_spreadsheet_writes_is_imported_with_its_accents(cohort, staff, encode):
    content = encode(HEADER + "\r\n" + ENCODED_LINE + "\r\n")
    services.enrolments_import(cohort=cohort, filename="a.csv", content=content, actor=staff)
    enrolment = Enrolment.objects.select_related("candidate", "company").get()
    assert (enrolment.candidate.last_name, enrolment.candidate.first_name) == ("Œuvray", "Éloïse")
    assert enrolment.company.name == "Cœur de Lyon"


def test_a_file_in_no_known_encoding_is_refused_with_what_to_do(cohort):
    content = (HEADER + "\n").encode() + b"Nom\x81;x\n"
    report = services.enrolments_import_check(cohort=cohort, filename="a.csv", content=content)
    assert report.errors[0].line == 2
    assert "CSV UTF-8" in report.errors[0].message


def test_a_corrected_file_updates_the_enrolment_it_changes(cohort, staff):
    services.enrolments_import(
        cohort=cohort, filename="a.csv", content=csv_bytes(GOOD_LINES[0]), actor=staff
    )
    changed = GOOD_LINES[0].replace(";portefeuille;", ";épreuves;")
    report = services.enrolments_import(
        cohort=cohort, filename="a.csv", content=csv_bytes(changed), actor=staff
    )
    assert len(report.changed_enrolments) == 1
    assert Enrolment.objects.get().route == Enrolment.Route.EPREUVES


def test_an_existing_company_and_tutor_are_reused_without_names(cohort, staff):
    company = OrganisationFactory(name="Imprimerie Lumière")
    tutor = UserFactory(email="tuteur.lumiere@exemple.fr", roles=[Role.TUTEUR], employer=company)
    line = "Dupont;Jérôme;jerome.dupont@exemple.fr;28/11/2001;épreuves;IMPRIMERIE LUMIÈRE;" + (
        "tuteur.lumiere@exemple.fr;;"
    )
    services.enrolments_import(
        cohort=cohort, filename="a.csv", content=csv_bytes(line), actor=staff
    )
    enrolment = Enrolment.objects.get()
    assert enrolment.company == company and enrolment.tutor == tutor


# --- The staff screens -------------------------------------------------------------------


def upload(name, content):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type="text/csv")


def test_staff_dry_run_then_confirm_imports(client, cohort, staff):
    client.force_login(staff)
    url = reverse("documents:candidate_import")
    response = client.post(
        url, {"cohort": cohort.pk, "file": upload("p.csv", csv_bytes(*GOOD_LINES))}
    )
    assert response.status_code == 200
    assert "Confirmer l'import" in response.content.decode()
    assert not Enrolment.objects.exists()  # the dry run saves nothing
    token = response.context["confirm_form"].initial["token"]
    response = client.post(reverse("documents:candidate_import_confirm"), {"token": token})
    assert response.status_code == 302
    assert Enrolment.objects.filter(cohort=cohort).count() == 3


def test_the_dry_run_page_lists_errors_and_offers_no_confirmation(client, cohort, staff):
    client.force_login(staff)
    bad = GOOD_LINES[0].replace("05/03/1998", "05/13/1998")
    response = client.post(
        reverse("documents:candidate_import"),
        {"cohort": cohort.pk, "file": upload("p.csv", csv_bytes(bad))},
    )
    html = response.content.decode()
    assert "date de naissance" in html and "ce jour n&#x27;existe pas" in html
    assert "Confirmer l'import" not in html


def test_a_tampered_confirmation_imports_nothing(client, cohort, staff):
    client.force_login(staff)
    response = client.post(
        reverse("documents:candidate_import"),
        {"cohort": cohort.pk, "file": upload("p.csv", csv_bytes(*GOOD_LINES))},
    )
    token = response.context["confirm_form"].initial["token"]
    response = client.post(
        reverse("documents:candidate_import_confirm"), {"token": token[:-2] + "xx"}
    )
    assert response.status_code == 302
    assert not Enrolment.objects.exists()


def test_another_staff_member_cannot_replay_a_confirmation(client, cohort, staff):
    client.force_login(staff)
    response = client.post(
        reverse("documents:candidate_import"),
        {"cohort": cohort.pk, "file": upload("p.csv", csv_bytes(*GOOD_LINES))},
    )
    token = response.context["confirm_form"].initial["token"]
    client.force_login(UserFactory(roles=[Role.ADMINISTRATEUR]))
    client.post(reverse("documents:candidate_import_confirm"), {"token": token})
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize(
    "role", [Role.CANDIDAT, Role.FORMATEUR, Role.EVALUATEUR, Role.TUTEUR, Role.JURY]
)
def test_only_the_staff_may_import(client, cohort, role):
    client.force_login(UserFactory(roles=[role]))
    response = client.post(
        reverse("documents:candidate_import"),
        {"cohort": cohort.pk, "file": upload("p.csv", csv_bytes(*GOOD_LINES))},
    )
    assert response.status_code == 403
    assert not Enrolment.objects.exists()
