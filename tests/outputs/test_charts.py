"""Inline SVG charts: deterministic, accessible, ids unique per chart, no date metadata."""

from __future__ import annotations

import re

from pipeline.reports.charts import Bar, BarChart, render_bar_chart

CHART = BarChart(
    chart_id="c-test",
    title="Knelpunten & co",
    desc="werkstress: 36,1% <sector>",
    bars=(
        Bar("werkstress", 36.1, 30.0, 42.2, acute=12.0, reference=35.0, marked=True),
        Bar("leerprobleem", None),
        Bar("werk-privé", 20.0, 15.0, 25.0, reference=22.0, unreliable=True),
    ),
)


def test_chart_is_deterministic_and_has_no_date():
    a, b = render_bar_chart(CHART), render_bar_chart(CHART)
    assert a == b
    assert "<dc:date>" not in a and "<metadata>" not in a and not a.startswith("<?xml")


def test_chart_is_accessible():
    svg = render_bar_chart(CHART)
    assert svg.startswith('<svg role="img" aria-labelledby="c-test-title c-test-desc"')
    assert '<title id="c-test-title">Knelpunten &amp; co</title>' in svg
    assert '<desc id="c-test-desc">werkstress: 36,1% &lt;sector&gt;</desc>' in svg
    assert ">werkstress *<" in svg  # significant difference marked on the label
    assert "niet gepubliceerd" in svg  # the suppressed bar says so instead of drawing
    assert ">onbetrouwbaar<" in svg


def test_ids_are_prefixed_so_charts_can_share_a_page():
    other = BarChart(chart_id="c-other", title="t", desc="d", bars=CHART.bars)
    ids_a = set(re.findall(r'\bid="([^"]+)"', render_bar_chart(CHART)))
    ids_b = set(re.findall(r'\bid="([^"]+)"', render_bar_chart(other)))
    assert ids_a and all(i.startswith("c-test-") for i in ids_a)
    assert not ids_a & ids_b
    for ref in re.findall(r'url\(#([^)]+)\)|xlink:href="#([^"]+)"', render_bar_chart(CHART)):
        assert (ref[0] or ref[1]) in ids_a
