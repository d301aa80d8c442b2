"""The probes of scripts/bench_scale.py still run against the application's current APIs.

The benchmark itself runs on PostgreSQL at large sizes; here every probe runs once on a small
bulk dataset, so that a renamed URL, a changed service signature or a page that no longer
answers 200 fails the suite rather than the next measurement.
"""

from dataclasses import asdict

import pytest

from demo.bulk import dataset_build
from scripts.bench_scale import PROBES, _measure, _row
from workflow.models import JurySession

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("local_storage")]


@pytest.fixture
def dataset():
    return asdict(dataset_build(candidates=12))


@pytest.mark.parametrize("name", sorted(PROBES))
def test_every_probe_measures_and_leaves_the_dataset_as_built(name, dataset):
    answer = _measure(name, dataset)
    assert answer["queries"] > 0
    assert answer["seconds"] > 0
    assert answer["rss_kib"] >= answer["rss_before_kib"] > 0
    if PROBES[name].run is None:
        assert answer["bytes"] > 0
    # Writes are rolled back: the next probe finds the session still in deliberation.
    assert JurySession.objects.get(pk=dataset["session_id"]).state == "deliberating"


def test_a_row_shows_the_ratio_of_the_largest_size_to_the_smallest_and_the_timeouts():
    small = {"queries": 4, "seconds": 0.5, "rss_kib": 102400}
    large = {"queries": 40, "seconds": 2.0, "rss_kib": 204800, "bytes": 4096}
    assert _row("page", [10, 1000], [small, large], timeout=60) == [
        "page",
        "10 → 1,000",
        "4 → 40",
        "0.500 → 2.000",
        "4.0",
        "200",
        "4",
    ]
    # A timeout at the largest size: the ratio is at least the timeout over the smallest time.
    assert _row("page", [10, 1000], [small, "timeout"], timeout=60)[2:5] == [
        "4 → timeout",
        "0.500",
        "> 120",
    ]
    assert _row("page", [10, 1000], ["error", large], timeout=60)[4] == "-"
