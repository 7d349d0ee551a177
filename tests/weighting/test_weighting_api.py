"""weight_frame: the two weights, diagnostics, calibration info, trimming, collapsing, methods."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import WeightingError
from pipeline.weighting.api import weight_frame
from pipeline.weighting.diagnostics import diagnose, render_report, to_json
from pipeline.weighting.margins import CollapseRule, Margins, load_margins, margins_from_rows
from pipeline.weighting.trimming import TrimSpec


def test_two_weights_and_diagnostics(employees, employee_margins_path):
    m = load_margins(employee_margins_path, require_meta=True)
    res = weight_frame(employees, m, base_weight="w")
    assert res.converged
    assert res.weight.sum() == pytest.approx(2_600_000, rel=1e-10)
    assert res.weight_normalised.sum() == pytest.approx(len(employees), rel=1e-10)
    assert res.max_error <= 1e-9
    assert len(res.margins) == 2 + 5 + 16 + 3 + 5
    d = res.diagnostics
    w = res.weight
    assert d.kish_deff == pytest.approx(len(w) * (w**2).sum() / w.sum() ** 2)
    assert d.effective_n == pytest.approx(len(w) / d.kish_deff)
    assert d.largest[0][1] == w.max() and len(d.largest) == 10
    info = res.calibration
    assert info.variables == (("sex",), ("age_band",), ("sector",), ("statute",), ("province",))
    np.testing.assert_allclose(info.g * employees["w"].to_numpy(), w)
    assert info.codes[0].shape == (len(employees),)


def test_diagnostics_json_is_deterministic(employees, employee_margins_path, tmp_path):
    from pipeline.fileio import write_json

    m = load_margins(employee_margins_path)
    a = to_json(weight_frame(employees, m, base_weight="w"), margins_meta=m.meta)
    b = to_json(weight_frame(employees, m, base_weight="w"), margins_meta=m.meta)
    write_json(tmp_path / "a.json", a)
    write_json(tmp_path / "b.json", b)
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    doc = json.loads((tmp_path / "a.json").read_text())
    assert doc["kind"] == "wbm-weighting-diagnostics" and doc["converged"] is True
    assert doc["margins_meta"]["synthetic"] is True


def test_html_report(employees, employee_margins_path, tmp_path):
    m = load_margins(employee_margins_path)
    res = weight_frame(employees, m, base_weight="w", trim=TrimSpec(median_k=2.5))
    out = render_report(res, tmp_path / "r.html", margins_meta=m.meta)
    html = out.read_text()
    # Dutch by default: Dutch words and Dutch numbers (a decimal comma, a point between thousands)
    assert '<html lang="nl">' in html and "Designeffect van de weging (Kish)" in html
    assert "SYNTHETISCH" in html and "Kish design effect" not in html
    d = res.diagnostics
    assert f"{d.kish_deff:.4f}".replace(".", ",") in html
    total = f"{d.total:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    assert total in html and f"{d.total:,.2f}" not in html
    assert "<script" not in html and "http" not in html  # self-contained
    en = render_report(res, tmp_path / "e.html", margins_meta=m.meta, lang="en").read_text()
    assert '<html lang="en">' in en and "Kish design effect" in en and "SYNTHETIC" in en
    assert f"{d.kish_deff:.4f}" in en and f"{d.total:,.2f}" in en


def test_the_report_catalogue_has_every_word_in_both_languages():
    from pipeline.weighting.words import WORDS

    assert set(WORDS) == {"nl", "en"} and WORDS["nl"].keys() == WORDS["en"].keys()
    assert not set(WORDS["nl"]) & set(dir(dict))  # the template reads t.key: no dict method


def test_an_unknown_report_language_is_refused(employees, employee_margins_path, tmp_path):
    from pipeline.errors import UsageError

    m = load_margins(employee_margins_path)
    res = weight_frame(employees, m, base_weight="w")
    with pytest.raises(UsageError, match="'fr'"):
        render_report(res, tmp_path / "r.html", lang="fr")
    assert not (tmp_path / "r.html").exists()


def test_trimming_caps_and_margins_hold(employees, employee_margins_path):
    m = load_margins(employee_margins_path)
    untrimmed = weight_frame(employees, m, base_weight="w")
    k = 2.0
    res = weight_frame(employees, m, base_weight="w", trim=TrimSpec(median_k=k))
    cap = k * np.median(untrimmed.weight)
    assert res.trim_cap == pytest.approx(cap)
    assert res.weight.max() <= cap * (1 + 1e-9)
    assert untrimmed.weight.max() > cap
    assert res.max_error <= 1e-8
    assert any(n.code == "trimmed" for n in res.notices)
    assert res.diagnostics.kish_deff < untrimmed.diagnostics.kish_deff


def test_trim_cap_that_cannot_be_met(employees, employee_margins_path):
    m = load_margins(employee_margins_path)
    mean = 2_600_000 / len(employees)
    res = weight_frame(employees, m, base_weight="w", trim=TrimSpec(cap=mean * 0.9))
    assert any(n.code == "trim_infeasible" for n in res.notices)
    assert res.max_error <= 1e-8  # the margins still hold


def test_methods_agree_on_margins(employees, employee_margins_path):
    m = load_margins(employee_margins_path)
    for method, bounds in [("linear", None), ("logit", (0.2, 5.0)), ("raking", (0.2, 5.0))]:
        res = weight_frame(employees, m, base_weight="w", method=method, bounds=bounds)
        assert res.converged, method
        assert res.max_error <= 1e-9
        if bounds:
            g = res.weight / (employees["w"] * 2_600_000 / employees["w"].sum())
            assert g.min() >= bounds[0] - 1e-9 and g.max() <= bounds[1] + 1e-9


def test_option_errors(employees, employee_margins_path):
    m = load_margins(employee_margins_path)
    with pytest.raises(WeightingError) as exc:
        weight_frame(employees, m, method="logit")
    assert exc.value.code == "bad_bounds"
    with pytest.raises(WeightingError) as exc:
        weight_frame(employees, m, method="ipf")
    assert exc.value.code == "bad_method"
    with pytest.raises(WeightingError) as exc:
        weight_frame(employees, m, base_weight="nope")
    assert exc.value.code == "missing_column"
    bad = employees.assign(w=employees["w"].where(employees.index != 3, -1.0))
    with pytest.raises(WeightingError) as exc:
        weight_frame(bad, m, base_weight="w")
    assert exc.value.code == "bad_weight"
    assert exc.value.problems[0].row == 4  # index 3 is data row 4 (rows count from 1)


def test_non_convergence_notice(employees, employee_margins_path):
    res = weight_frame(employees, load_margins(employee_margins_path), base_weight="w", max_iter=1)
    assert not res.converged
    assert [n.code for n in res.notices] == ["not_converged"]


def test_collapse_rule_merges_sparse_levels_and_logs():
    df = pd.DataFrame({"sex": [1, 2] * 30, "grp": [1] * 25 + [2] * 25 + [3] * 2 + [4] * 8})
    rows = [
        ("sex", "1", 500),
        ("sex", "2", 500),
        ("grp", "1", 300),
        ("grp", "2", 300),
        ("grp", "3", 100),
        ("grp", "4", 300),
    ]
    m = margins_from_rows(rows, collapse=[CollapseRule("grp", 10)])
    res = weight_frame(df, m)
    notes = [n for n in res.notices if n.code == "collapsed"]
    assert len(notes) == 1 and notes[0].details["groups"] == ["3+4"]
    assert res.calibration.labels[1] == ("1", "2", "3+4")
    grp = np.bincount(res.calibration.codes[1], weights=res.weight)
    np.testing.assert_allclose(grp, [300, 300, 400])


def test_diagnose_small():
    d = diagnose(np.array([1.0, 1.0, 2.0, 4.0]))
    assert d.kish_deff == pytest.approx(4 * 22 / 64)
    assert d.largest[0] == (3, 4.0)


def test_kish_deff_is_the_one_the_diagnostics_give():
    from pipeline.weighting.diagnostics import kish_deff

    w = np.array([1.0, 1.0, 2.0, 4.0])
    assert kish_deff(w) == diagnose(w).kish_deff == pytest.approx(4 * 22 / 64)
    assert np.isnan(kish_deff(np.zeros(3)))


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(20, 200))
def test_property_row_order_does_not_change_weights(seed, n):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame(
        {"a": rng.integers(1, 3, n), "b": rng.integers(1, 4, n), "w": rng.uniform(1, 2, n)}
    )
    df.loc[:2, "b"] = [1, 2, 3]
    df.loc[:1, "a"] = [1, 2]
    m = Margins(
        margins_from_rows(
            [("a", "1", 40), ("a", "2", 60), ("b", "1", 20), ("b", "2", 30), ("b", "3", 50)]
        ).margins
    )
    res = weight_frame(df, m, base_weight="w", max_iter=1000)
    perm = rng.permutation(n)
    res2 = weight_frame(df.iloc[perm].reset_index(drop=True), m, base_weight="w", max_iter=1000)
    np.testing.assert_allclose(res2.weight, res.weight[perm], rtol=1e-8)
    assert res.weight.sum() == pytest.approx(100)


def _pushed_case() -> tuple[pd.DataFrame, Margins]:
    """Level a of x: 20 units with base weight 10 and one with 0.5, population 5,000 (untrimmed
    weights ~255 and ~13). Cap 120: fixing the 20 at the cap leaves 2,600 for the one free unit
    (21.7x the cap); the next round has no free unit left in level a, so the cap cannot be met."""
    from pipeline.weighting.margins import Margin

    x = ["a"] * 21 + ["b"] * 60
    z = [1, 2] * 10 + [1] + [1, 2] * 30
    base = [10.0] * 20 + [0.5] + [10.0] * 60
    df = pd.DataFrame({"x": x, "z": z, "b": base})
    m = Margins(
        (
            Margin(("x",), (("a",), ("b",)), (5000.0, 3000.0)),
            Margin(("z",), (("1",), ("2",)), (4100.0, 3900.0)),
        )
    )
    return df, m


def test_an_infeasible_cap_keeps_the_untrimmed_calibrated_weights():
    """Issue 16: an infeasible cap never returns weights worse than untrimmed (before: a partial
    round: largest weight 2,600 = 21.7x the cap, Kish deff 1.76 -> 9.23, exit 0)."""
    df, m = _pushed_case()
    untrimmed = weight_frame(df, m, base_weight="b")
    res = weight_frame(df, m, base_weight="b", trim=TrimSpec(cap=120.0))
    assert untrimmed.weight.max() > 120
    notice = next(n for n in res.notices if n.code == "trim_infeasible")
    assert notice.details["kept_untrimmed"] is True and "untrimmed" in notice.message
    np.testing.assert_array_equal(res.weight, untrimmed.weight)
    assert res.weight.max() <= untrimmed.weight.max()
    assert res.diagnostics.kish_deff == pytest.approx(untrimmed.diagnostics.kish_deff)
    assert not any(n.code == "trimmed" for n in res.notices)
    assert res.max_error <= 1e-8


def test_trim_cap_that_cannot_be_met_is_never_worse_than_untrimmed(
    employees, employee_margins_path
):
    m = load_margins(employee_margins_path)
    untrimmed = weight_frame(employees, m, base_weight="w")
    mean = 2_600_000 / len(employees)
    res = weight_frame(employees, m, base_weight="w", trim=TrimSpec(cap=mean * 0.9))
    assert res.weight.max() <= untrimmed.weight.max() * (1 + 1e-12)
    assert res.diagnostics.kish_deff <= untrimmed.diagnostics.kish_deff * (1 + 1e-12)


def test_notices_are_worded_in_the_reports_language(employees, employee_margins_path, tmp_path):
    """Issue 19: the Dutch report words every notice of the engine from its code and details (no
    English left); the English report keeps the engine's message; diagnostics.json is unchanged."""
    import re

    from pipeline.weighting.words import NOTICES_NL, notice_text

    m = load_margins(employee_margins_path)
    mean = 2_600_000 / len(employees)
    trimmed = weight_frame(employees, m, base_weight="w", trim=TrimSpec(median_k=2.0))
    infeasible = weight_frame(employees, m, base_weight="w", trim=TrimSpec(cap=mean * 0.9))
    df, pm = _pushed_case()
    kept = weight_frame(df, pm, base_weight="b", trim=TrimSpec(cap=120.0))
    seen = set()
    for k, res in enumerate((trimmed, infeasible, kept)):
        nl = render_report(res, tmp_path / f"n{k}.html", margins_meta=m.meta).read_text()
        en = render_report(res, tmp_path / f"e{k}.html", margins_meta=m.meta, lang="en").read_text()
        part = nl[nl.index("<h2>Meldingen</h2>") : nl.index("<h2>Bereikte")]
        assert 'lang="en"' not in part and "In het Engels" not in part, part
        for n in res.notices:
            said = notice_text(n.code, n.details, "nl")
            assert said is not None, n
            assert said in part.replace("&#39;", "'")
            assert n.message in en.replace("&#39;", "'")
            seen.add(n.code)
        cap = re.search(r"plafond ([\d.,]+)", part)
        assert cap is None or "." not in cap.group(1).rstrip(".")  # a decimal comma
    assert {"trimmed", "trim_infeasible"} <= seen <= set(NOTICES_NL)
    detail = next(n for n in kept.notices if n.code == "trim_infeasible")
    assert "niet-afgeknotte gekalibreerde gewichten blijven" in notice_text(
        detail.code, detail.details, "nl"
    )


def test_a_notice_without_words_stays_english_and_is_marked(tmp_path):
    from pipeline.weighting.words import notice_text

    assert notice_text("some_new_code", {}, "nl") is None
    assert notice_text("trimmed", {"cap": 1.5}, "nl") is None  # a detail missing: no guess
    assert notice_text("trimmed", {"cap": 1.5, "n_trimmed": 2, "rounds": 1}, "en") is None
    said = notice_text("trimmed", {"cap": 1234.5, "n_trimmed": 2, "rounds": 1}, "nl")
    assert said == (
        "gewichten afgeknot op het plafond 1234,5: 2; het teveel is herverdeeld door de marges "
        "opnieuw te passen (rondes: 1)"
    )


def test_margin_description_in_dutch(employees, employee_margins_path, tmp_path):
    """Issue 19: the Dutch report describes the margins in Dutch (the target population given by
    the run, the unit from the catalogue); only the file's own source text stays marked English."""
    from pipeline.weighting.words import UNITS_NL

    m = load_margins(employee_margins_path)
    res = weight_frame(employees, m, base_weight="w")
    html = render_report(
        res, tmp_path / "r.html", margins_meta=m.meta, population="werknemers in Vlaanderen"
    ).read_text()
    line = html[html.index("<p>Marges:") : html.index("</p>", html.index("<p>Marges:"))]
    assert "werknemers in Vlaanderen" in line and m.meta.population not in line
    if m.meta.unit in UNITS_NL:
        assert f"({UNITS_NL[m.meta.unit]})" in line
    assert line.count('lang="en"') <= 1  # the source, the file's own words
    en = render_report(res, tmp_path / "e.html", margins_meta=m.meta, lang="en").read_text()
    assert m.meta.population in en and 'lang="en"' not in en.split("<body>")[1][:2000]
