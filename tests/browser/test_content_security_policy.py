"""The browser enforces the Content-Security-Policy: an inline script is refused and reported.

Every other browser test fails on any violation Chromium reports (``csp_violations``).
"""

import pytest

pytestmark = pytest.mark.browser


def test_an_inline_script_is_refused_and_the_violation_is_reported(page, csp_violations):
    page.goto("/")
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "document.body.dataset.inline = 'ran'";
            document.body.appendChild(script);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("() => document.body.dataset.inline") is None
    assert any("inline script" in violation for violation in csp_violations), csp_violations
    csp_violations.clear()
