"""The chart's colours against its white background: at least 3:1 (WCAG 2.1, 1.4.11 non-text
contrast), computed with WCAG's relative luminance; the style sheet's text colours at least 4.5:1."""

from __future__ import annotations

import re

import pytest

from pipeline.datatool.app import STATIC
from pipeline.datatool.render import COLOURS, OTHER


def luminance(hex_colour: str) -> float:
    h = hex_colour.lstrip("#")
    if len(h) == 3:
        h = "".join(c * 2 for c in h)
    rgb = [int(h[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_formula() -> None:
    assert contrast("#000", "#fff") == pytest.approx(21.0)
    assert contrast("#767676", "#fff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("colour", [*COLOURS, OTHER])
def test_chart_colours_stand_out_from_white(colour: str) -> None:
    assert contrast(colour, "#ffffff") >= 3.0


def test_text_colours_of_the_style_sheet() -> None:
    css = (STATIC / "datatool.css").read_text(encoding="utf-8")
    colours = re.findall(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", css)
    assert colours
    for c in colours:
        assert contrast(c, "#ffffff") >= 4.5, c
