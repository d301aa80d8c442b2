"""One decision on every page: the candidate reads the jury's final decision, labelled, with its
motive where the jury departed from the computed one; the computed decision is shown only to
the jury and the staff, labelled as such; the procès-verbal marks only real departures."""

from decimal import Decimal as D

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from accounts.models import Role
from documents import exports, selectors
from rules import engine
from tests.documents.decisions import stored_decision
from tests.factories import STAFF_ROLES, EnrolmentFactory, JurySessionFactory, UserFactory
from workflow.models import JurySession

pytestmark = pytest.mark.django_db


def title_case(*, fraud=False, absence=D(0)) -> engine.Case:
    """A case that obtains the title: every bloc and the practice well above their minimums."""
    blocs = {
        "1": engine.BlocResult(cc=D(80), exam=D(120)),
        "2": engine.BlocResult(cc=D(55), exam=D(85)),
        "3": engine.BlocResult(cc=D(55), exam=D(85)),
        "4": engine.BlocResult(cc=D(48), exam=D(72)),
    }
    practice = engine.PracticeResult(written=D(100), oral=D(60), tutor=D(40), absence_pct=absence)
    return engine.Case(blocs=blocs, practice=practice, fraud=fraud)


@pytest.fixture
def published():
    return JurySessionFactory(state=JurySession.State.PUBLISHED)


@pytest.fixture
def recorder():
    return UserFactory(roles=STAFF_ROLES)


def candidate_page(client, decision) -> str:
    client.force_login(decision.enrolment.candidate)
    response = client.get(reverse("jury:candidate_results"))
    assert response.status_code == 200
    return response.content.decode()


def test_after_an_override_the_candidate_reads_only_the_jurys_decision(client, published, recorder):
    decision = stored_decision(
        published, title_case(), recorder, outcome="partial", validated=["1", "2", "3"],
        motive="Le jury ne retient pas le bloc 4 au vu de l'entretien.",
    )  # fmt: skip
    assert decision.is_override

    page = candidate_page(client, decision)

    assert "Décision du jury" in page
    assert str(JurySession.objects.get().decisions.get().get_outcome_display()) in page
    assert "Le jury ne retient pas le bloc 4" in page
    assert "s&#x27;est écarté" in page or "s'est écarté" in page
    # Nothing of the computed decision the jury departed from.
    assert "le titre est obtenu" not in page
    assert "Décision calculée" not in page
    row = page[page.index("Bloc 4</th>") :].split("</tr>")[0]
    assert "non validé" in row


def test_without_override_the_candidate_reads_the_decision_and_its_reasons(
    client, published, recorder
):
    decision = stored_decision(published, title_case(), recorder)
    assert not decision.is_override

    page = candidate_page(client, decision)

    assert "le titre est obtenu" in page  # the reasons, which agree with the decision
    assert "s&#x27;est écarté" not in page and "s'est écarté" not in page


def test_a_motive_on_a_referred_case_is_not_a_departure(client, published, recorder):
    # Over 10 % of absence: referred to the jury, which confirms the computed decision.
    decision = stored_decision(
        published, title_case(absence=D(12)), recorder,
        motive="Absences examinées : le jury confirme la décision calculée.",
    )  # fmt: skip
    assert decision.computed["referred_to_jury"] and not decision.is_override

    data = selectors.pv_data(published)
    page = candidate_page(client, decision)

    assert data["overrides"] == [] and not data["candidates"][0]["overridden"]
    assert "Absences examinées" in page
    assert "s&#x27;est écarté" not in page and "s'est écarté" not in page
    table = exports.session_results_table(published)
    assert table.rows[0][table.headings.index("décision modifiée par le jury")] is False


def test_under_fraud_the_candidate_reads_the_invalidation_not_marks(client, published, recorder):
    decision = stored_decision(published, title_case(fraud=True), recorder)
    assert decision.outcome == "none" and decision.validated_blocs == []

    page = candidate_page(client, decision)

    assert "invalidée pour fraude" in page
    assert "Détail des notes" not in page and "/1000" not in page
    assert not any(bloc["passed"] for bloc in decision.computed["blocs"].values())


def test_the_jury_reads_the_computed_decision_labelled_as_such(published, recorder):
    # The deliberation screen's block for one candidate, given the computed decision only.
    decision = stored_decision(published, title_case(), recorder)

    html = render_to_string("workflow/_decision.html", {"snapshot": decision.computed})

    assert "Décision calculée" in html and "Motifs de la décision calculée" in html
    assert "Résultat calculé" in html


def test_another_candidate_never_reads_these_results(client, published, recorder):
    stored_decision(published, title_case(), recorder)
    other = EnrolmentFactory(candidate=UserFactory(roles=[Role.CANDIDAT]))
    client.force_login(other.candidate)

    page = client.get(reverse("jury:candidate_results")).content.decode()

    assert "Décision du jury" not in page
