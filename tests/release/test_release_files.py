"""The files of a release: all there, checksummed, byte-identical on rerun, the same numbers in every
format, labels and missing codes as documented, and never an identifier, a sample id or free text."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import cast

import frictionless  # a test dependency (pyproject [test])
import numpy as np
import pandas as pd
import pyreadstat
import pytest

from pipeline.release.build import ReleaseBuild
from pipeline.release.checksums import verify
from pipeline.release.stata import missing_letters, stata_names
from pipeline.rundata import layout

STEM = "wbm-werknemers-2023-scientific-use"
FORBIDDEN_COLUMNS = {
    "sample_id",
    "comment",
    "_record_id",
    "_source_file",
    "_source_row",
    "_flags",
    "_item_nonresponse",
}


def _text_of(path: Path) -> bytes:
    if path.suffix == ".pdf":  # page streams are compressed: look at the text
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True).stdout
    return path.read_bytes()


def test_the_release_has_every_file_and_the_manifest_checks(sci: ReleaseBuild):
    names = sorted(p.name for p in sci.out_dir.iterdir())
    assert names == sorted(
        [
            f"{STEM}.sav",
            f"{STEM}.dta",
            f"{STEM}.csv",
            "datapackage.json",
            f"{STEM}.codebook.html",
            "risk_report.html",
            "risk_report.json",
            "README.md",
            "manifest.json",
        ]
    )
    manifest = json.loads((sci.out_dir / "manifest.json").read_text())
    assert {f["path"] for f in manifest["files"]} == set(names) - {"manifest.json"}
    for f in manifest["files"]:  # recomputed independently of the pipeline's helper
        data = (sci.out_dir / f["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == f["sha256"] and len(data) == f["bytes"]
    assert verify(sci.out_dir) == ()
    assert manifest["profile"] == "scientific-use" and manifest["records"] == len(sci.table.frame)


def test_verify_finds_a_changed_file(sci: ReleaseBuild, tmp_path: Path):
    copy = tmp_path / "copy"
    shutil.copytree(sci.out_dir, copy)
    (copy / "README.md").write_text("changed", encoding="utf-8")
    (copy / "extra.txt").write_text("x", encoding="utf-8")
    assert {(m.path, m.problem) for m in verify(copy)} == {
        ("README.md", "changed"),
        ("extra.txt", "unlisted"),
    }


def test_the_outputs_stage_and_wbm_release_give_the_same_bytes(
    sci: ReleaseBuild, sci_dir: Path, small_run_dir: Path, tmp_path: Path
):
    """Same run and profile, built twice (by the outputs stage and again, both in Dutch, the
    default): byte-identical files. In English (``sci``) the documents and the SPSS/Stata labels
    differ, the machine-readable files do not."""
    from pipeline.release.build import build_release

    stage = {p.name: p.read_bytes() for p in sci_dir.iterdir()}
    nl = build_release(small_run_dir, "scientific-use", tmp_path / "nl", pdf=False)
    again = {p.name: p.read_bytes() for p in nl.out_dir.iterdir()}
    assert stage.keys() == again.keys()
    for name in stage:
        assert stage[name] == again[name], name
    en = {p.name: p.read_bytes() for p in sci.out_dir.iterdir()}
    assert en.keys() == stage.keys()
    same = {f"{STEM}.csv", "risk_report.json"}
    for name in stage:
        assert (en[name] == stage[name]) == (name in same), name


def test_the_release_is_dutch_by_default_and_english_on_request(sci: ReleaseBuild, sci_dir: Path):
    readme = (sci_dir / "README.md").read_text(encoding="utf-8")
    for heading in ("Gebruiksvoorwaarden", "Bronvermelding", "Bestanden", "Gewichten"):
        assert f"## {heading}" in readme, heading
    assert "## Onthullingscontrole" in readme and "Conditions of use" not in readme
    assert re.search(r"\b\d\.\d{3} records, \d+ variabelen", readme)  # 2.826 records
    en = (sci.out_dir / "README.md").read_text(encoding="utf-8")
    assert "## Conditions of use" in en and "## Disclosure control" in en
    assert re.search(r"\b\d,\d{3} records, \d+ variables", en)
    codebook = (sci_dir / f"{STEM}.codebook.html").read_text(encoding="utf-8")
    assert '<html lang="nl">' in codebook and "Codes zonder inhoudelijke waarde" in codebook
    # the SPSS and Stata labels follow the language
    _df, meta = pyreadstat.read_sav(str(sci_dir / f"{STEM}.sav"), metadataonly=True)
    _df, meta_en = pyreadstat.read_sav(str(sci.out_dir / f"{STEM}.sav"), metadataonly=True)
    labels = dict(zip(meta.column_names, meta.column_labels, strict=True))
    labels_en = dict(zip(meta_en.column_names, meta_en.column_labels, strict=True))
    assert labels["weight"] == "gewicht (gekalibreerd op populatietotalen)"
    assert labels_en["weight"] == "weight (calibrated to population totals)"
    _df, dta = pyreadstat.read_dta(str(sci_dir / f"{STEM}.dta"), metadataonly=True)
    assert dict(zip(dta.column_names, dta.column_labels, strict=True))["weight"] == labels["weight"]


@pytest.mark.parametrize("which", ["sci", "pub"])
def test_no_identifier_sample_id_or_free_text_in_any_file(which, request, secrets):
    b: ReleaseBuild = request.getfixturevalue(which)
    files = list(b.out_dir.iterdir())
    blobs = {p.name: _text_of(p) for p in files}
    for name, blob in blobs.items():
        for sid in secrets.sample_ids[::7]:
            assert sid.encode() not in blob, (name, sid)
        for comment in secrets.comments:
            assert comment.encode() not in blob, (name, comment)
        for rid in secrets.record_ids[::97]:
            assert rid.encode() not in blob, (name, rid)
    assert not FORBIDDEN_COLUMNS & set(b.table.frame.columns)
    sav, meta = pyreadstat.read_sav(str(b.sav), metadataonly=True)
    assert not FORBIDDEN_COLUMNS & set(meta.column_names)
    csv_header = (
        (b.out_dir / b.sav.name.replace(".sav", ".csv")).read_text().splitlines()[0].split(",")
    )
    assert not FORBIDDEN_COLUMNS & set(csv_header) and csv_header[0] == "release_id"


def test_sav_has_the_numbers_labels_missing_codes_and_measures(sci: ReleaseBuild, q):
    df, meta = pyreadstat.read_sav(str(sci.sav), user_missing=True)
    t = sci.table
    assert list(df.columns) == [v.name for v in t.variables]
    for v in t.variables:
        np.testing.assert_array_equal(
            df[v.name].to_numpy(dtype=float), t.values(v.name), err_msg=v.name
        )
    assert meta.file_label == "wbm-werknemers-2023 scientific-use"
    labels = meta.column_names_to_labels
    assert (
        labels["sex"] == q.item("sex").label.en
        and labels["werkbaar_werk"] == q.indicator("werkbaar_werk").label.en
    )
    assert all(labels[c] for c in meta.column_names)
    assert meta.missing_ranges["province"] == [{"lo": -9.0, "hi": -1.0}]  # includes -5, suppressed
    vl = meta.variable_value_labels
    assert vl["province"][-5] == "suppressed for confidentiality" and vl["sex"][-9] == "no answer"
    assert vl["age"][5] == "55 and over" and vl["hours"][50] == "50 or more"
    assert meta.variable_measure["sex"] == "nominal" and meta.variable_measure["age"] == "ordinal"
    assert (
        meta.variable_measure["weight"] == "scale"
        and meta.variable_measure["score_werkdruk"] == "scale"
    )
    assert df["release_id"].tolist() == list(range(1, len(df) + 1))
    assert (df["province"] == -5).sum() == dict(sci.result.report.suppressed)["province"] > 0


def test_dta_has_extended_missing_values_and_labels(sci: ReleaseBuild):
    t = sci.table
    path = sci.out_dir / f"{STEM}.dta"
    df, meta = pyreadstat.read_dta(str(path), user_missing=True)
    names = stata_names([v.name for v in t.variables])
    letters = missing_letters(t)
    assert letters == {-1: "a", -7: "b", -8: "c", -9: "d", -5: "s"}
    assert list(df.columns) == [names[v.name] for v in t.variables]
    assert all(len(n) <= 32 for n in df.columns)
    for v in t.variables:
        x = t.values(v.name)
        got = df[names[v.name]]
        codes = {c: letters[c] for c, _ in v.missing}
        expect = [letters[int(a)] if a in codes else a for a in x]
        for a, b in zip(got.tolist(), expect, strict=True):
            assert (
                isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b)
            ) or a == b, (v.name, a, b)
    # pyreadstat types value-label keys as numbers; Stata's extended missing values are letters
    labels = cast("dict[str, dict[object, str]]", meta.variable_value_labels)
    assert labels[names["province"]]["s"] == "suppressed for confidentiality"
    assert labels[names["sex"]]["d"] == "no answer"
    # Stata has no per-variable declaration: ReadStat reports the letters that occur
    assert "s" in meta.missing_user_values[names["province"]]
    # an independent reader: pandas sees the extended missing values as Stata missing values
    pdf = pd.read_stata(path, convert_missing=True, convert_categoricals=False)
    miss = pdf[names["province"]].map(lambda v: getattr(v, "string", None))
    assert (miss == ".s").sum() == (t.values("province") == -5).sum() > 0


def test_csv_and_datapackage(sci: ReleaseBuild):
    csv = pd.read_csv(sci.out_dir / f"{STEM}.csv")
    t = sci.table
    for v in t.variables:
        np.testing.assert_array_equal(
            csv[v.name].to_numpy(dtype=float), t.values(v.name), err_msg=v.name
        )
    pkg = json.loads((sci.out_dir / "datapackage.json").read_text())
    fields = {f["name"]: f for f in pkg["resources"][0]["schema"]["fields"]}
    assert list(fields) == [v.name for v in t.variables]
    assert fields["province"]["missingValues"] == ["-1", "-7", "-8", "-9", "-5", ""]
    assert fields["sex"]["categories"] == [
        {"value": 1, "label": "man"},
        {"value": 2, "label": "woman"},
    ]
    assert fields["weight"]["type"] == "number" and fields["sex"]["type"] == "integer"
    report = frictionless.validate(str(sci.out_dir / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]


def test_a_value_outside_the_declared_codes_fails_frictionless(sci: ReleaseBuild, tmp_path: Path):
    copy = tmp_path / "copy"
    shutil.copytree(sci.out_dir, copy)
    lines = (copy / f"{STEM}.csv").read_text().splitlines()
    head = lines[0].split(",")
    row = lines[1].split(",")
    row[head.index("sex")] = "7"  # not a sex code
    lines[1] = ",".join(row)
    (copy / f"{STEM}.csv").write_text("\n".join(lines) + "\n")
    assert not frictionless.validate(str(copy / "datapackage.json")).valid


def test_readme_says_conditions_citation_and_the_residual_risk(
    sci: ReleaseBuild, pub: ReleaseBuild
):
    text = (sci.out_dir / "README.md").read_text()
    assert "## Conditions of use" in text and "data-use agreement" in text
    assert (
        "Stichting Innovatie & Arbeid (SERV) (2023). Flemish Workability Monitor 2023 - employees, scientific use file"
        in text
    )
    assert "{title}" not in text and "SYNTHETIC DATA" in text
    wl = sci.result.report.weight_linkage
    assert (
        wl is not None
        and f"{wl.recoverable_cells:,} of {wl.protected_cells:,} suppressed or perturbed values"
        in text
    )
    ptext = (pub.out_dir / "README.md").read_text()
    assert "recalibrated on the released values" in ptext and "0 of" in ptext


def test_risk_report_handed_out_leaves_small_domains_out(sci: ReleaseBuild):
    d = json.loads((sci.out_dir / "risk_report.json").read_text())
    assert d["kind"] == "wbm-release-risk-report" and d["stages"][-1]["violating"] == 0
    assert d["information_loss"]["min_n"] == 30
    assert all(
        min(e["n_before"], e["n_after"]) >= 30
        for e in d["information_loss"]["estimates"]
        if e["by"]
    )
    assert d["weight_linkage"]["weights"] == "original"


def test_readme_says_which_published_estimates_the_file_reproduces(
    sci: ReleaseBuild, small_run_dir: Path, q
):
    """The scientific-use README (original weights) against the numbers: overall shares and domains
    of variables without suppressed or perturbed values reproduce the published estimates; the
    domains it names (suppressed values) do not."""
    text = (sci.out_dir / "README.md").read_text()
    assert (
        "overall weighted figures, and figures for domains of variables without suppressed or perturbed values, "
        "reproduce the published estimates exactly" in text
    )
    m = re.search(
        r"domains of ([\w, `]+?) \(variables with suppressed or perturbed values\) differ from the published "
        r"ones, since a suppressed or perturbed value leaves its domain: for the indicators of the risk report "
        r"by up to ([\d.]+) percentage points",
        text,
    )
    assert m is not None, text
    named, up_to = set(m.group(1).replace("`", "").split(", ")), float(m.group(2))
    rep = sci.result.report
    assert up_to == round(100 * rep.max_abs_diff, 2) > 0
    assert (
        named == {v for v, n in rep.suppressed + rep.linked_suppressed if n}
        and {"statute", "age_band"} <= named
    )
    est = pd.read_parquet(layout.stage_file(small_run_dir, "estimate", layout.ESTIMATES))
    est["by"] = est["by"].fillna("")
    frame = pd.read_csv(sci.out_dir / f"{STEM}.csv")
    w = frame["weight"].to_numpy(dtype=float)

    def share(ind: str, mask: np.ndarray) -> float:
        x = frame[ind].to_numpy(dtype=float)
        m = mask & ((x == 0) | (x == 1))
        return float((w[m] * x[m]).sum() / w[m].sum())

    everyone = np.ones(len(frame), dtype=bool)
    reproduced: set[str] = set()
    differs: set[str] = set()
    largest = 0.0  # of the risk report's indicators
    for ind in sorted({e.indicator for e in rep.estimates}):
        overall = est[(est["indicator"] == ind) & (est["by"] == "")]["estimate"].iloc[0]
        assert share(ind, everyone) == pytest.approx(overall, abs=1e-12), ind
        for d in q.domains:
            rows = est[(est["indicator"] == ind) & (est["by"] == d) & est["estimate"].notna()]
            assert len(rows) > 1, (ind, d)
            gaps = [
                abs(share(ind, frame[d].to_numpy(dtype=float) == float(r.level)) - r.estimate)
                for r in rows.itertuples()
            ]
            (differs if max(gaps) > 1e-9 else reproduced).add(d)
            largest = max(largest, *gaps)
    assert (
        abs(100 * largest - up_to) <= 0.005
    )  # the README's figure is the largest change (rounded)
    assert {"sex", "sector"} <= reproduced  # nothing suppressed: the published figures
    assert differs and differs <= named and not reproduced & named & differs


def test_the_release_kish_design_effect_is_the_weighting_stage_figure(
    pub: ReleaseBuild, small_run_dir: Path
):
    """One Kish formula (pipeline.weighting.diagnostics): the release's figure for the original
    weights is exactly the one the weight stage reported."""
    diag = json.loads((layout.stage_file(small_run_dir, "weight", layout.DIAGNOSTICS)).read_text())
    wt = pub.result.report.weights
    assert wt is not None and wt.method == "released_margins"
    assert wt.kish_before == diag["weights"]["kish_deff"] and wt.kish_after != wt.kish_before
