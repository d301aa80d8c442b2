"""Make the project importable when these pure tests run without pytest-django.

pytest-django puts the project root on ``sys.path``; with ``-p no:django`` nothing does, and
these tests need only ``portfolio``'s pure modules.
"""

import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[2])
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


# --------------------------------------------------------------------------- database fixtures
# Imports stay inside the fixtures: the pure tests of this folder run without Django.

import datetime as _dt  # noqa: E402

import pytest  # noqa: E402

# Training ends 30/06/2026 (CohortFactory): the window runs from 30/09/2026 to 30/12/2026.
IN_WINDOW = _dt.datetime(2026, 10, 15, 10, 0, tzinfo=_dt.UTC)
BEFORE_MEMOIRE_DEADLINE = _dt.datetime(2026, 9, 15, 10, 0, tzinfo=_dt.UTC)


@pytest.fixture
def clock(monkeypatch):
    """Set the application's clock (audit.clock.now); return a setter."""
    from audit import clock

    current = {"now": IN_WINDOW}
    monkeypatch.setattr(clock, "now", lambda: current["now"])

    def set_now(value):
        current["now"] = value

    return set_now


@pytest.fixture
def enrolment(db):
    from tests.factories import EnrolmentFactory

    return EnrolmentFactory()


@pytest.fixture
def candidate(enrolment):
    return enrolment.candidate


@pytest.fixture
def portfolio(enrolment, clock):
    from portfolio.services import portfolio_start

    portfolios = portfolio_start(enrolment=enrolment)
    return next(p for p in portfolios if p.bloc.number == 1)


@pytest.fixture
def memoire(portfolio, clock):
    """Return the draft mémoire, with the clock before the cohort's deadline (30/09/2026)."""
    clock(BEFORE_MEMOIRE_DEADLINE)
    return portfolio.enrolment.memoires.get()


@pytest.fixture
def upload(candidate):
    """Upload bytes into a portfolio through the service; return the item."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from portfolio.services import evidence_upload

    def do(portfolio, data: bytes, name: str, *, competencies=None, actor=None, **fields):
        if competencies is None:
            competencies = [portfolio.bloc.competencies.order_by("order").first()]
        return evidence_upload(
            portfolio=portfolio,
            actor=actor or candidate,
            uploaded_file=SimpleUploadedFile(name, data),
            competencies=competencies,
            **fields,
        )

    return do


@pytest.fixture
def complete_portfolio(portfolio, upload):
    """Return the portfolio with one PDF proving every competency of the bloc."""
    import samples

    upload(
        portfolio,
        samples.pdf_minimal(),
        "preuve.pdf",
        competencies=portfolio.bloc.competencies.all(),
    )
    return portfolio
