"""Sector reports: every number traces back to the estimates table, suppressed cells never show,
the page is deterministic, accessible and self-contained."""

from __future__ import annotations

import re

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import InputError, UsageError
from pipeline.fileio import sha256_file
from pipeline.reports.context import ReportContext, ResponseInfo, WeightingSummary
from pipeline.reports.estimates import Estimates
from pipeline.reports.report import fmt_field, render_sector_report, write_sector_reports
from tests.htmlscan import scan

from .outputs_fixtures import (
    SECRET_SECTOR,
    SECRET_VALUE,
    SUPPRESSED_SECTOR,
    UNRELIABLE_SECTOR,
    make_estimates,
)

CTX = ReportContext(
    run_id="run-test",
    counts_by_mode=(("paper", 812), ("web", 1588)),
    response=ResponseInfo(invited=10000, responded=2400),
    weighting=WeightingSummary(method="raking", n=2400, kish_deff=1.4321),
    synthetic=True,
)
DECIMAL = re.compile(r"[+-]?\d+,\d+")


def pct(v: float) -> str:
    """Expected Dutch percentage text, written independently of the module under test."""
    s = f"{v * 100:.1f}"
    return ("0.0" if s == "-0.0" else s).replace(".", ",")


def expected_text(row: pd.Series, field: str) -> str:
    if row["flags"] == "suppressed":  # its n too: a hidden cell's n could be differenced
        return "–"
    if field == "n":  # a point between thousands: 2.826
        return f"{int(row['n']):,}".replace(",", ".")
    if field == "value":
        return pct(row["estimate"])
    if field == "estimate":
        return f"({pct(row['estimate'])})" if row["flags"] == "unreliable" else pct(row["estimate"])
    if field == "ci":
        return f"{pct(row['ci_low'])} – {pct(row['ci_high'])}"
    if field == "diff":
        s = pct(row["diff"])
        return s if s.startswith("-") or s == "0,0" else "+" + s
    raise AssertionError(field)


def lookup(df: pd.DataFrame, key: str) -> pd.Series:
    ind, by, level = key.split("|")
    hit = df[(df["indicator"] == ind) & (df["by"] == by) & (df["level"] == level)]
    assert len(hit) == 1, key
    return hit.iloc[0]


@pytest.fixture(scope="module")
def table(q) -> pd.DataFrame:
    return make_estimates(q)


@pytest.fixture(scope="module")
def pages(q, table) -> dict[int, str]:
    return {
        code: render_sector_report(table, q, code, context=CTX)
        for code in (1, 5, SECRET_SECTOR, SUPPRESSED_SECTOR, UNRELIABLE_SECTOR)
    }


@pytest.mark.parametrize("code", [1, 5, SECRET_SECTOR, UNRELIABLE_SECTOR])
def test_every_traced_number_equals_the_table(pages, table, code):
    s = scan(pages[code])
    assert len(s.traced) > 60  # headline, 4 workability x 2, 6 risks, n's, tests
    for attrs, text in s.traced:
        row = lookup(table, str(attrs["data-key"]))
        field = str(attrs["data-field"])
        if field == "significant":
            assert bool(row["significant"]) == (attrs["data-value"] == "true")
            if row["significant"]:
                assert text.startswith("hoger" if row["diff"] > 0 else "lager")
            continue
        assert text.removesuffix("%") == expected_text(row, field), (attrs, text)


@pytest.mark.parametrize("code", [1, 5, SECRET_SECTOR, SUPPRESSED_SECTOR, UNRELIABLE_SECTOR])
def test_every_decimal_on_the_page_comes_from_the_table_or_the_context(q, pages, table, code):
    rows = table[
        (table["by"] == "")
        | ((table["by"] == "sector") & (table["level"] == str(code)))
        | (table["by"].str.startswith("sector:") & table["level"].str.startswith(f"{code}:"))
    ]
    # Kish deff, response rate, alpha, the response per mode (812, 1588 of 10000) from the context
    allowed = {"1,43", "24,0", "0,05", "8,1", "15,9"}
    for ind in q.indicators:
        for c in (ind.cutoffs or {}).values():
            allowed |= {
                f"{v:.1f}".replace(".", ",") for v in (c.problematisch, c.acuut) if v is not None
            }
    for _, r in rows[rows["flags"] != "suppressed"].iterrows():
        allowed |= {pct(r["estimate"]), pct(r["ci_low"]), pct(r["ci_high"])}
        if pd.notna(r["diff"]):
            allowed.add(expected_text(r, "diff"))
    found = DECIMAL.findall(" ".join(scan(pages[code]).text))
    assert found or code == SUPPRESSED_SECTOR
    assert set(found) <= allowed, sorted(set(found) - allowed)


def test_suppressed_cell_never_appears(pages, table):
    secret = {pct(SECRET_VALUE), pct(0.97531), pct(0.99135)}
    other = table[table["flags"] != "suppressed"]
    assert not secret & {
        pct(v) for v in pd.concat([other["estimate"], other["ci_low"], other["ci_high"]])
    }
    html = pages[SECRET_SECTOR]
    for text in secret:
        assert text not in html and text.replace(",", ".") not in html
    s = scan(html)
    cells = [
        (a, t) for a, t in s.traced if a["data-key"] == f"werkstress_acuut|sector|{SECRET_SECTOR}"
    ]
    assert {t for a, t in cells} == {"–"}  # no n either
    assert "niet gepubliceerd" in html  # the legend explains the dash


def test_sector_with_too_few_respondents_gets_no_numbers(pages):
    html = pages[SUPPRESSED_SECTOR]
    s = scan(html)
    assert s.traced == []
    assert "<svg" not in html
    assert "Geen cijfers voor deze sector" in html and "te weinig" in html


def test_unreliable_cells_are_marked(pages):
    s = scan(pages[UNRELIABLE_SECTOR])
    est = [
        (a, t)
        for a, t in s.traced
        if a["data-key"].endswith(f"|sector|{UNRELIABLE_SECTOR}") and a["data-field"] == "estimate"
    ]
    assert est and all(t.startswith("(") and t.endswith(")") for _a, t in est)
    assert all("unreliable" in (a.get("class") or "") for a, _t in est if a.get("class"))
    assert "onbetrouwbaar" in pages[UNRELIABLE_SECTOR]


def test_breakdowns_only_where_the_table_has_them(pages):
    assert 'id="uitsplitsingen"' in pages[SECRET_SECTOR] and "vrouw" in pages[SECRET_SECTOR]
    assert 'id="uitsplitsingen"' in pages[5]  # sex 2 suppressed there, sex 1 shown
    s5 = scan(pages[5])
    assert {t for a, t in s5.traced if a["data-key"].endswith("|sector:sex|5:2")} == {"–"}
    assert 'id="uitsplitsingen"' not in pages[1]


def test_methods_say_cutoffs_are_reference_values(pages):
    for html in pages.values():
        appendix = html[html.index('id="methoden"') :]
        assert "reference" in appendix and "betrouwbaarheidsinterval" in appendix
        assert "papier" in appendix and "812" in appendix and "1,43" in appendix


def test_accessible_and_self_contained(pages):
    html = pages[1]
    s = scan(html)
    assert '<html lang="nl">' in html
    assert [t for t, _a in s.tags].count("h1") == 1
    assert [t for t, _a in s.tags].count("table") == [t for t, _a in s.tags].count("caption")
    svgs = [a for t, a in s.tags if t == "svg"]
    assert len(svgs) == 2 and all(a.get("role") == "img" and a.get("aria-labelledby") for a in svgs)
    for a in svgs:
        for ref in str(a["aria-labelledby"]).split():
            assert ref in s.ids
    assert len(s.ids) == len(set(s.ids)), "duplicate element ids"
    assert not any(t in ("script", "link", "img") for t, _a in s.tags)
    assert not any("src" in a for _t, a in s.tags)
    assert not re.search(r'(href|src)="https?:', html)


def test_written_reports_are_deterministic(q, table, pages, tmp_path):
    """Written files are byte-identical to independent renders (the module fixture's pages)."""
    paths = write_sector_reports(table, q, tmp_path, CTX)
    assert len(paths) == len(q.choices_of(q.item("sector"))) == 16
    assert paths[2].name == "sector-03-metaal.html"
    for code, html in pages.items():
        assert paths[code - 1].read_bytes() == html.encode("utf-8"), code
    assert len({sha256_file(p) for p in paths}) == 16
    assert not list(tmp_path.glob(".*"))  # no temporary files left behind


def test_unknown_sector_code_is_a_usage_error(q, table):
    with pytest.raises(UsageError) as err:
        render_sector_report(table, q, 99)
    assert "99" in str(err.value)


def test_bad_tables_are_input_errors(q, table, tmp_path):
    with pytest.raises(InputError) as err:
        render_sector_report(table.drop(columns=["ci_low"]), q, 1)
    assert err.value.code == "bad_estimates" and err.value.problems[0].column == "ci_low"
    in_percent = table.assign(estimate=table["estimate"] * 100)
    with pytest.raises(InputError) as err:
        render_sector_report(in_percent, q, 1)
    assert err.value.code == "bad_estimates"
    with pytest.raises(InputError) as err:
        write_sector_reports(table[table["by"] != "sector"], q, tmp_path)
    assert err.value.code == "no_domain_rows"
    with pytest.raises(InputError):
        render_sector_report(pd.concat([table, table.iloc[:1]]), q, 1)


def test_without_test_columns_nothing_is_marked(q, table):
    html = render_sector_report(
        table.drop(columns=["diff", "diff_se", "p_value", "significant"]), q, 1
    )
    assert 'data-field="significant"' not in html and "geen toetsen" in html


def test_p_value_alone_marks_differences(q, table):
    html = render_sector_report(table.drop(columns=["significant"]), q, 1)
    marked = {a["data-key"] for a, _t in scan(html).traced if a.get("data-value") == "true"}
    expect = set(
        table[(table["by"] == "sector") & (table["level"] == "1") & (table["p_value"] < 0.05)][
            "indicator"
        ]
    )
    assert {k.split("|")[0] for k in marked} <= expect and marked


flags = st.sampled_from(["", "unreliable", "suppressed"])
share = st.floats(0.0, 1.0, allow_nan=False)


@settings(max_examples=150, deadline=None)
@given(
    est=share,
    lo=share,
    hi=share,
    diff=st.floats(-1, 1, allow_nan=False),
    flag=flags,
    n=st.integers(0, 5000),
)
def test_a_suppressed_cell_has_no_number_to_show(est, lo, hi, diff, flag, n):
    df = pd.DataFrame(
        [
            {
                "indicator": "x",
                "by": "sector",
                "level": "2",
                "n": n,
                "weighted_n": 1.0,
                "estimate": est,
                "se": 0.01,
                "ci_low": lo,
                "ci_high": hi,
                "deff": 1.0,
                "flags": flag,
                "diff": diff,
                "p_value": 0.01,
                "significant": True,
            }
        ]
    )
    cell = Estimates.from_frame(df).get("x", "sector", 2)
    assert cell is not None
    shown = {f: fmt_field(cell, f) for f in ("estimate", "ci", "diff")}
    if flag == "suppressed":
        assert set(shown.values()) == {"–"} and cell.estimate is None and cell.marked() is None
    else:
        assert shown["estimate"].strip("()") == pct(est)
        assert cell.marked() is True


def test_table_read_back_from_csv_gives_the_same_page(q, table, pages, tmp_path):
    """estimates.csv loses dtypes (levels become ints, empty by becomes NaN, booleans text)."""
    path = tmp_path / "estimates.csv"
    table.to_csv(path, index=False)
    again = pd.read_csv(path)
    assert again["level"].dtype != object or again["by"].isna().any()
    assert render_sector_report(again, q, SECRET_SECTOR, context=CTX) == pages[SECRET_SECTOR]
