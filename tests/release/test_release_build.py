"""Building a release: the command line (success and every error path: a message, an exit code, no
traceback), the output directory rules, byte-identical reruns (PDF included), release ids that
differ between profiles, and the codebook's frequencies."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pipeline.errors import DisclosureError, PipelineError, SpecError
from pipeline.release.build import ReleaseBuild, build_release
from pipeline.release.frequencies import frequencies
from pipeline.rundata import layout
from pipeline.sdc.microdata.profile import load_profile

SMALL_PROFILE = """kind: release_profile
schema_version: 1
name: small
use: public_use
title: {nl: klein, en: small}
keep: [sex, age, sector, statute, province, occupation, werkbaar_werk, werkstress, score_werkdruk, hours, weight]
importance: [sector, sex, age, statute, occupation, province]
weights: {method: released_margins, max_linkage: 0.0}
items: {released: [sex, sector, statute, province, occupation], banded: [age, hours]}
bands: [{variable: hours, bands: [{low: 0, high: 34.99, code: 1, label: {nl: "minder dan 35"}}, {low: 35, high: 168, code: 2, label: {nl: "35 of meer"}}]}]
conditions_of_use: {nl: "Enkel voor tests.", en: "Tests only."}
citation: {nl: "Test ({year}). {title}.", en: "Test ({year}). {title}."}
"""


def wbm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True)


def _no_traceback(res: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in res.stderr and res.stderr.startswith("Error: "), res.stderr


def test_cli_builds_a_release_and_prints_no_answers(small_run_dir: Path, tmp_path: Path, secrets):
    out = tmp_path / "rel"
    res = wbm(
        "release",
        "--recipient",
        "instituut-a-team1",
        "--profile",
        "public-use",
        "--run",
        str(small_run_dir),
        "--out",
        str(out),
        "--no-pdf",
    )
    assert res.returncode == 0, res.stderr
    listed = [Path(line) for line in res.stdout.splitlines()]
    assert {p.name for p in listed} == {p.name for p in out.iterdir()} and listed[
        -1
    ].name == "manifest.json"
    assert "k = 5" in res.stderr and "0 of" in res.stderr  # the weight gives nothing back
    for text in (res.stdout, res.stderr):
        assert not any(s in text for s in secrets.sample_ids[::11]) and not any(
            c in text for c in secrets.comments
        )


def test_cli_error_paths(small_run_dir: Path, tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(SMALL_PROFILE.replace("keep: [sex,", "keep: [nope, sex,"), encoding="utf-8")
    broken = tmp_path / "broken.yaml"
    broken.write_text(
        "kind: release_profile\nname: x\nuse: public_use\n  bad indent: [\n", encoding="utf-8"
    )
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine", encoding="utf-8")
    no_score = tmp_path / "run-without-score"
    shutil.copytree(
        small_run_dir,
        no_score,
        ignore=shutil.ignore_patterns(layout.STAGE_DIRS["score"], layout.STAGE_DIRS["outputs"]),
    )
    cases = [
        (
            [
                "--profile",
                "public-use",
                "--run",
                str(tmp_path / "missing"),
                "--out",
                str(tmp_path / "o1"),
            ],
            2,
            ["is not a directory", str(tmp_path / "missing"), "Fix:"],
        ),
        (
            [
                "--profile",
                "no-such-profile",
                "--run",
                str(small_run_dir),
                "--out",
                str(tmp_path / "o2"),
            ],
            2,
            ["not found", "public-use, scientific-use"],
        ),
        (
            ["--profile", str(bad), "--run", str(small_run_dir), "--out", str(tmp_path / "o3")],
            2,
            [str(bad), "keep[0]", "unknown variable", "'nope'", "Fix:"],
        ),
        (
            ["--profile", str(broken), "--run", str(small_run_dir), "--out", str(tmp_path / "o4")],
            2,
            [str(broken), "not valid YAML", "line"],
        ),
        (
            ["--profile", "public-use", "--run", str(small_run_dir), "--out", str(busy)],
            2,
            ["not empty", "notes.txt"],
        ),
        (
            ["--profile", "public-use", "--run", str(no_score), "--out", str(tmp_path / "o5")],
            2,
            ["scored.parquet is missing", "--stage score"],
        ),
    ]
    for args, code, needles in cases:
        res = wbm("release", "--recipient", "instituut-a-team1", *args)
        assert res.returncode == code, (args, res.stderr)
        _no_traceback(res)
        for n in needles:
            assert n in res.stderr, (n, res.stderr)
    assert (busy / "notes.txt").read_text() == "mine" and not (tmp_path / "o3").exists()


def test_a_refused_release_leaves_nothing_behind(small_run_dir: Path, tmp_path: Path):
    p = load_profile("scientific-use")
    strict = p.model_copy(update={"weights": p.weights.model_copy(update={"max_linkage": 0.0})})
    with pytest.raises(DisclosureError) as exc:
        build_release(small_run_dir, strict, tmp_path / "out", pdf=False)
    assert exc.value.code == "weight_linkage_too_high"
    assert list(tmp_path.iterdir()) == []  # no output directory, no staging directory


@pytest.fixture(scope="module")
def small_pdf(
    small_run_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[ReleaseBuild, Path]:
    """The release of the small test profile with its PDF codebook, built once: (build, profile)."""
    d = tmp_path_factory.mktemp("small")
    prof = d / "small.yaml"
    prof.write_text(SMALL_PROFILE, encoding="utf-8")
    return build_release(small_run_dir, prof, d / "rel", pdf=True), prof


def test_rerun_into_the_same_directory_replaces_the_earlier_release(
    small_run_dir: Path, small_pdf: tuple[ReleaseBuild, Path], tmp_path: Path
):
    first, prof = small_pdf
    out = tmp_path / "rel"
    shutil.copytree(first.out_dir, out)  # an earlier release of the same run and profile
    stale = out / "wbm-werknemers-2023-small.codebook.pdf"
    assert stale.exists()
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    again = build_release(
        small_run_dir, prof, out, pdf=True
    )  # same inputs: same bytes, PDF included (the PDF codebook is reproducible)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    third = build_release(
        small_run_dir, prof, out, pdf=False
    )  # the PDF is no longer part of it: removed
    assert not stale.exists() and {p.name for p in third.files} == {p.name for p in out.iterdir()}
    assert [p.name for p in first.files] == [p.name for p in again.files]
    with pytest.raises(PipelineError) as exc:
        build_release(small_run_dir, prof, out / "wbm-werknemers-2023-small.sav", pdf=False)
    assert exc.value.code in ("cannot_write", "out_dir_not_empty")


def test_a_pdf_codebook_is_written(small_pdf: tuple[ReleaseBuild, Path]):
    a, _ = small_pdf
    pa = a.out_dir / "wbm-werknemers-2023-small.codebook.pdf"
    assert pa.read_bytes().startswith(b"%PDF")  # reproducible: the rerun test above
    text = subprocess.run(
        ["pdftotext", str(pa), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "werkbaar_werk" in text and "gewogen geldig %" in text and "Tests only." not in text
    assert set(a.table.frame.columns) == {
        "release_id",
        "sex",
        "age",
        "sector",
        "statute",
        "province",
        "occupation",
        "werkbaar_werk",
        "werkstress",
        "score_werkdruk",
        "hours",
        "weight",
    }


def test_profiles_get_different_release_ids(sci: ReleaseBuild, pub: ReleaseBuild):
    """Rows of two releases of one run cannot be matched through the release id."""
    scores = [c for c in sci.table.frame.columns if str(c).startswith("score_")]
    a = sci.table.frame.set_index("release_id")[scores]
    b = pub.table.frame.set_index("release_id")[scores].loc[a.index]
    same = np.isclose(a.to_numpy(), b.to_numpy(), equal_nan=True).all(
        axis=1
    )  # the same respondent under one id
    assert len(scores) >= 5 and same.mean() < 0.01


def test_codebook_frequencies_are_the_data(sci: ReleaseBuild):
    t = sci.table
    w = t.values("weight")
    x = t.values("werkbaar_werk")
    f = frequencies(t, "werkbaar_werk")
    yes = next(r for r in f.rows if r.code == 1.0)
    valid = (x == 0) | (x == 1)
    assert yes.n == int((x == 1).sum())
    assert yes.weighted_valid_percent == pytest.approx(
        100 * w[x == 1].sum() / w[valid].sum(), rel=1e-12
    )
    prov = {r.code: r for r in frequencies(t, "province").rows}
    assert (
        prov[-5.0].missing
        and prov[-5.0].valid_percent is None
        and prov[-5.0].n == int((t.values("province") == -5).sum())
    )
    assert sum(r.n for r in prov.values()) == len(t.frame)
    score = frequencies(t, "score_werkdruk")
    assert score.summary is not None and score.summary.n_valid == int(
        np.isfinite(t.values("score_werkdruk")).sum()
    )
    html = (sci.out_dir / "wbm-werknemers-2023-scientific-use.codebook.html").read_text()
    for v in t.variables:
        assert f'id="var-{v.name}"' in html
    assert f"{yes.weighted_valid_percent:,.1f}" in html


def test_a_profile_that_does_not_fit_is_located_in_its_file(small_run_dir: Path, tmp_path: Path):
    prof = tmp_path / "p.yaml"
    prof.write_text(
        SMALL_PROFILE.replace("importance: [sector,", "importance: [sectr, sector,"),
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as exc:
        build_release(small_run_dir, prof, tmp_path / "out", pdf=False)
    p = exc.value.problems[0]
    assert (
        exc.value.code == "profile_mismatch" and p.file == str(prof) and p.path == "importance[0]"
    )
    assert p.value == "sectr" and "'sector'" in (p.expected or "") and p.hint


def test_manifest_and_datapackage_name_the_profile(pub: ReleaseBuild):
    manifest = json.loads((pub.out_dir / "manifest.json").read_text())
    assert (
        manifest["profile"] == "public-use"
        and manifest["use"] == "public_use"
        and len(manifest["data_sha256"]) == 64
    )
    pkg = json.loads((pub.out_dir / "datapackage.json").read_text())
    assert pkg["name"] == "wbm-werknemers-2023-public-use"
    sector = next(f for f in pkg["resources"][0]["schema"]["fields"] if f["name"] == "sector")
    assert [c["value"] for c in sector["categories"]] == [
        1,
        2,
        3,
        4,
    ]  # the public file's sector groups


NO_PROVINCE_PROFILE = """kind: release_profile
schema_version: 1
name: no-province
use: scientific_use
title: {nl: zonder provincie, en: without province}
key_variables: [sex, age, sector, statute, occupation]
drop: [province]
items: {dropped: [origin]}
weights: {method: METHOD}
conditions_of_use: {nl: "Enkel voor tests.", en: "Tests only."}
citation: {nl: "Test ({year}). {title}.", en: "Test ({year}). {title}."}
"""


def test_original_weights_without_a_weighting_variable_are_refused(
    small_run_dir: Path, tmp_path: Path
):
    prof = tmp_path / "no-province.yaml"
    prof.write_text(NO_PROVINCE_PROFILE.replace("METHOD", "original"), encoding="utf-8")
    out = tmp_path / "rel"
    res = wbm(
        "release",
        "--recipient",
        "instituut-a-team1",
        "--profile",
        str(prof),
        "--run",
        str(small_run_dir),
        "--out",
        str(out),
        "--no-pdf",
    )
    assert res.returncode == 1, res.stderr  # a DisclosureError
    _no_traceback(res)
    for needle in (
        "weighting variable(s) province",
        "weights.method",
        "remove it from 'drop'",
        "weights.method: released_margins",
    ):
        assert needle in res.stderr, (needle, res.stderr)
    assert not out.exists()


def test_readme_names_the_variables_the_weights_are_calibrated_on(
    sci: ReleaseBuild, small_run_dir: Path, tmp_path: Path, q
):
    text = (sci.out_dir / "README.md").read_text()
    assert (
        f"The weights are calibrated (raked) on {', '.join(f'`{v}`' for v in q.weighting)};" in text
    )  # original: every one
    prof = tmp_path / "no-province.yaml"
    prof.write_text(NO_PROVINCE_PROFILE.replace("METHOD", "released_margins"), encoding="utf-8")
    b = build_release(small_run_dir, prof, tmp_path / "rel", pdf=False, lang="en")
    released = ", ".join(f"`{v}`" for v in q.weighting if v != "province")
    text = (b.out_dir / "README.md").read_text()
    assert f"The weights are calibrated (raked) on {released} as released in this file;" in text
    assert "they do not depend on `province`, which this file does not contain" in text
    wl = b.result.report.weight_linkage
    assert wl is not None and wl.unreleased == ("province",) and wl.recoverable_cells == 0
    assert (
        f"{wl.recoverable_cells:,} of {wl.protected_cells:,} " in text
        and wl.protected_cells >= len(b.table.frame)
    )


def test_a_damaged_manifest_is_a_located_error_not_a_traceback(
    small_run_dir: Path, sci: ReleaseBuild, tmp_path: Path
):
    run = tmp_path / "run"
    shutil.copytree(
        small_run_dir,
        run,
        ignore=shutil.ignore_patterns(layout.STAGE_DIRS["outputs"], layout.STAGE_DIRS["estimate"]),
    )
    earlier = tmp_path / "earlier"
    shutil.copytree(sci.out_dir, earlier)
    cases = [  # (file to damage, its new text, --run, --out, exit code, what the message must say)
        (
            run / "manifest.json",
            '{"specs": [\n  {"role": "questionnaire",,}\n',
            run,
            tmp_path / "o1",
            1,
            [
                f"{run / 'manifest.json'} is not valid JSON",
                "line 2",
                "found",
                "expected the run manifest",
                "Fix:",
            ],
        ),
        (
            run / "manifest.json",
            "[1, 2]\n",
            run,
            tmp_path / "o2",
            1,
            ["does not hold a JSON object", "found 'list'", "Fix:"],
        ),
        (
            earlier / "manifest.json",
            '{"kind": "wbm-release-manifest", "files": [\n',
            small_run_dir,
            earlier,
            1,
            [
                f"{earlier / 'manifest.json'} is not valid JSON",
                "line 2",
                "expected the release manifest",
                "Fix:",
            ],
        ),
        (
            earlier / "manifest.json",
            '{"kind": "wbm-release-manifest", "files": "all"}\n',
            small_run_dir,
            earlier,
            1,
            ["damaged release manifest", "files", "'files' is not a list", "Fix:"],
        ),
    ]
    for damaged, text, run_dir, out, code, needles in cases:
        good = damaged.read_bytes()
        damaged.write_text(text, encoding="utf-8")
        before = sorted(p.name for p in out.iterdir()) if out.exists() else None
        res = wbm(
            "release",
            "--recipient",
            "instituut-a-team1",
            "--profile",
            "scientific-use",
            "--run",
            str(run_dir),
            "--out",
            str(out),
            "--no-pdf",
        )
        assert res.returncode == code, (text, res.stderr)
        _no_traceback(res)
        for n in needles:
            assert n in res.stderr, (n, res.stderr)
        assert (
            sorted(p.name for p in out.iterdir()) if out.exists() else None
        ) == before  # nothing written
        damaged.write_bytes(good)


def test_a_dutch_release_says_so_in_its_pages(small_run_dir: Path, tmp_path: Path):
    b = build_release(small_run_dir, "public-use", tmp_path / "nl", lang="nl", pdf=False)
    for name in ("risk_report.html", "wbm-werknemers-2023-public-use.codebook.html"):
        assert '<html lang="nl">' in (b.out_dir / name).read_text(), name
    assert "Vlaamse Werkbaarheidsmonitor 2023" in (b.out_dir / "risk_report.html").read_text()
