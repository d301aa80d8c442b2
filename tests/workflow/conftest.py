"""Fixtures for the evaluation workflow: people, files in a given state, and quick scoring."""

import pytest

from portfolio.models import Portfolio
from tests.factories import EvaluatorFactory, PortfolioFactory, StaffFactory


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Factories hash a password per user; the production hasher costs ~0.5 s a user."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def no_random_sample(settings):
    """No random double marking unless a test asks for it; the tolerance is the default 2/20."""
    settings.PREUVES_DOUBLE_MARKING_SAMPLE_PCT = 0
    settings.PREUVES_DOUBLE_MARKING_GAP_ON_20 = "2"


@pytest.fixture
def staff(db):
    return StaffFactory()


@pytest.fixture
def evaluator(db):
    return EvaluatorFactory()


@pytest.fixture
def second_evaluator(db):
    return EvaluatorFactory()


@pytest.fixture
def submitted(db):
    return PortfolioFactory(state=Portfolio.State.SUBMITTED)


@pytest.fixture
def admissible(db):
    return PortfolioFactory(state=Portfolio.State.ADMISSIBLE)
