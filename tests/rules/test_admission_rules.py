"""Who may take which route and be exempted (pure rules, no database)."""

import pytest

from rules import admission as a

TITLE = frozenset({"1", "2", "3", "4"})


@pytest.mark.parametrize("status", [a.SALARIE, a.DEMANDEUR_EMPLOI])
def test_salaried_candidates_and_job_seekers_may_take_the_portfolio_route(status):
    assert (
        a.admission_error(status=status, route=a.ROUTE_PORTEFEUILLE, blocs=TITLE, title_blocs=TITLE)
        is None
    )


def test_an_apprentice_sits_the_epreuves_and_not_the_portfolio():
    assert (
        a.admission_error(
            status=a.APPRENTI, route=a.ROUTE_PORTEFEUILLE, blocs=frozenset(), title_blocs=TITLE
        )
        == a.ROUTE_NOT_OPEN
    )
    assert (
        a.admission_error(
            status=a.APPRENTI, route=a.ROUTE_EPREUVES, blocs=frozenset(), title_blocs=TITLE
        )
        is None
    )


def test_blocs_must_belong_to_the_title():
    assert (
        a.admission_error(
            status=a.SALARIE, route=a.ROUTE_EPREUVES, blocs=frozenset({"9"}), title_blocs=TITLE
        )
        == a.UNKNOWN_BLOC
    )


def test_no_bloc_listed_means_the_whole_title():
    assert a.enrolled_blocs(frozenset(), TITLE) == TITLE
    assert a.enrolled_blocs(frozenset({"1", "2"}), TITLE) == {"1", "2"}


def test_only_salaried_candidates_and_job_seekers_may_be_exempted():
    assert a.may_be_exempted(a.SALARIE) and a.may_be_exempted(a.DEMANDEUR_EMPLOI)
    assert not a.may_be_exempted(a.APPRENTI)


def test_an_unknown_status_is_a_programming_error():
    with pytest.raises(ValueError):
        a.admission_error(status="x", route=a.ROUTE_EPREUVES, blocs=TITLE, title_blocs=TITLE)
