"""The chart component in a real page: axe-core, a 360-pixel screen, the table by keyboard."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import AnonymousUser
from django.template import Context, Template
from django.test import RequestFactory

from tests.browser.support import (
    assert_no_axe_violations,
    has_horizontal_scroll,
    screenshot,
    tab_to,
)
from workflow.centre import charts

pytestmark = pytest.mark.browser

PAGE = Template(
    "{% extends 'base.html' %}{% block title %}Tableau de bord{% endblock %}"
    "{% block content %}<h1>Tableau de bord</h1>"
    "{% for chart in charts %}{% include 'components/chart.html' %}{% endfor %}"
    "{% endblock %}"
)


def dashboard_html() -> str:
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    sample = [
        charts.bar_chart(
            chart_id="taux-bloc",
            title="Taux de réussite par bloc",
            description="Bloc 1 : 80 %, bloc 2 : 72,5 %, bloc 3 : 64 %, bloc 4 : 90 %.",
            bars=[
                ("Bloc 1 — Supports administratifs", 80),
                ("Bloc 2 — Ressources humaines", Decimal("72.5")),
                ("Bloc 3 — Gestion et comptabilité", 64),
                ("Bloc 4 — Relation commerciale", 90),
            ],
            category_label="Bloc",
            value_label="Taux de réussite",
            unit="%",
            max_value=100,
        ),
        charts.histogram(
            chart_id="resultats",
            title="Résultats de la session",
            description="Candidats par tranche de 100 points ; le seuil est à 500 points.",
            values=[Decimal("512.5"), 430, 560, 610, 720, 655, 480, 505],
            start=0,
            stop=1000,
            step=100,
            threshold=500,
        ),
        charts.stacked_bar(
            chart_id="avancement",
            title="Avancement de la promotion",
            description="30 portefeuilles : 12 en brouillon, 10 déposés, 8 évalués.",
            segments=[("Brouillon", 12), ("Déposé", 10), ("Évalué", 8)],
        ),
    ]
    return PAGE.render(Context({"charts": sample, "request": request, "user": request.user}))


@pytest.mark.parametrize("which", ["page", "phone_page"])
def test_charts_pass_axe_and_fit_a_phone(request, live_server, which):
    page = request.getfixturevalue(which)
    page.goto(live_server.url + "/")  # same origin, so that the stylesheet loads
    page.set_content(dashboard_html(), wait_until="load")
    assert page.locator("svg[role=img]").count() == 3
    assert page.get_by_role("img", name="Taux de réussite par bloc").is_visible()
    assert_no_axe_violations(page)
    assert not has_horizontal_scroll(page)
    screenshot(page, f"graphiques-{'mobile' if which == 'phone_page' else 'bureau'}")


def test_a_chart_data_table_opens_from_the_keyboard(page, live_server):
    page.goto(live_server.url + "/")
    page.set_content(dashboard_html(), wait_until="load")
    summary = page.locator("#resultats").locator("xpath=ancestor::figure//summary")
    table = page.locator("#resultats").locator("xpath=ancestor::figure//table")
    assert not table.is_visible()
    tab_to(page, summary)
    page.keyboard.press("Enter")
    assert table.is_visible()
    assert table.get_by_role("row").nth(6).inner_text().split("\t") == [
        "de 500 à moins de 600",
        "3",
    ]
    assert_no_axe_violations(page)
