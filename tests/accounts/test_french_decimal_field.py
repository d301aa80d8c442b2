"""The shared number field: « 11,5 » is 11.5 everywhere, bounds and errors read the French way."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from accounts.fields import FrenchDecimalField, format_decimal, parse_decimal


@pytest.mark.parametrize(
    ("typed", "number"),
    [
        ("11,5", Decimal("11.5")),
        ("11.5", Decimal("11.5")),
        ("12,25", Decimal("12.25")),
        (" 7 ", Decimal("7")),
        ("1 234,5", Decimal("1234.5")),
        ("1\u00a0234,5", Decimal("1234.5")),
        (",5", Decimal("0.5")),
        ("10,", Decimal("10")),
        ("", None),
        ("   ", None),
    ],
)
def test_parse_decimal_reads_french_and_dotted_numbers(typed, number):
    assert parse_decimal(typed) == number


@pytest.mark.parametrize(
    "typed", ["1.234,5", "11,5,5", "abc", "1e3", "NaN", "Infinity", "--1", ","]
)
def test_parse_decimal_refuses_what_it_would_have_to_guess(typed):
    with pytest.raises(ValueError):
        parse_decimal(typed)


@given(st.decimals(min_value=0, max_value=10_000, places=2))
def test_format_then_parse_gives_the_number_back(number):
    assert parse_decimal(format_decimal(number)) == number
    assert "." not in format_decimal(number)


def test_field_errors_and_bounds_are_french():
    field = FrenchDecimalField(min_value=0, max_value=Decimal("10.00"), decimal_places=2)
    assert field.clean("7,5") == Decimal("7.5")
    with pytest.raises(Exception) as error:
        field.clean("10,5")
    assert "au plus 10." in str(error.value)
    with pytest.raises(Exception) as error:
        field.clean("onze")
    assert "virgule" in str(error.value)
    with pytest.raises(Exception) as error:
        field.clean("7,125")
    assert "2 chiffres" in str(error.value)


def test_widget_shows_a_stored_value_with_a_comma_and_keeps_what_was_typed():
    field = FrenchDecimalField(decimal_places=2)
    html = field.widget.render("points", Decimal("12.50"))
    assert 'value="12,5"' in html and 'inputmode="decimal"' in html and 'type="text"' in html
    assert 'value="abc"' in field.widget.render("points", "abc")
