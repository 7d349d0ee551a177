"""Property tests of the release step on random questionnaires and frames:

- no variable whose role is a direct identifier, no id variable and no free text ever survives,
  in the released frame and in the written files (.sav, .dta, .csv: columns and bytes);
- every combination of the key variables (suppressed and missing values as wildcards) occurs at least
  k times after the release step;
- suppression never touches a non-key variable; key values are either the (recoded) original or the
  suppressed code.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from pipeline.errors import DisclosureError
from pipeline.questionnaire.model import Questionnaire
from pipeline.sdc.microdata.api import anonymise
from pipeline.sdc.microdata.profile import parse_profile
from pipeline.sdc.microdata.risk import code_keys, frequencies_pairwise

POOL = (
    "sex",
    "age",
    "region",
    "sector",
    "job",
    "edu",
    "email",
    "name",
    "addr",
    "nrn",
    "note",
    "hours",
    "q1",
    "q2",
    "q3",
    "x",
    "weight2",
    "release",
    "key",
    "idx",
    "comment",
    "score_a",
    "tl_b",
    "w",
)
KINDS = (
    "key",
    "key",
    "key_mapped",
    "ident_single",
    "ident_int",
    "text",
    "text_sensitive",
    "single",
    "integer",
)


def _choices(k: int) -> list[dict[str, Any]]:
    return [{"code": c, "label": {"nl": f"c{c}"}} for c in range(1, k + 1)]


@st.composite
def cases(draw: st.DrawFn) -> dict[str, Any]:
    n_items = draw(st.integers(2, 8))
    item_names = draw(
        st.lists(st.sampled_from(POOL), min_size=n_items, max_size=n_items, unique=True)
    )
    kinds = draw(st.lists(st.sampled_from(KINDS), min_size=n_items, max_size=n_items))
    if "key" not in kinds and "key_mapped" not in kinds:
        kinds[0] = "key"
    items: list[dict[str, Any]] = [
        {
            "name": "pid",
            "type": "text",
            "role": "direct_identifier",
            "label": {"nl": "id"},
            "missing": [],
        },
        {"name": "rowtag", "type": "integer", "label": {"nl": "tag"}},
    ]
    spec: dict[str, tuple[str, int]] = {}
    for name, kind in zip(item_names, kinds, strict=True):
        ncat = draw(st.integers(2, 4))
        item: dict[str, Any] = {"name": name, "label": {"nl": name}}
        if kind in ("key", "key_mapped", "ident_single", "single"):
            item |= {"type": "single", "choices": _choices(ncat)}
        elif kind in ("ident_int", "integer"):
            item |= {"type": "integer"}
        else:
            item |= {"type": "text", "missing": [-9]}
        if kind.startswith("key"):
            item["role"] = "key"
        if kind.startswith("ident"):
            item["role"] = "direct_identifier"
        if kind == "text_sensitive":
            item["role"] = "sensitive"
        if kind == "key_mapped":
            item["release"] = {
                "map": [[c, (c + 1) // 2] for c in range(1, ncat + 1)],
                "map_labels": _choices((ncat + 1) // 2),
            }
        items.append(item)
        spec[name] = (kind, ncat)
    q = Questionnaire.model_validate(
        {
            "study": {
                "id": "prop",
                "title": {"nl": "p"},
                "wave": 2023,
                "population": "werknemers",
                "target_population": {"nl": "t"},
                "modes": ["web"],
                "id_variable": "pid",
                "version": "t",
            },
            "items": items,
        }
    )
    n = draw(st.integers(1, 40))
    seed = draw(st.integers(0, 2**20))
    rng = np.random.default_rng(seed)
    cols: dict[str, Any] = {
        "pid": [f"PID-{seed}-{i:04d}-X" for i in range(n)],
        "rowtag": np.arange(n, dtype=float),
    }
    for name, (kind, ncat) in spec.items():
        if kind in ("text", "text_sensitive"):
            cols[name] = pd.array(
                [f"FREETEXT-{name}-{i:04d}-Z" if rng.random() < 0.5 else None for i in range(n)],
                dtype="string",
            )
        elif kind in ("ident_int", "integer"):
            cols[name] = rng.integers(0, 1000, n).astype(float)
        else:
            x = rng.integers(1, ncat + 1, n).astype(float)
            x[rng.random(n) < 0.1] = -9.0
            cols[name] = x
    weighted = draw(st.booleans())
    if weighted:
        cols["weight"] = rng.uniform(1, 80, n)
    use = draw(st.sampled_from(["public_use", "scientific_use"]))
    categorical = [n for n, (kind, _) in spec.items() if kind in ("key", "key_mapped", "single")]
    numeric = [n for n, (kind, _) in spec.items() if kind == "integer"]
    tag_bands = [{"low": i, "high": i, "code": i, "label": {"nl": str(i)}} for i in range(41)]
    decisions = (
        {  # a public-use profile decides for every raw item; the row tag stays exact in bands of 1
            "items": {"released": categorical, "banded": ["rowtag"], "dropped": numeric},
            "bands": [{"variable": "rowtag", "bands": tag_bands}],
        }
        if use == "public_use"
        else {}
    )
    profile = parse_profile(
        {
            **decisions,
            "name": "prop",
            "use": use,
            "k": draw(st.integers(2, 5)),
            "title": {"nl": "t"},
            "conditions_of_use": {"nl": "c"},
            "citation": {"nl": "c"},
        }
    )
    return {
        "q": q,
        "frame": pd.DataFrame(cols),
        "profile": profile,
        "spec": spec,
        "weight": "weight" if weighted else None,
        "seed": seed,
    }


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_release_properties(case):
    q, frame, profile, spec = case["q"], case["frame"], case["profile"], case["spec"]
    if len(frame) < profile.k:
        with pytest.raises(DisclosureError):
            anonymise(frame, q, profile, weight=case["weight"], seed=case["seed"])
        return
    r = anonymise(frame, q, profile, weight=case["weight"], seed=case["seed"])
    out = r.frame
    event("suppressed" if r.suppression_log else "nothing suppressed")

    # 1. never a direct identifier, the id variable or free text
    forbidden = {"pid"} | {
        name
        for name, (kind, _) in spec.items()
        if kind.startswith("ident") or kind.startswith("text")
    }
    assert not forbidden & set(out.columns)
    for it in q.items:
        if it.role.value == "direct_identifier" or it.type.value == "text":
            assert it.name not in out.columns

    # 2. every key combination meets k (wildcard semantics), counted independently
    keys = r.report.keys
    assert set(keys) == {name for name, (kind, _) in spec.items() if kind.startswith("key")}
    fk, _ = frequencies_pairwise(code_keys({k: out[k].to_numpy(float) for k in keys}, keys))
    assert (fk >= profile.k).all()

    # 3./4. line rows up by the unique row tag
    rel = out.set_index("rowtag").loc[frame["rowtag"]].reset_index()
    for name, (kind, _) in spec.items():
        if name not in out.columns:
            continue
        before = frame[name].to_numpy(float)
        after = rel[name].to_numpy(float)
        if kind == "key_mapped":
            before = np.where(before > 0, np.ceil(before / 2), before)
        if kind.startswith("key"):
            same = (after == before) | (np.isnan(after) & np.isnan(before))
            supp = after == profile.suppressed_code
            assert (same | supp).all()
            assert (before[supp] >= 0).all()  # only substantive values are suppressed
        else:
            np.testing.assert_array_equal(after, before)
    n_log = sum(1 for s in r.suppression_log if not s.linked)
    assert (
        n_log
        == r.report.suppressed_total
        == int(sum((out[k] == profile.suppressed_code).sum() for k in keys))
    )
    assert all(not math.isnan(s.original) for s in r.suppression_log)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=cases())
def test_written_release_files_hold_no_identifier_or_free_text_and_meet_k(case):
    """The files, not just the frame: read back, no forbidden column or value, and k holds on the
    key values as the .sav has them."""
    import tempfile
    from pathlib import Path

    import pyreadstat

    from pipeline.release.sav import write_sav
    from pipeline.release.stata import write_dta
    from pipeline.release.table import release_table
    from pipeline.release.tabular import write_csv

    q, frame, profile, spec = case["q"], case["frame"], case["profile"], case["spec"]
    if len(frame) < profile.k:
        return
    r = anonymise(frame, q, profile, weight=case["weight"], seed=case["seed"])
    table = release_table(r, q)
    forbidden = {"pid"} | {
        name
        for name, (kind, _) in spec.items()
        if kind.startswith("ident") or kind.startswith("text")
    }
    textual = {"pid"} | {name for name, (kind, _) in spec.items() if kind.startswith("text")}
    secrets = [
        str(v).encode() for name in textual for v in frame[name].dropna()
    ]  # distinctive strings
    with tempfile.TemporaryDirectory() as tmp:
        d = Path(tmp)
        paths = [
            write_sav(table, d / "r.sav", file_label="prop"),
            write_dta(table, d / "r.dta", file_label="prop"),
            write_csv(table, d / "r.csv")[0],
        ]
        sav, _meta = pyreadstat.read_sav(str(paths[0]), user_missing=True)
        dta, _ = pyreadstat.read_dta(str(paths[1]))
        csv = pd.read_csv(paths[2])
        for cols in (sav.columns, dta.columns, csv.columns):
            assert not forbidden & set(cols)
        for p in paths:
            blob = p.read_bytes()
            assert not any(s in blob for s in secrets), p.name
    keys = r.report.keys
    fk, _ = frequencies_pairwise(code_keys({k: sav[k].to_numpy(float) for k in keys}, keys))
    assert (fk >= profile.k).all()
