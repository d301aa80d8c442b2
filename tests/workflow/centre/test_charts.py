"""The server-drawn SVG charts: well-formed, accessible, counted right, escaped, French numbers."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest

from workflow.centre import charts

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart):
    return ET.fromstring(chart.svg)  # noqa: S314 - our own output, parsed to check it


def bars_of(root, css_class="chart-bar"):
    return [el for el in root.iter(f"{SVG}rect") if el.get("class") == css_class]


def texts_of(root):
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]


def pass_rates(**overrides):
    arguments = {
        "chart_id": "taux-bloc",
        "title": "Taux de réussite par bloc",
        "description": "Part des candidats ayant validé chaque bloc.",
        "bars": [
            ("Bloc 1", Decimal("66.666")),
            ("Bloc 2", Decimal("100")),
            ("Bloc 3", Decimal("0")),
            ("Bloc 4", 50),
        ],
        "category_label": "Bloc",
        "value_label": "Taux de réussite",
        "unit": "%",
        "max_value": 100,
    }
    return charts.bar_chart(**(arguments | overrides))


@pytest.mark.parametrize(
    "value,places,expected",
    [
        (Decimal("12.5"), 1, "12,5"),
        (Decimal("12.50"), 2, "12,5"),
        (Decimal("80"), 1, "80"),
        (Decimal("66.666"), 1, "66,7"),
        (Decimal("0.05"), 1, "0,1"),
        (Decimal("-0.04"), 1, "0"),
        (1000, 0, "1\u202f000"),
        (Decimal("1234.5"), 1, "1\u202f234,5"),
    ],
)
def test_numbers_are_written_the_french_way(value, places, expected):
    assert charts.french_number(value, places) == expected


def test_floats_are_refused_so_marks_stay_exact():
    with pytest.raises(TypeError):
        charts.french_number(12.5)
    with pytest.raises(TypeError):
        pass_rates(bars=[("Bloc 1", 0.5)])


def test_a_bar_chart_is_an_accessible_image_named_by_its_title_and_description():
    root = parse(pass_rates())
    assert root.tag == f"{SVG}svg"
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "taux-bloc-title taux-bloc-desc"
    assert root.find(f"{SVG}title").get("id") == "taux-bloc-title"
    assert root.find(f"{SVG}title").text == "Taux de réussite par bloc"
    assert root.find(f"{SVG}desc").get("id") == "taux-bloc-desc"
    assert root.get("viewBox").startswith("0 0 640 ")


def test_a_bar_chart_draws_one_bar_per_value_in_proportion():
    root = parse(pass_rates())
    bars = bars_of(root)
    assert len(bars) == 4
    widths = [Decimal(bar.get("width")) for bar in bars]
    assert widths[1] == 2 * widths[3]  # 100 % is twice 50 %
    assert widths[2] == 0
    assert "66,7\u202f%" in texts_of(root)


def test_a_bar_chart_without_maximum_scales_to_its_longest_bar():
    chart = charts.bar_chart(
        chart_id="charge",
        title="Charge des évaluateurs",
        description="Portefeuilles affectés à chaque évaluateur.",
        bars=[("Françoise Aubert", 6), ("Bruno Lemoine", 3)],
        category_label="Évaluateur",
        value_label="Portefeuilles",
    )
    first, second = (Decimal(bar.get("width")) for bar in bars_of(parse(chart)))
    assert first == 2 * second
    assert chart.rows == (("Françoise Aubert", "6"), ("Bruno Lemoine", "3"))
    assert chart.columns == ("Évaluateur", "Portefeuilles")


def test_labels_are_escaped_and_control_characters_dropped():
    chart = pass_rates(
        title='Blocs <script>alert("x")</script> & co',
        bars=[("<b>Bloc\x07 1</b> & « A »", 10)],
    )
    root = parse(chart)  # would raise on unescaped markup or a control character
    assert root.find(f"{SVG}title").text == 'Blocs <script>alert("x")</script> & co'
    assert "<script>" not in chart.svg
    assert "<b>" not in chart.svg
    assert root.find(f".//{SVG}script") is None
    assert "<b>Bloc 1</b> & « A »" in texts_of(root)


def test_long_labels_are_shortened_in_the_drawing_but_whole_in_the_table():
    label = "Bloc 2 — Gestion des ressources humaines et de la paie"
    chart = pass_rates(bars=[(label, 40)])
    assert label not in texts_of(parse(chart))
    assert any(text.endswith("…") for text in texts_of(parse(chart)))
    assert chart.rows[0][0] == label


def test_an_empty_bar_chart_says_so():
    root = parse(pass_rates(bars=[]))
    assert bars_of(root) == []
    assert "Aucune donnée" in texts_of(root)


def test_a_bad_chart_id_or_a_negative_value_is_refused():
    with pytest.raises(ValueError):
        pass_rates(chart_id='x" onload="alert(1)')
    with pytest.raises(ValueError):
        pass_rates(bars=[("Bloc 1", -1)])


def test_histogram_counts_put_each_value_in_its_band_and_the_top_in_the_last():
    bands = charts.histogram_counts(
        [0, Decimal("99.5"), 100, 499, 500, Decimal("512.5"), 1000], start=0, stop=1000, step=100
    )
    assert len(bands) == 10
    assert bands[0] == (Decimal(0), Decimal(100), 2)
    assert bands[1][2] == 1
    assert bands[4][2] == 1
    assert bands[5] == (Decimal(500), Decimal(600), 2)
    assert bands[9] == (Decimal(900), Decimal(1000), 1)
    assert sum(count for _, _, count in bands) == 7


def test_histogram_counts_refuse_values_out_of_range_and_bad_bands():
    with pytest.raises(ValueError):
        charts.histogram_counts([1001], start=0, stop=1000, step=100)
    with pytest.raises(ValueError):
        charts.histogram_counts([], start=0, stop=1000, step=0)


def session_results(values, **overrides):
    arguments = {
        "chart_id": "resultats-session",
        "title": "Résultats de la session de juin",
        "description": "Nombre de candidats par tranche de 100 points sur 1000.",
        "values": values,
        "start": 0,
        "stop": 1000,
        "step": 100,
        "threshold": 500,
    }
    return charts.histogram(**(arguments | overrides))


def test_a_histogram_draws_one_bar_per_band_with_heights_in_proportion():
    chart = session_results([Decimal("512.5"), 530, 560, 610, 420])
    root = parse(chart)
    bars = bars_of(root)
    assert len(bars) == 10
    heights = [Decimal(bar.get("height")) for bar in bars]
    assert heights[5] == 3 * heights[6]
    assert heights[4] == heights[6]
    assert heights[0] == 0
    assert chart.rows[5] == ("de 500 à moins de 600", "3")
    assert chart.rows[9] == ("de 900 à 1\u202f000", "0")


def test_a_histogram_marks_the_pass_threshold():
    root = parse(session_results([700]))
    [line] = [el for el in root.iter(f"{SVG}line") if el.get("class") == "chart-threshold"]
    assert Decimal(line.get("x1")) == Decimal(36) + Decimal("0.5") * (640 - 36 - 12)
    assert "Seuil : 500" in texts_of(root)


def test_a_histogram_of_no_result_still_draws_its_axis():
    chart = session_results([])
    assert len(bars_of(parse(chart))) == 10
    assert all(row[1] == "0" for row in chart.rows)


def cohort_progress(segments):
    return charts.stacked_bar(
        chart_id="avancement",
        title="Avancement de la promotion",
        description="Portefeuilles par état.",
        segments=segments,
    )


def test_a_stacked_bar_splits_the_width_by_share_and_lists_each_part():
    chart = cohort_progress([("Brouillon", 6), ("Déposé", 3), ("Évalué", 3), ("Vide", 0)])
    root = parse(chart)
    segments = bars_of(root, "chart-segment")
    assert len(segments) == 3  # nothing drawn for an empty part
    assert [Decimal(s.get("width")) for s in segments] == [320, 160, 160]
    assert Decimal(segments[1].get("x")) == 320
    assert chart.rows[0] == ("Brouillon", "6", "50\u202f%")
    assert chart.rows[-1] == ("Total", "12", "100\u202f%")
    assert "Déposé : 3 (25\u202f%)" in texts_of(root)
    assert len(chart.columns) == 3


def test_a_stacked_bar_with_nothing_to_show_says_so():
    chart = cohort_progress([("Brouillon", 0)])
    assert bars_of(parse(chart), "chart-segment") == []
    assert "Aucune donnée" in texts_of(parse(chart))
    assert chart.rows[-1] == ("Total", "0", "0\u202f%")


def test_every_palette_colour_contrasts_three_to_one_with_white():
    def luminance(hex_colour):
        channels = [int(hex_colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    for colour in charts.PALETTE:
        assert 1.05 / (luminance(colour) + 0.05) >= 3, colour


@pytest.mark.django_db
def test_the_chart_component_renders_the_drawing_and_its_data_table():
    from django.template.loader import render_to_string

    html = render_to_string("components/chart.html", {"chart": pass_rates()})
    assert html.count("<svg") == 1
    assert 'role="img"' in html
    assert '<th scope="row">Bloc 1</th>' in html
    assert "66,7\u202f%" in html
    assert "Voir les données en tableau" in html
