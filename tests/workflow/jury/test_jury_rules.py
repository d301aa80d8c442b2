"""Pure rules added for continuous assessment, attendance, the jury and accommodations."""

from datetime import date
from decimal import Decimal

import pytest

from rules import cc, engine
from rules import eligibility as el
from rules.cc import CCMark

D = Decimal


def test_a_single_cc_mark_is_scaled_exactly_to_the_module_points():
    assert cc.cc_points([([CCMark(D("12.5"), 20)], 40)]) == D(25)
    assert cc.cc_points([([CCMark(D(7), 10)], 10)]) == D(7)
    assert cc.cc_points([([CCMark(D(21), 30)], 20)]) == D(14)


def test_several_cc_marks_are_averaged_on_their_scales():
    marks = [CCMark(D(12), 20), CCMark(D(6), 10), CCMark(D(27), 30)]
    # (0.6 + 0.6 + 0.9) / 3 × 30 = 21
    assert cc.cc_points([(marks, 30)]) == D(21)


def test_an_unjustified_absence_counts_zero_and_a_justified_one_is_left_out():
    assert cc.cc_points([([CCMark(D(16), 20), CCMark(None, 20, "unjustified")], 40)]) == D(16)
    assert cc.cc_points([([CCMark(D(16), 20), CCMark(None, 20, "justified")], 40)]) == D(32)


def test_bloc_cc_is_none_until_every_module_has_a_mark_that_counts():
    assert cc.cc_points([([CCMark(D(10), 20)], 40), ([], 10)]) is None
    assert cc.cc_points([([CCMark(None, 20, "justified")], 40)]) is None
    assert cc.cc_points([([CCMark(D(10), 20)], 40), ([CCMark(D(5), 10)], 10)]) == D(25)


def test_a_non_terminating_cc_sum_is_kept_to_twenty_decimals():
    value = cc.cc_points([([CCMark(D(12), 20), CCMark(D(13), 20), CCMark(D(14), 30)], 40)])
    assert value == D("22.88888888888888888889")


@pytest.mark.parametrize(
    "mark",
    [
        CCMark(D(21), 20),
        CCMark(D(-1), 10),
        CCMark(D(10), 15),
        CCMark(None, 20),
        CCMark(D(5), 20, "unjustified"),
        CCMark(D("10.001"), 20),
        CCMark(D(1), 20, "maybe"),
    ],
)
def test_invalid_cc_marks_are_explained_and_refused(mark):
    assert cc.cc_mark_error(mark)
    with pytest.raises(ValueError):
        cc.cc_points([([mark], 10)])


def test_absence_share_is_exact_at_the_band_bounds():
    assert cc.absence_share_pct(D("23.275"), D(931)) == D("2.5")
    assert cc.absence_share_pct(D("93.1"), D(931)) == D(10)
    assert cc.absence_share_pct(D(0), D(931)) == D(0)
    assert engine.absence_penalty(cc.absence_share_pct(D("23.275"), D(931))) == (D(5), False)
    assert engine.absence_penalty(cc.absence_share_pct(D("23.3"), D(931))) == (D(10), False)


def test_absence_share_never_exceeds_one_hundred():
    assert cc.absence_share_pct(D(2000), D(931)) == D(100)


# --- Jury ----------------------------------------------------------------------------------

FULL = ["president", "professional", "professional", "cci_representative"]


def test_the_regular_composition_is_accepted_with_or_without_an_observer():
    assert el.jury_composition(roles=FULL)
    assert el.jury_composition(roles=[*FULL, "observer"])


@pytest.mark.parametrize(
    "roles",
    [
        FULL[1:],
        [*FULL, "president"],
        ["president", "professional", "cci_representative"],
        [*FULL, "professional"],
        ["president", "professional", "professional"],
        [*FULL, "cci_representative"],
        [*FULL, "observer", "observer"],
        [*FULL, "guest"],
        [],
    ],
)
def test_every_other_composition_is_refused_with_its_reason(roles):
    answer = el.jury_composition(roles=roles)
    assert not answer
    assert "exactement" in answer.reason or "inconnu" in answer.reason


def test_a_jury_member_needs_one_year_in_the_target_jobs():
    on = date(2026, 10, 1)
    assert el.jury_member_experience(years_in_target_jobs=D(1), last_active=on, on=on)
    refused = el.jury_member_experience(years_in_target_jobs=D("0.9"), last_active=on, on=on)
    assert not refused and "1 an" in refused.reason
    assert not el.jury_member_experience(years_in_target_jobs=None, last_active=on, on=on)


def test_a_jury_member_may_not_be_inactive_for_more_than_three_years():
    on = date(2026, 10, 1)
    assert el.jury_member_experience(
        years_in_target_jobs=D(5), last_active=date(2023, 10, 1), on=on
    )
    refused = el.jury_member_experience(
        years_in_target_jobs=D(5), last_active=date(2023, 9, 30), on=on
    )
    assert not refused and "3 ans" in refused.reason
    assert not el.jury_member_experience(years_in_target_jobs=D(5), last_active=None, on=on)


def test_extra_time_adds_a_third_rounded_up_to_the_minute():
    assert el.accommodated_minutes(45, extra_time=True) == 60
    assert el.accommodated_minutes(40, extra_time=True) == 54
    assert el.accommodated_minutes(40, extra_time=False) == 40
