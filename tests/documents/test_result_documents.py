"""The documents of a closed session, built on the jury's stored decisions.

The session is carried through the jury's own services (composition, soutenances, deliberation
with an override, closing, publication); the documents are read back and compared with the
stored decisions, figure by figure.
"""

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.models import Role
from documents import exports, selectors, services
from documents.models import IssuedDocument
from tests.documents.conftest import pdf_text, response_bytes
from tests.documents.test_shown_figures import pdftotext
from tests.factories import UserFactory
from tests.workflow.jury.helpers import (  # noqa: F401
    JURY_EVENING,
    clock_move,
    jury_timeline,
    ready_enrolment,
    seated_session,
)
from workflow.jury import deliberation, sessions, soutenances
from workflow.models import Accommodation, CCMark, JuryDecision, JurySession

# The session sits on 15/03/2027: the fixture moves the clock to its evening to deliberate.
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("jury_timeline")]


def person(first_name, last_name, birth_date):
    return UserFactory(
        first_name=first_name, last_name=last_name, birth_date=birth_date, roles=[Role.CANDIDAT]
    )


@pytest.fixture
def decided():
    """A session with three candidates: the title with a half point, a partial certification,
    and a decision the jury took against the computed one."""
    anais = ready_enrolment(
        exam_ratio=Decimal("0.55"), candidate=person("Anaïs", "Légaré", date(1998, 3, 5))
    )
    jerome = ready_enrolment(
        written=Decimal(0),
        tutor_full=False,
        candidate=person("Jérôme", "Dupont-Aïdi", date(2001, 11, 28)),
    )
    zoe = ready_enrolment(
        written=Decimal(0), tutor_full=False, candidate=person("Zoé", "Ñúñez", date(2000, 1, 1))
    )
    session, members, actor = seated_session()
    Accommodation.objects.create(
        enrolment=anais, kind=Accommodation.Kind.EXTRA_TIME, details="", recorded_by=actor,
        recorded_at=timezone.now(),
    )  # fmt: skip
    for enrolment in (anais, jerome, zoe):
        sessions.jury_candidate_add(actor=actor, session=session, enrolment=enrolment)
    sessions.jury_session_compose(actor=actor, session=session)
    scheduled = [
        soutenances.soutenance_schedule(
            actor=actor,
            session=session,
            enrolment=enrolment,
            starts_at=timezone.make_aware(datetime(2027, 3, 15, hour, 0)),
            base_minutes=45,
        )
        for hour, enrolment in enumerate((anais, jerome, zoe), start=9)
    ]
    clock_move(JURY_EVENING)  # a soutenance is marked once it has taken place
    for soutenance in scheduled:
        points = {
            c.pk: c.max_points * Decimal("0.6") for c in soutenance.grid_version.criteria.all()
        }
        soutenances.soutenance_mark(actor=members["pro1"], soutenance=soutenance, points=points)
    deliberation.jury_deliberation_open(actor=members["president"], session=session)
    deliberation.jury_decision_record(
        actor=members["president"],
        session=session,
        enrolment=zoe,
        outcome="partial",
        validated_blocs=["1", "2"],
        motive="Le jury ne retient que les blocs 1 et 2 au vu des entretiens.",
    )
    deliberation.jury_deliberation_close(actor=members["president"], session=session, confirm=True)
    session.refresh_from_db()
    return {
        "session": session,
        "members": members,
        "staff": actor,
        "anais": anais,
        "jerome": jerome,
        "zoe": zoe,
    }


def publish(decided):
    deliberation.jury_results_publish(actor=decided["staff"], session=decided["session"])
    decided["session"].refresh_from_db()


def decision(decided, key) -> JuryDecision:
    return JuryDecision.objects.get(session=decided["session"], enrolment=decided[key])


# The figures, worked out by hand from the fixture's marks (RULES.md §1 and §3). Every CC
# module is marked 12/20 (ready_enrolment's 0.6), so a bloc's CC is 0.6 × its CC points; the
# soutenance is 0.6 × 75 = 45 for all three; no absence, so no penalty on the tutor mark.
#
# Anaïs: bloc épreuves at 0.55, mémoire 80/125, tutor 50/50.
#   Bloc 1: 0.6 × 100 = 60   + 0.55 × 150 = 82.5  = 142.5/250 → 142.5 / 250 × 20 = 11.4/20
#   Bloc 2: 0.6 × 70  = 42   + 0.55 × 105 = 57.75 =  99.75/175 →  99.75 / 175 × 20 = 11.4/20
#   Bloc 3: as bloc 2                              =  99.75/175 → 11.4/20
#   Bloc 4: 0.6 × 60  = 36   + 0.55 × 90  = 49.5  =  85.5/150 →  85.5 / 150 × 20 = 11.4/20
#   Practice: 80 + 45 + 50 = 175/250 → 14/20
#   Total: 142.5 + 99.75 + 99.75 + 85.5 + 175 = 602.5/1000 ≥ 500: the title.
# Jérôme and Zoé: bloc épreuves at 0.6, mémoire 0, tutor 0.
#   Blocs: 60 + 90 = 150/250, 42 + 63 = 105/175 (twice), 36 + 54 = 90/150: all 12/20
#   Practice: 0 + 45 + 0 = 45/250 → 3.6/20 < 10/20
#   Total: 150 + 105 + 105 + 90 + 45 = 495/1000 < 500: blocs only.
ANAIS_TOTAL = Decimal("602.5")
JEROME_TOTAL = ZOE_TOTAL = Decimal("495")


def test_the_decisions_are_what_the_fixture_says(decided):
    assert decision(decided, "anais").outcome == "total"
    assert decision(decided, "jerome").outcome == "partial"
    zoe = decision(decided, "zoe")
    assert zoe.outcome == "partial" and zoe.validated_blocs == ["1", "2"] and zoe.is_override
    assert Decimal(decision(decided, "anais").computed["points_total"]) == ANAIS_TOTAL
    assert Decimal(decision(decided, "jerome").computed["points_total"]) == JEROME_TOTAL
    assert Decimal(zoe.computed["points_total"]) == ZOE_TOTAL


def test_the_proces_verbal_lists_members_candidates_outcomes_and_overrides(decided):
    document = services.proces_verbal_issue(session=decided["session"], actor=decided["staff"])
    text = pdf_text(document.file.read())
    assert document.reference.startswith("PV-")
    assert "Procès-verbal de délibération du jury" in text
    assert "15 mars 2027" in text and "CCI Lyon, salle 3" in text
    for member in decided["members"].values():
        assert member.get_full_name() in text
    assert "Président" in text and "Professionnel du métier" in text
    assert "Légaré Anaïs" in text and "Dupont-Aïdi Jérôme" in text and "Ñúñez Zoé" in text
    assert "Certification totale (titre obtenu)" in text
    assert "Décisions du jury différentes de la décision calculée" in text
    assert "Le jury ne retient que les blocs 1 et 2" in text
    assert "Signatures des membres du jury" in text
    # One row per candidate: name, birth date, decision, blocs, points (see the figures above).
    assert (
        "Dupont-Aïdi Jérôme 28 novembre 2001 Certification partielle (blocs validés) 1, 2, 3, 4 495"
        in text
    )
    assert "Légaré Anaïs 5 mars 1998 Certification totale (titre obtenu) 1, 2, 3, 4 602,5" in text
    assert "Ñúñez Zoé 1 janvier 2000 Certification partielle (blocs validés) * 1, 2 495" in text
    assert (
        "1 certification(s) totale(s), 2 certification(s) partielle(s), 0 sans certification"
        in text
    )


def test_the_releve_prints_the_stored_figures_with_decimal_commas(decided):
    document = services.releve_issue(
        session=decided["session"], enrolment=decided["anais"], actor=decided["staff"]
    )
    text = pdf_text(document.file.read())
    assert "Relevé de notes" in text and "Anaïs Légaré" in text and "5 mars 1998" in text
    # Bloc 1: CC 60/100 + portfolio 82,5/150 = 142,5/250, i.e. 11,4/20.
    assert "82,5/150" in text
    assert "142,5/250" in text
    assert "11,4/20" in text
    # Each bloc's row: CC, épreuves, total, mark on 20 (see the figures above).
    assert "60/100 82,5/150 142,5/250 11,4/20 validé" in text
    assert text.count("42/70 57,75/105 99,75/175 11,4/20 validé") == 2  # blocs 2 and 3
    assert "36/60 49,5/90 85,5/150 11,4/20 validé" in text
    assert "Mémoire (écrit) 80/125" in text
    assert "Soutenance (oral) 45/75" in text
    assert "Évaluation du tuteur 50/50" in text
    assert "Total de la pratique professionnelle 175/250 — 14/20" in text
    assert "Total : 602,5/1000" in text
    # CC per module: 12/20 scaled to the module's points, e.g. M1.1 12/20 × 40 = 24/40.
    assert "M1.1 Maîtriser les écrits professionnels 24/40" in text
    assert "M4.2 Participer à la prospection omnicanale de nouveaux clients 9/15" in text
    for reason in (
        "Bloc 1 : 11,4/20, seuil de validation du bloc atteint (10/20)",
        "Bloc 2 : 11,4/20, seuil de validation du bloc atteint (10/20)",
        "Bloc 3 : 11,4/20, seuil de validation du bloc atteint (10/20)",
        "Bloc 4 : 11,4/20, seuil de validation du bloc atteint (10/20)",
        "Pratique professionnelle : 175/250, soit 14/20 (minimum 10/20 atteint)",
        "Total : 602,5/1000 (minimum 500/1000 atteint)",
        "Certification totale : le titre est obtenu, tous les blocs sont validés",
    ):
        assert reason in text
    assert "Décision du jury : Certification totale" in text


def test_a_cc_mark_corrected_after_the_jury_leaves_the_releve_as_decided(decided):
    before = selectors.releve_data(decision(decided, "anais"))["cc_modules"]
    mark = CCMark.objects.filter(enrolment=decided["anais"]).order_by("pk").first()
    CCMark.objects.filter(pk=mark.pk).update(mark=Decimal(20))

    after = selectors.releve_data(decision(decided, "anais"))["cc_modules"]

    assert after == before  # the modules the decision used, frozen with it
    assert any(row["points"] == Decimal(24) and row["max"] == 40 for row in after)


def test_the_releve_of_an_overridden_decision_states_the_motive(decided):
    document = services.releve_issue(
        session=decided["session"], enrolment=decided["zoe"], actor=decided["staff"]
    )
    text = " ".join(pdf_text(document.file.read()).split())
    assert "blocs validés : 1, 2" in text
    assert "Le jury s'est écarté de la décision calculée" in text
    assert "Le jury ne retient que les blocs 1 et 2" in text


def test_a_certificat_per_validated_bloc_and_an_attestation_without_the_title(decided):
    jerome = decision(decided, "jerome")
    assert selectors.certificat_blocs(jerome) == ["1", "2", "3", "4"]
    document = services.certificat_issue(
        session=decided["session"], enrolment=decided["jerome"], bloc_number="3",
        actor=decided["staff"],
    )  # fmt: skip
    text = pdf_text(document.file.read())
    assert "Certificat de bloc de compétences" in text
    assert "Jérôme Dupont-Aïdi" in text and "28 novembre 2001" in text
    assert "RNCP36390BC03" in text
    assert document.bloc.number == 3 and document.reference.startswith("CB-")
    with pytest.raises(services.DocumentRefused):
        services.certificat_issue(
            session=decided["session"], enrolment=decided["zoe"], bloc_number="3",
            actor=decided["staff"],
        )  # fmt: skip
    attestation = services.attestation_issue(
        session=decided["session"], enrolment=decided["zoe"], actor=decided["staff"]
    )
    text = pdf_text(attestation.file.read())
    assert "Attestation de suivi de formation" in text and "Zoé Ñúñez" in text
    assert "588 heures" in text
    assert "RNCP36390BC01" in text and "RNCP36390BC03" not in text
    with pytest.raises(services.DocumentRefused):
        services.attestation_issue(
            session=decided["session"], enrolment=decided["anais"], actor=decided["staff"]
        )


def test_nothing_is_issued_before_the_deliberation_is_closed(decided):
    session = decided["session"]
    JurySession.objects.filter(pk=session.pk).update(state=JurySession.State.DELIBERATING)
    session.refresh_from_db()
    with pytest.raises(services.DocumentRefused):
        services.proces_verbal_issue(session=session, actor=decided["staff"])
    with pytest.raises(services.DocumentRefused):
        services.releve_issue(session=session, enrolment=decided["anais"], actor=None)
    assert not IssuedDocument.objects.exists()


def test_the_convocation_states_the_soutenance_and_the_accommodations(decided):
    entry = decided["session"].candidates.get(enrolment=decided["anais"])
    text = pdf_text(services.convocation_issue(entry=entry, actor=decided["staff"]).file.read())
    assert "15 mars 2027 à 09 h 00" in text
    assert "Tiers-temps" in text
    assert "temps majoré" in text


# --- The DIPLOMATION export --------------------------------------------------------------


def test_the_diplomation_export_matches_the_decisions_cell_by_cell(client, decided):
    services.proces_verbal_issue(session=decided["session"], actor=decided["staff"])
    client.force_login(decided["staff"])
    session = decided["session"]
    csv_response = client.get(reverse("documents:session_results_export", args=[session.pk, "csv"]))
    rows = list(csv.reader(io.StringIO(csv_response.content.decode("utf-8-sig")), delimiter=";"))
    assert rows[0] == exports.DIPLOMATION_HEADINGS
    by_email = {row[3]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert len(by_email) == 3
    pv = IssuedDocument.objects.get(kind="proces_verbal")
    totals = {"anais": ANAIS_TOTAL, "jerome": JEROME_TOTAL, "zoe": ZOE_TOTAL}
    for key in ("anais", "jerome", "zoe"):
        stored = decision(decided, key)
        candidate = stored.enrolment.candidate
        row = by_email[candidate.email]
        assert row["nom"] == candidate.last_name and row["prénom"] == candidate.first_name
        assert row["date de naissance"] == candidate.birth_date.strftime("%d/%m/%Y")
        assert row["code RNCP"] == "36390"
        assert (
            row["résultat"]
            == {"total": "total", "partial": "partiel", "none": "aucun"}[stored.outcome]
        )
        assert row["blocs validés"] == ", ".join(stored.validated_blocs)
        assert row["codes des blocs validés"] == ", ".join(
            f"RNCP36390BC0{n}" for n in stored.validated_blocs
        )
        assert Decimal(row["points sur 1000"].replace(",", ".")) == totals[key]
        assert row["décision modifiée par le jury"] == ("oui" if stored.is_override else "non")
        assert row["date du jury"] == "15/03/2027"
        assert row["référence du procès-verbal"] == pv.reference
    assert by_email[decided["zoe"].candidate.email]["blocs validés"] == "1, 2"
    xlsx_response = client.get(
        reverse("documents:session_results_export", args=[session.pk, "xlsx"])
    )
    sheet = load_workbook(io.BytesIO(xlsx_response.content)).active
    xlsx_rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert xlsx_rows[0] == rows[0]
    anais_row = next(row for row in xlsx_rows if row[3] == decided["anais"].candidate.email)
    assert anais_row[2].date() == date(1998, 3, 5)
    assert Decimal(str(anais_row[9])) == ANAIS_TOTAL
    points_by_email = {row[3]: Decimal(str(row[9])) for row in xlsx_rows[1:]}
    assert points_by_email == {
        decided["anais"].candidate.email: ANAIS_TOTAL,
        decided["jerome"].candidate.email: JEROME_TOTAL,
        decided["zoe"].candidate.email: ZOE_TOTAL,
    }


# --- Access ------------------------------------------------------------------------------


def result_url(decided, key, kind):
    return reverse("documents:result", args=[decided["session"].pk, decided[key].pk, kind])


def test_a_candidate_gets_their_results_only_once_published(client, decided):
    anais = decided["anais"].candidate
    client.force_login(anais)
    assert client.get(result_url(decided, "anais", "releve")).status_code == 404
    assert "Relevé de notes" not in client.get(reverse("documents:mine")).content.decode()
    assert not IssuedDocument.objects.filter(kind="releve").exists()
    publish(decided)
    page = client.get(reverse("documents:mine")).content.decode()
    assert f'action="{result_url(decided, "anais", "releve")}"' in page
    assert client.get(result_url(decided, "anais", "releve")).status_code == 200  # not issued yet
    assert not IssuedDocument.objects.filter(kind="releve").exists()
    response = client.get(client.post(result_url(decided, "anais", "releve")).url)
    assert response.status_code == 200
    assert "Anaïs Légaré" in pdf_text(response_bytes(response))
    # Her certificats and attestation are not owed: she has the title.
    assert client.get(result_url(decided, "anais", "attestation")).status_code == 404
    assert client.post(result_url(decided, "anais", "attestation")).status_code == 404


def test_nobody_else_gets_a_candidates_results(client, decided):
    publish(decided)
    url = result_url(decided, "jerome", "releve")
    certificat = reverse(
        "documents:certificat", args=[decided["session"].pk, decided["jerome"].pk, 1]
    )
    intruders = [
        decided["anais"].candidate,
        decided["jerome"].tutor,
        decided["members"]["president"],
        UserFactory(roles=[Role.EVALUATEUR]),
        UserFactory(roles=[Role.FORMATEUR]),
    ]
    for intruder in intruders:
        client.force_login(intruder)
        assert client.get(url).status_code == 404
        assert client.get(certificat).status_code == 404
        pv_url = reverse("documents:proces_verbal", args=[decided["session"].pk])
        assert client.get(pv_url).status_code == 403
    assert not IssuedDocument.objects.exists()
    client.force_login(decided["jerome"].candidate)
    assert client.get(certificat).status_code == 200


def test_staff_download_everything_from_the_session_and_candidate_pages(client, decided):
    client.force_login(decided["staff"])
    session = decided["session"]
    page = client.get(reverse("documents:session", args=[session.pk])).content.decode()
    for url in (
        reverse("documents:proces_verbal", args=[session.pk]),
        result_url(decided, "zoe", "releve"),
        result_url(decided, "zoe", "attestation"),
        reverse("documents:certificat", args=[session.pk, decided["zoe"].pk, 2]),
    ):
        assert f'action="{url}"' in page
        response = client.get(client.post(url).url)
        assert response.status_code == 200, url
        assert response["Content-Type"] == "application/pdf"
        assert client.get(url).getvalue() == response.getvalue()  # the GET serves what exists
    candidate_page = client.get(reverse("documents:candidate", args=[decided["zoe"].pk]))
    assert result_url(decided, "zoe", "releve") in candidate_page.content.decode()
    bloc_4 = reverse("documents:certificat", args=[session.pk, decided["zoe"].pk, 4])
    assert "pas été validé" in client.get(bloc_4).content.decode()
    assert client.post(bloc_4).status_code == 302
    assert not IssuedDocument.objects.filter(kind="certificat_bloc", bloc__number=4).exists()


def test_the_archive_holds_the_proces_verbal_and_the_export(decided):
    import zipfile

    document = services.session_archive_issue(session=decided["session"], actor=decided["staff"])
    archive = zipfile.ZipFile(io.BytesIO(document.file.read()))
    pv = IssuedDocument.objects.get(kind="proces_verbal")
    assert archive.read("proces-verbal.pdf") == pv.file.open("rb").read()
    export = archive.read("exports/resultats-diplomation.csv").decode("utf-8-sig")
    assert "Légaré;Anaïs" in export
    assert services.session_archive_issue(session=decided["session"], actor=None).pk == document.pk
    folder = next(n.rsplit("/", 1)[0] for n in archive.namelist() if "legare-anais" in n)
    notations = json.loads(archive.read(f"{folder}/notations.json"))
    (soutenance,) = notations["soutenances"]
    grid = notations["grid_versions"][soutenance["grid_version"]]
    assert sum(Decimal(c["max_points"]) for c in grid["criteria"]) == 75
    assert {s["criterion"] for s in soutenance["scores"]} == {c["id"] for c in grid["criteria"]}
    assert Decimal(soutenance["total"]) == sum(Decimal(s["points"]) for s in soutenance["scores"])
    (tutor,) = notations["tutor_evaluations"]
    assert notations["grid_versions"][tutor["grid_version"]]["criteria"]
    assert Decimal(tutor["total"]) == 50


def test_the_cohort_progress_shows_each_candidates_latest_decision(decided):
    table = exports.cohort_progress_table(decided["zoe"].cohort)
    (row,) = table.rows
    assert row[0] == "Ñúñez"
    assert row[-1] == "partiel (15/03/2027)"


def test_a_long_proces_verbal_laid_out_in_parts_reads_as_one_numbered_document(
    decided, monkeypatch
):
    # One candidate per part: three parts of results, one of the override, numbered afterwards.
    monkeypatch.setattr(selectors, "PV_ROWS_PER_PART", 1)
    assert len(selectors.pv_parts(selectors.pv_data(decided["session"]))) == 4
    document = services.proces_verbal_issue(session=decided["session"], actor=decided["staff"])
    content = document.file.read()
    pages = len(PdfReader(io.BytesIO(content)).pages)
    assert pages >= 4
    text = pdftotext(content)
    # Every page says where it stands in the whole document, once.
    for number in range(1, pages + 1):
        assert text.count(f"Page {number} sur {pages}") == 1
    assert text.count("Page ") == pages
    flat = pdf_text(content)
    assert flat.index("Procès-verbal de délibération du jury") < flat.index("Dupont-Aïdi Jérôme")
    assert flat.index("Dupont-Aïdi Jérôme") < flat.index("Légaré Anaïs") < flat.index("Ñúñez Zoé")
    assert flat.index("Ñúñez Zoé") < flat.index("Décisions du jury différentes")
    assert flat.index("Le jury ne retient que les blocs 1 et 2") < flat.index(
        "Signatures des membres du jury"
    )
    assert "délibéré sur 3 candidat(s)" in flat
    assert flat.count("Procès-verbal de délibération du jury") == 1
    assert flat.count(f"Réf. {document.reference}") == pages
