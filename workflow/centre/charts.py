"""Charts drawn on the server as accessible inline SVG, each with the same data as a table.

No JavaScript and nothing fetched: each function returns a ``Chart`` whose ``svg`` is a complete
SVG string (``role="img"``, named by its ``<title>`` and ``<desc>`` through ``aria-labelledby``)
and whose ``columns`` and ``rows`` are the data table that ``templates/components/chart.html``
renders beside the drawing. Every text is escaped here, so the template may print ``svg`` as is.
Numbers are written the French way (``12,5``; ``66,7 %``) and computed with ``Decimal``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from xml.sax.saxutils import escape, quoteattr

from django.utils.translation import gettext as _

# Each colour stands out at 3:1 or more against white (WCAG 2.1, 1.4.11 non-text contrast).
PALETTE = (
    "#0b4f8a",  # blue
    "#1d6b34",  # green
    "#a4161a",  # red
    "#5b3a8c",  # purple
    "#8a5300",  # ochre
    "#00677f",  # teal
    "#4a5360",  # slate
    "#8c2f6b",  # plum
)
INK = "#1b1f24"
GRID = "#8a93a0"
TRACK = "#e6e9ee"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
NARROW_NBSP = "\u202f"  # French thousands separator and the space before %

WIDTH = 640
_ID = re.compile(r"^[a-z][a-z0-9-]*$")
# Characters XML 1.0 forbids even when escaped (C0 controls but tab, newline, return).
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

Number = Decimal | int


@dataclass(frozen=True)
class Chart:
    chart_id: str
    title: str
    description: str
    svg: str
    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def french_number(value: Number, places: int = 1) -> str:
    """Return ``value`` rounded to ``places`` decimals, written with a comma, no trailing zero."""
    number = _decimal(value)
    quantum = Decimal(1).scaleb(-places)
    text = f"{number.quantize(quantum, rounding=ROUND_HALF_UP):,f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in {"-0", ""}:
        text = "0"
    return text.replace(",", NARROW_NBSP).replace(".", ",")


def french_percent(value: Number, places: int = 1) -> str:
    return f"{french_number(value, places)}{NARROW_NBSP}%"


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[tuple[str, Number]],
    category_label: str,
    value_label: str,
    unit: str = "",
    max_value: Number | None = None,
) -> Chart:
    """Return a horizontal bar chart: one labelled bar per (label, value), longest = max."""
    values = [_decimal(value) for _, value in bars]
    if any(value < 0 for value in values):
        raise ValueError("A bar chart draws values of zero or more.")
    scale_max = _decimal(max_value) if max_value is not None else max(values, default=Decimal(0))
    if scale_max <= 0:
        scale_max = Decimal(1)
    label_width, value_width, row, bar_height, top = 240, 80, 34, 22, 8
    track = WIDTH - label_width - value_width
    height = top * 2 + row * max(len(bars), 1)
    shapes = []
    for index, ((label, _value), value) in enumerate(zip(bars, values, strict=True)):
        y = top + index * row
        length = _px(min(value, scale_max) / scale_max * track)
        text_y = y + bar_height / 2 + 5
        shapes.append(
            f'<text x="{label_width - 8}" y="{text_y:g}" text-anchor="end">'
            f"{_text(_shorten(label, 26))}</text>"
            f'<rect x="{label_width}" y="{y}" width="{track}" height="{bar_height}" '
            f'fill="{TRACK}"/>'
            f'<rect class="chart-bar" x="{label_width}" y="{y}" width="{length}" '
            f'height="{bar_height}" fill="{PALETTE[0]}"/>'
            f'<text x="{label_width + track + 8}" y="{text_y:g}">'
            f"{_text(_with_unit(value, unit))}</text>"
        )
    if not bars:
        shapes.append(_empty_note(label_width, top + bar_height / 2 + 5))
    rows = tuple(
        (str(label), _with_unit(value, unit))
        for (label, _), value in zip(bars, values, strict=True)
    )
    return _chart(
        chart_id, title, description, height, "".join(shapes), (category_label, value_label), rows
    )


def histogram_counts(
    values: Sequence[Number], *, start: Number, stop: Number, step: Number
) -> list[tuple[Decimal, Decimal, int]]:
    """Return (low, high, count) per band [low, high[ from start to stop; stop falls in the last."""
    start, stop, step = _decimal(start), _decimal(stop), _decimal(step)
    if step <= 0 or stop <= start:
        raise ValueError("Bands need start < stop and a positive step.")
    edges = []
    low = start
    while low < stop:
        edges.append((low, min(low + step, stop)))
        low += step
    counts = [0] * len(edges)
    for raw in values:
        value = _decimal(raw)
        if value < start or value > stop:
            raise ValueError(f"{value} lies outside [{start}, {stop}].")
        index = min(int((value - start) // step), len(edges) - 1)
        counts[index] += 1
    return [(low, high, count) for (low, high), count in zip(edges, counts, strict=True)]


def histogram(
    *,
    chart_id: str,
    title: str,
    description: str,
    values: Sequence[Number],
    start: Number,
    stop: Number,
    step: Number,
    unit: str = "points",
    threshold: Number | None = None,
    threshold_label: str | None = None,
    count_label: str | None = None,
) -> Chart:
    """Return the distribution of ``values`` in bands of ``step``, with an optional threshold."""
    threshold_label = threshold_label or _("Seuil")
    count_label = count_label or _("Candidats")
    bands = histogram_counts(values, start=start, stop=stop, step=step)
    left, right, top, axis = 36, 12, 44, 44
    plot_height = 180
    height = top + plot_height + axis
    plot_width = WIDTH - left - right
    band_width = plot_width / len(bands)
    highest = max((count for _, _, count in bands), default=0) or 1
    shapes = [
        f'<line x1="{left}" y1="{top + plot_height}" x2="{WIDTH - right}" '
        f'y2="{top + plot_height}" stroke="{INK}" stroke-width="1"/>'
    ]
    for index, (low, high, count) in enumerate(bands):
        x = left + index * band_width
        bar_height = _px(Decimal(count) / Decimal(highest) * plot_height)
        y = top + plot_height - bar_height
        shapes.append(
            f'<rect class="chart-bar" x="{x + 2:.1f}" y="{y:g}" width="{band_width - 4:.1f}" '
            f'height="{bar_height:g}" fill="{PALETTE[0]}"/>'
            f'<text x="{x + band_width / 2:.1f}" y="{y - 5:g}" text-anchor="middle">'
            f"{count}</text>"
            f'<text x="{x + band_width / 2:.1f}" y="{top + plot_height + 16}" '
            f'text-anchor="middle" font-size="11">'
            f"{_text(french_number(low, 0))}–{_text(french_number(high, 0))}</text>"
        )
    shapes.append(
        f'<text x="{WIDTH / 2:g}" y="{height - 6}" text-anchor="middle" font-size="12">'
        f"{_text(unit)}</text>"
    )
    if threshold is not None:
        mark = _decimal(threshold)
        span = _decimal(stop) - _decimal(start)
        x = left + _px((mark - _decimal(start)) / span * plot_width)
        shapes.append(
            f'<line class="chart-threshold" x1="{x:g}" y1="{top - 24}" x2="{x:g}" '
            f'y2="{top + plot_height}" stroke="{PALETTE[2]}" stroke-width="2" '
            f'stroke-dasharray="6 4"/>'
            f'<text x="{x + 4:g}" y="{top - 28}" fill="{PALETTE[2]}" font-size="12">'
            f"{_text(f'{threshold_label} : {french_number(mark)}')}</text>"
        )
    rows = tuple(
        (_band_label(low, high, last=index == len(bands) - 1), str(count))
        for index, (low, high, count) in enumerate(bands)
    )
    return _chart(
        chart_id,
        title,
        description,
        height,
        "".join(shapes),
        (_("Tranche (%(unit)s)") % {"unit": unit}, count_label),
        rows,
    )


def stacked_bar(
    *,
    chart_id: str,
    title: str,
    description: str,
    segments: Sequence[tuple[str, Number]],
    category_label: str | None = None,
    count_label: str | None = None,
) -> Chart:
    """Return one bar split into parts (e.g. a cohort's portfolios by state), with a legend."""
    category_label = category_label or _("État")
    count_label = count_label or _("Nombre")
    counts = [_decimal(count) for _label, count in segments]
    if any(count < 0 for count in counts):
        raise ValueError("A stacked bar draws counts of zero or more.")
    total = sum(counts, Decimal(0))
    bar_y, bar_height, legend_top, legend_row = 8, 32, 56, 24
    columns = 2
    legend_rows = (len(segments) + columns - 1) // columns
    height = legend_top + legend_rows * legend_row + 4
    shapes = [
        f'<rect x="0" y="{bar_y}" width="{WIDTH}" height="{bar_height}" fill="{TRACK}"/>',
    ]
    x = Decimal(0)
    for index, count in enumerate(counts):
        if total and count:
            width = count / total * WIDTH
            shapes.append(
                f'<rect class="chart-segment" x="{_px(x):g}" y="{bar_y}" '
                f'width="{_px(width):g}" height="{bar_height}" '
                f'fill="{PALETTE[index % len(PALETTE)]}" stroke="#ffffff" stroke-width="2"/>'
            )
            x += width
    if not total:
        shapes.append(_empty_note(8, bar_y + bar_height / 2 + 5))
    rows = []
    for index, ((label, _count), count) in enumerate(zip(segments, counts, strict=True)):
        share = french_percent(count / total * 100) if total else french_percent(0)
        entry = f"{_shorten(label, 28)} : {french_number(count)} ({share})"
        column, line = index % columns, index // columns
        lx = column * (WIDTH / columns)
        ly = legend_top + line * legend_row
        shapes.append(
            f'<rect x="{lx:g}" y="{ly}" width="14" height="14" '
            f'fill="{PALETTE[index % len(PALETTE)]}"/>'
            f'<text x="{lx + 20:g}" y="{ly + 12}">{_text(entry)}</text>'
        )
        rows.append((str(label), french_number(count), share))
    rows.append((_("Total"), french_number(total), french_percent(100 if total else 0)))
    return _chart(
        chart_id,
        title,
        description,
        height,
        "".join(shapes),
        (category_label, count_label, _("Part")),
        tuple(rows),
    )


def _chart(chart_id, title, description, height, body, columns, rows) -> Chart:
    if not _ID.match(chart_id):
        raise ValueError("A chart id is lower-case letters, digits and hyphens.")
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id={quoteattr(chart_id)} '
        f'viewBox="0 0 {WIDTH} {height:g}" width="{WIDTH}" height="{height:g}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" focusable="false" '
        f'font-family={quoteattr(FONT)} font-size="14" fill="{INK}">'
        f'<title id="{chart_id}-title">{_text(title)}</title>'
        f'<desc id="{chart_id}-desc">{_text(description)}</desc>'
        f"{body}</svg>"
    )
    return Chart(
        chart_id=chart_id,
        title=str(title),
        description=str(description),
        svg=svg,
        columns=tuple(str(column) for column in columns),
        rows=tuple(rows),
    )


def _decimal(value: Number) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int)):
        raise TypeError(f"Charts take Decimal or int values, not {type(value).__name__}.")
    return Decimal(value)


def _px(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def _text(value) -> str:
    return escape(_XML_FORBIDDEN.sub("", str(value)))


def _shorten(label, limit: int) -> str:
    label = str(label)
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _with_unit(value: Decimal, unit: str) -> str:
    if unit == "%":
        return french_percent(value)
    return f"{french_number(value)}{NARROW_NBSP}{unit}" if unit else french_number(value)


def _band_label(low: Decimal, high: Decimal, *, last: bool) -> str:
    if last:
        return _("de %(low)s à %(high)s") % {
            "low": french_number(low),
            "high": french_number(high),
        }
    return _("de %(low)s à moins de %(high)s") % {
        "low": french_number(low),
        "high": french_number(high),
    }


def _empty_note(x, y) -> str:
    return f'<text x="{x}" y="{y:g}" fill="{INK}">{_text(_("Aucune donnée"))}</text>'
