"""A CC cell's scale past Python's integer-string limit (4300 digits) gets the cell's French
message, not Python's English one."""

import pytest

from workflow.marks import cc_grid


def test_a_scale_of_thousands_of_digits_says_what_to_type_in_french():
    with pytest.raises(ValueError, match="saisissez une note|barème"):
        cc_grid.parse_cell("12/" + "9" * 5000, 20)
