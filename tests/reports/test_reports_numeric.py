"""The mean and median of a numeric indicator (commuting minutes) in the module section: every
number is its row of ``numeric_estimates.csv`` in Dutch format, with the group first and Flanders,
inside the theme of its item (with the commuting shares)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from pipeline.reports.overview import render_overview_report
from pipeline.reports.report import render_sector_report

from .reports_fixtures import numeric_table

NAME = "mod_woonwerk_minuten"


def _fmt(x: float, stat: str) -> str:
    d = 0 if stat == "median" and float(x).is_integer() else 1
    return f"{x:.{d}f}".replace(".", ",")


def _cells(html: str) -> dict[str, tuple[str, str]]:
    """data-numeric key -> (shown text, the CI text in the next cell)."""
    return {
        k: (t, ci)
        for k, t, ci in re.findall(
            r'data-numeric="([^"]+)"[^>]*>([^<]*)</td><td class="num ci">([^<]*)</td>', html
        )
    }


@pytest.mark.parametrize("code", [5, 11, 8])
def test_sector_report_shows_mean_and_median_of_the_table(q, table, ctx, code) -> None:
    num = numeric_table(q)
    html = render_sector_report(table, q, code, context=replace(ctx, numeric=num))
    cells = _cells(html)
    if code == 8:  # every figure of the sector is suppressed: no module section at all
        assert not cells
        return
    assert set(cells) == {
        f"{NAME}|{s}|{b}|{lv}"
        for s in ("mean", "median")
        for b, lv in (("", ""), ("sector", str(code)))
    }
    for r in num.to_dict("records"):
        key = f"{r['indicator']}|{r['stat']}|{r['by']}|{r['level']}"
        if key not in cells:
            continue
        text, ci = cells[key]
        want = _fmt(r["estimate"], r["stat"])
        assert text == (f"({want})" if r["flags"] == "unreliable" else want), key
        assert ci == f"{_fmt(r['ci_low'], r['stat'])} – {_fmt(r['ci_high'], r['stat'])}", key
    # inside the theme of the commuting item, after its shares
    part = html[html.index('id="modules"') :]
    block = part[: part.index("gemiddelde en mediaan")]
    last_h3 = block.rindex("<h3")
    assert "mod_woonwerk_30" in block[last_h3:] or "woon-werk" in block[last_h3:]
    assert "in minuten" in part and "De mediaan is de middelste waarde" in part


def test_a_suppressed_group_shows_a_dash(q, table, ctx) -> None:
    num = numeric_table(q, levels=("5",))
    num.loc[num["level"] == "5", ["estimate", "flags"]] = [float("nan"), "suppressed"]
    html = render_sector_report(table, q, 5, context=replace(ctx, numeric=num))
    cells = _cells(html)
    assert cells[f"{NAME}|mean|sector|5"] == ("–", "")
    assert cells[f"{NAME}|median||"][0] == "25"


def test_overview_shows_flanders(q, table, ctx) -> None:
    num = numeric_table(q)
    html = render_overview_report(table, q, context=replace(ctx, numeric=num))
    cells = _cells(html)
    assert cells == {
        f"{NAME}|mean||": ("27,4", "25,2 – 29,5"),
        f"{NAME}|median||": ("25", "22,8 – 27,1"),
    }


def test_without_the_table_nothing_is_shown(q, table, ctx) -> None:
    html = render_sector_report(table, q, 5, context=ctx)
    assert "data-numeric" not in html and "gemiddelde en mediaan" not in html
