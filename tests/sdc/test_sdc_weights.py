"""Weight linkage and the release weights: raked weights give hidden values of the weighting
variables back; weights recalibrated on the released values give nothing back and keep every
released category's weighted total."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import DisclosureError
from pipeline.sdc.microdata.api import anonymise
from pipeline.sdc.microdata.linkage import function_of_release, weight_linkage
from pipeline.sdc.microdata.profile import load_profile
from pipeline.sdc.microdata.weights import proxy_weights, released_margin_weights
from pipeline.weighting.diagnostics import kish_deff


def _raked(rng: np.random.Generator, cols: dict[str, np.ndarray]) -> np.ndarray:
    """A weight of the raking form: one factor per level of each variable."""
    w = np.full(len(next(iter(cols.values()))), 100.0)
    for x in cols.values():
        levels = np.unique(x)
        f = dict(zip(levels, rng.uniform(0.5, 2.0, size=len(levels)), strict=True))
        w = w * np.array([f[v] for v in x])
    return w


def _cells(cols: dict[str, np.ndarray], rows: list[tuple[int, str]], code: float = -5.0):
    released = {k: v.copy() for k, v in cols.items()}
    cells = []
    for r, var in rows:
        cells.append((r, var, float(cols[var][r])))
        released[var][r] = code
    return released, cells


@pytest.fixture(scope="module")
def toy():
    rng = np.random.default_rng(4)
    n = 400
    cols = {
        "sex": rng.integers(1, 3, n).astype(float),
        "region": rng.integers(1, 6, n).astype(float),
        "age": rng.integers(1, 5, n).astype(float),
    }
    return cols, _raked(rng, cols)


def test_the_raking_model_gives_suppressed_values_back(toy):
    cols, w = toy
    rows = [(i, "region") for i in range(0, 60, 3)] + [(i, "age") for i in range(1, 60, 3)]
    released, cells = _cells(cols, rows)
    wl = weight_linkage(w, released, ["sex", "region", "age"], suppressed=cells, perturbed=[])
    assert wl.model_fits and not wl.function_of_release
    assert (
        wl.suppressed_cells == len(rows)
        and wl.model_recoverable == len(rows) == wl.recoverable_cells
    )
    assert wl.recoverable_share == 1.0


def test_same_weight_records_give_a_value_back_without_any_model(toy):
    cols, _w = toy
    # post-stratification-like weights: one arbitrary number per full cell, not additive in log
    cell = cols["sex"] * 100 + cols["region"] * 10 + cols["age"]
    rng = np.random.default_rng(9)
    value = dict(zip(np.unique(cell), rng.uniform(10, 90, np.unique(cell).shape[0]), strict=True))
    w = np.array([value[c] for c in cell])
    sizes = pd.Series(cell).map(pd.Series(cell).value_counts()).to_numpy()
    rows = [(int(i), "region") for i in np.flatnonzero(sizes >= 3)[:10]]
    released, cells = _cells(cols, rows)
    wl = weight_linkage(w, released, ["sex", "region", "age"], suppressed=cells, perturbed=[])
    assert not wl.model_fits and wl.model_recoverable == 0
    assert wl.same_weight_recoverable == len(rows)


def test_pram_changed_values_are_protected_cells_too(toy):
    cols, w = toy
    released = {k: v.copy() for k, v in cols.items()}
    changed = [(i, "region", float(cols["region"][i])) for i in range(0, 100, 10)]
    for r, _v, x in changed:
        released["region"][r] = 1.0 if x != 1.0 else 2.0
    wl = weight_linkage(
        w,
        released,
        ["sex", "region", "age"],
        suppressed=[],
        perturbed=changed,
        pram_variables=["region"],
    )
    assert wl.perturbed_cells == len(changed) and wl.model_recoverable == len(changed)


def test_released_margin_weights_give_nothing_back_and_keep_the_released_totals(toy):
    cols, w = toy
    rows = [(i, "region") for i in range(0, 90, 3)] + [(i, "sex") for i in range(2, 40, 7)]
    released, cells = _cells(cols, rows)
    new, info, notices = released_margin_weights(
        w, released, ["sex", "region", "age"], min_count=20
    )
    assert info.converged and not notices
    assert new.sum() == pytest.approx(w.sum(), rel=1e-12)
    small = released["sex"] == -5  # 6 records: fewer than min_count, their own weights are not used
    assert info.small_records == small.sum() == 6
    proxy = np.where(small, w.mean(), w) * (w.sum() / np.where(small, w.mean(), w).sum())
    np.testing.assert_allclose(
        proxy_weights(w, released, ["sex", "region", "age"], min_count=20), proxy
    )
    for v in ("sex", "region", "age"):
        for level in np.unique(
            released[v]
        ):  # every released category gets the total of the proxy weights
            m = released[v] == level
            assert new[m].sum() == pytest.approx(proxy[m].sum(), rel=1e-8)
    assert 0 < info.max_margin_error < 0.05  # only the 6 records' own weights were not used
    assert function_of_release(new, released, ["sex", "region", "age"])
    wl = weight_linkage(new, released, ["sex", "region", "age"], suppressed=cells, perturbed=[])
    assert wl.recoverable_cells == 0 and wl.function_of_release
    assert (
        info.kish_after == pytest.approx(kish_deff(new)) and info.ratio_min <= 1.0 <= info.ratio_max
    )


def test_public_use_recalibrates_and_meets_its_linkage_limit(frame, q):
    r = anonymise(frame, q, load_profile("public-use"), seed=8)
    rep = r.report
    assert rep.weights is not None and rep.weights.method == "released_margins"
    before, after = rep.weight_linkage_original, rep.weight_linkage
    assert before is not None and after is not None
    assert before.recoverable_cells > 0  # the raked weights would have given values back
    assert after.recoverable_cells == 0 and after.function_of_release
    assert after.protected_cells == before.protected_cells > 0
    w = r.frame["weight"].to_numpy()
    assert w.sum() == pytest.approx(frame["weight"].sum(), rel=1e-9)
    assert r.frame["weight_normalised"].mean() == pytest.approx(1.0)
    assert (
        rep.weights.max_margin_error < 0.05
    )  # released categories keep their totals up to the small ones
    assert rep.weight_estimates and all(
        abs(e.diff) < 0.05 for e in rep.weight_estimates if e.by == ""
    )
    assert not any(n.code == "weight_linkage" for n in rep.notices)
    d = rep.external_dict(min_n=30)
    assert (
        d["weight_linkage"]["recoverable_share"] == 0.0
        and d["weight_linkage_original"]["recoverable_share"] > 0
    )
    assert all(
        e["n_before"] >= 30 and e["n_after"] >= 30
        for e in d["information_loss"]["estimates"]
        if e["by"]
    )


def test_scientific_use_keeps_the_weights_and_reports_the_linkage(frame, q):
    r = anonymise(frame, q, load_profile("scientific-use"), seed=8)
    rep = r.report
    assert (
        rep.weights is not None
        and rep.weights.method == "original"
        and rep.weight_linkage_original is None
    )
    np.testing.assert_array_equal(
        np.sort(r.frame["weight"].to_numpy()), np.sort(frame["weight"].to_numpy())
    )
    wl = rep.weight_linkage
    assert (
        wl is not None and wl.model_fits and wl.recoverable_share == 1.0
    )  # the fixture's weights are raked
    assert any(n.code == "weight_linkage" for n in rep.notices)


def test_a_linkage_limit_refuses_the_release(frame, q):
    p = load_profile("scientific-use")
    strict = p.model_copy(update={"weights": p.weights.model_copy(update={"max_linkage": 0.05})})
    with pytest.raises(DisclosureError) as exc:
        anonymise(frame, q, strict, seed=8)
    assert (
        exc.value.code == "weight_linkage_too_high"
        and exc.value.problems[0].path == "weights.max_linkage"
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(n=st.integers(5, 120), seed=st.integers(0, 2**20), share=st.floats(0.0, 0.6))
def test_released_margin_weights_are_a_function_of_the_release(n, seed, share):
    rng = np.random.default_rng(seed)
    cols = {"a": rng.integers(1, 4, n).astype(float), "b": rng.integers(1, 6, n).astype(float)}
    w = _raked(rng, cols)
    hide = [(int(i), "b") for i in np.flatnonzero(rng.random(n) < share)]
    released, cells = _cells(cols, hide)
    new, info, _ = released_margin_weights(w, released, ["a", "b"])
    assert function_of_release(new, released, ["a", "b"])
    assert new.sum() == pytest.approx(w.sum(), rel=1e-9)
    wl = weight_linkage(new, released, ["a", "b"], suppressed=cells, perturbed=[])
    assert wl.recoverable_cells == 0


RELEASED_WEIGHTING = ["sex", "age_band", "sector", "statute"]


def _without_province(**update):
    p = load_profile("scientific-use")
    return p.model_copy(
        update={
            "drop": ("province",),
            "key_variables": ("sex", "age", "sector", "statute", "occupation"),
            "importance": ("sector", "sex", "age", "statute", "occupation"),
            **update,
        }
    )


def test_original_weights_without_a_weighting_variable_are_refused(frame, q):
    """Original raked weights with province left out (a reviewer's scientific-use profile): within
    every group of the released weighting values the weight still takes one value per province, so
    province can be read back. Refused, whether it is dropped or missing from a keep list."""
    assert (
        frame.groupby(RELEASED_WEIGHTING)["weight"].nunique().max() > 1
    )  # the weight tells provinces apart
    p = load_profile("scientific-use")
    keys = ["sex", "age", "sector", "statute", "province", "occupation"]
    cases = [
        (_without_province(), "province", "remove it from 'drop'"),
        (
            p.model_copy(update={"keep": (*keys, "weight", "werkbaar_werk")}),
            "age_band",
            "add it to 'keep'",
        ),
    ]
    for prof, missing, fix in cases:
        with pytest.raises(DisclosureError) as exc:
            anonymise(frame, q, prof, seed=8)
        err = exc.value
        assert err.code == "weighting_variable_not_released" and missing in err.message
        (problem,) = err.problems
        assert problem.value == missing and problem.path == "weights.method"
        assert (
            problem.hint is not None
            and fix in problem.hint
            and "weights.method: released_margins" in problem.hint
        )


def test_released_margins_count_an_unreleased_weighting_variable_as_hidden(frame, q):
    p = load_profile("scientific-use")
    prof = _without_province(weights=p.weights.model_copy(update={"method": "released_margins"}))
    r = anonymise(frame, q, prof, seed=8)
    rep = r.report
    assert rep.weights is not None and rep.weights.variables == tuple(RELEASED_WEIGHTING)
    hidden = int((frame["province"] >= 0).sum())
    for wl in (rep.weight_linkage, rep.weight_linkage_original):
        assert wl is not None and wl.variables == tuple(RELEASED_WEIGHTING)
        assert wl.unreleased == ("province",) and wl.unreleased_cells == hidden
        assert wl.protected_cells == wl.suppressed_cells + wl.perturbed_cells + hidden
    assert rep.weight_linkage is not None and rep.weight_linkage.function_of_release
    assert rep.weight_linkage.recoverable_cells == 0
    # the released weight no longer tells the provinces apart
    assert r.frame.groupby(RELEASED_WEIGHTING, dropna=False)["weight"].nunique().max() == 1
    d = rep.external_dict(min_n=30)
    assert (
        d["weight_linkage"]["unreleased"] == ["province"]
        and d["weight_linkage"]["unreleased_cells"] == hidden
    )


def test_release_weights_forward_the_raking_notices_and_code_each_variable_once(frame, monkeypatch):
    import pipeline.sdc.microdata.weights as sw

    calls: list[int] = []
    codes = sw._codes
    monkeypatch.setattr(sw, "_codes", lambda x: calls.append(1) or codes(x))
    monkeypatch.setattr(sw, "MAX_ITER", 1)  # one sweep cannot meet five margins
    released = {
        v: frame[v].to_numpy(dtype=float)
        for v in ["sex", "age_band", "sector", "statute", "province"]
    }
    new, info, notices = sw.released_margin_weights(
        frame["weight"].to_numpy(), released, list(released), min_count=20
    )
    assert len(calls) == len(released)  # the codes of each variable are computed once
    assert not info.converged and info.iterations == 1
    (note,) = notices
    assert note.code == "release_weights_not_converged" and note.message.startswith(
        "recalibrating the release weights: "
    )
    assert (
        note.details["iterations"] == 1 and note.details["tol"] == sw.TOL
    )  # rake's own notice, forwarded
