"""Virus scanning fails closed: production refuses to start unless a scanner, or none, is chosen."""

import pytest

from tests.config.test_settings import PRODUCTION, run_manage

WITHOUT_SCANNER = {k: v for k, v in PRODUCTION.items() if k != "PREUVES_VIRUS_SCANNER"}


def test_production_refuses_to_start_without_a_scanner_setting():
    result = run_manage("check", env_extra={**WITHOUT_SCANNER, "PREUVES_VIRUS_SCANNER": ""})

    assert result.returncode != 0
    assert "PREUVES_VIRUS_SCANNER is required when DJANGO_DEBUG is false" in result.stderr
    assert "none to run without virus scanning on purpose" in result.stderr


@pytest.mark.parametrize("value", ["none", "clamd://clamav:3310", "clamd:///run/clamav/clamd.ctl"])
def test_production_starts_with_a_scanner_or_none_chosen_explicitly(value):
    result = run_manage("check", env_extra={**WITHOUT_SCANNER, "PREUVES_VIRUS_SCANNER": value})

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("debug", ["true", "false"])
def test_a_malformed_scanner_setting_stops_the_server(debug):
    result = run_manage(
        "check",
        env_extra={
            **WITHOUT_SCANNER,
            "DJANGO_DEBUG": debug,
            "PREUVES_VIRUS_SCANNER": "clamav:3310",
        },
    )

    assert result.returncode != 0
    assert "portfolio.E001" in result.stderr
    assert "PREUVES_VIRUS_SCANNER is invalid" in result.stderr
