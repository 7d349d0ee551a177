"""Issue 13, finding 7: microdata keys too narrow.

The review found, in the public-use file, hundreds to thousands of sample uniques on keys the
profile did not declare (declared keys + education, declared keys + hours), and every record
unique on the raw answers. The attack is reproduced here on the shared small demo wave: the earlier
public-use protection (the declared key set only, k = 5, hours top-coded, every raw item released)
against the shipped public-use profile (item decisions, banded near-continuous items, identification
scenarios and every combination of at most three attacker variables at k = 5).

Frequencies count suppressed and missing values as wildcards (sdcMicro's convention,
:mod:`pipeline.sdc.microdata.risk`)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pipeline.errors import SpecError
from pipeline.release.build import ReleaseBuild, build_release
from pipeline.sdc.microdata.profile import RELEASES_DIR, load_profile
from pipeline.sdc.microdata.risk import code_keys, frequencies
from pipeline.sdc.microdata.suda import msus

KEYS = ["sector", "sex", "age", "statute", "occupation", "province"]
ATTACKER = ["education", "hours", "abs_days", "abs_spells", "telework", "tw_days", "training"]
GRIDS = ("pv", "wb", "lm", "wp", "wd", "eb", "tv", "au", "ol", "fa")


def _old_profile_text(use: str) -> str:
    """The public-use profile as it was before finding 7 (no item decisions, no bands, no
    attacker combinations; duration_sec dropped), with k = 5 spelt out."""
    text = (RELEASES_DIR / "public-use.yaml").read_text(encoding="utf-8")
    head = text.split("# An explicit decision for every raw item")[0]
    tail = text.split("  key_sets:")[1].split("\n", 1)[1]
    return (
        head.replace("use: public_use", f"use: {use}").replace("name: public-use", "name: old")
        + "drop: [duration_sec, origin]\n"  # origin: never in a public-use file
        + tail
    )


@pytest.fixture(scope="module")
def old(small_run_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> ReleaseBuild:
    """The earlier public-use protection. As a public-use profile it is now refused (below), so
    it is built as a scientific-use profile with the same k and everything else equal."""
    d = tmp_path_factory.mktemp("old")
    prof = d / "old.yaml"
    prof.write_text(_old_profile_text("scientific_use"), encoding="utf-8")
    return build_release(small_run_dir, prof, d / "rel", pdf=False)


def _fk(frame: pd.DataFrame, cols: list[str]) -> np.ndarray:
    codes = code_keys({c: frame[c].to_numpy(dtype=np.float64) for c in cols}, cols)
    return frequencies(codes)[0]


def _raw_columns(frame: pd.DataFrame) -> list[str]:
    q_items = [
        "working",
        "sex",
        "age",
        "sector",
        "statute",
        "province",
        "occupation",
        "education",
        "hours",
        "telework",
        "tw_days",
        "abs_spells",
        "abs_days",
        "training",
        "retire",
    ]
    grid_items = [c for c in frame.columns if str(c)[:2] in GRIDS and str(c)[2:].isdigit()]
    return [c for c in q_items if c in frame.columns] + grid_items


def test_before_the_undeclared_keys_single_people_out(old: ReleaseBuild) -> None:
    f = old.result.frame
    assert (_fk(f, KEYS) >= 5).all()  # the declared key set was k-anonymous
    edu, hours = _fk(f, [*KEYS, "education"]), _fk(f, [*KEYS, "hours"])
    assert (edu == 1).sum() > 100 and (hours == 1).sum() > 500
    raw = _fk(f, _raw_columns(f))
    assert (raw == 1).all()  # every record unique on its raw answers
    # special uniques on at most three attacker facts
    attack = KEYS + ATTACKER
    found = msus(
        code_keys({c: f[c].to_numpy(float) for c in attack}, attack), attack, k=5, max_size=3
    )
    assert found.records > 50


def test_after_no_record_is_below_k_on_any_attacker_combination(pub: ReleaseBuild) -> None:
    f = pub.result.frame
    for cols in (KEYS, [*KEYS, "education"], [*KEYS, "hours"]):
        assert (_fk(f, cols) >= 5).all(), cols
    attack = KEYS + ATTACKER
    codes = code_keys({c: f[c].to_numpy(float) for c in attack}, attack)
    assert msus(codes, attack, k=5, max_size=3).found == ()
    rep = pub.result.report.combinations
    assert rep is not None and rep.records_after == 0 and rep.uniques_after == 0
    assert rep.records_before > 0  # the check had work to do


def test_after_the_raw_answers_no_longer_make_every_record_unique(pub: ReleaseBuild) -> None:
    f = pub.result.frame
    assert not any(str(c)[:2] in GRIDS and str(c)[2:].isdigit() for c in f.columns)
    raw = _fk(f, _raw_columns(f))
    assert (raw == 1).mean() < 0.9
    # near-continuous items come in bands only
    for col, top in (("hours", 6), ("tw_days", 3), ("abs_spells", 3), ("abs_days", 5)):
        values = f[col].to_numpy(float)
        assert set(np.unique(values[values >= 0])) <= set(range(0, top + 1)), col


def test_the_old_profile_is_refused_in_public_use(tmp_path: Path, q) -> None:
    from pipeline.sdc.microdata.plan import require_valid

    prof = tmp_path / "old.yaml"
    prof.write_text(_old_profile_text("public_use"), encoding="utf-8")
    with pytest.raises(SpecError) as exc:
        require_valid(load_profile(prof), q)
    problems = exc.value.problems
    missing = {p.value for p in problems if p.code == "item_decision_missing"}
    assert {"hours", "education", "abs_days", "pv01"} <= missing
    assert all(p.path == "items" for p in problems if p.code == "item_decision_missing")


def test_a_misspelt_or_raw_continuous_decision_is_a_located_error(tmp_path: Path, q) -> None:
    from pipeline.sdc.microdata.plan import require_valid

    text = (RELEASES_DIR / "public-use.yaml").read_text(encoding="utf-8")
    text = text.replace("occupation, education, telework", "occupation, eduction, telework")
    text = text.replace("banded: [age, hours,", "banded: [age,").replace(
        "released: [working,", "released: [hours, working,"
    )
    prof = tmp_path / "typo.yaml"
    prof.write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as exc:
        require_valid(load_profile(prof), q)
    by_code = {p.code: p for p in exc.value.problems}
    assert by_code["unknown_variable"].path == "items.released[7]"
    assert "did you mean 'education'?" in (by_code["unknown_variable"].hint or "")
    assert by_code["item_decision_missing"].value == "education"
    assert "did you mean 'education'?" in (by_code["item_decision_missing"].hint or "")
    assert by_code["continuous_item_released"].value == "hours"
    assert by_code["item_decision_conflict"].value == "hours"  # it still has bands
