"""`make prod-smoke` fails, naming the check, when the topology is broken on purpose.

Marked ``smoke``: `make prod-smoke` runs it after the smoke itself (it starts the whole
topology again, about a minute); `make test` leaves it out.
"""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.smoke
def test_the_smoke_fails_and_names_the_checks_when_the_scanner_is_stopped():
    result = subprocess.run(
        [sys.executable, "scripts/prod_smoke.py", "--stop", "scanner"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
    )
    out = result.stdout
    assert result.returncode == 1, out
    assert "ok   scanner stopped on purpose (--stop scanner)" in out
    assert "FAIL /readyz ready (database, storage, scanner, worker)" in out
    assert "FAIL EICAR file refused by the scanner" in out
    # The rest of the journey still ran and passed; everything was stopped.
    assert "ok   file downloaded through a signed S3 URL" in out
    assert "ok   everything started is stopped" in out
    assert out.strip().splitlines()[-1].startswith("prod-smoke FAILED (2):")
