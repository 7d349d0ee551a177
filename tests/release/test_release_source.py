"""Where a release gets its questionnaire and data: the outputs stage passes the run's own
questionnaire (a run given a YAML path releases with that file's labels, not those of a shipped
questionnaire with the same id); ``wbm release`` uses the file the run recorded and refuses another
one; a run stopped after scoring can be released (no estimates needed)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pyreadstat
import pytest

from pipeline.paths import REPO_ROOT
from pipeline.release.build import build_release, load_run_source
from pipeline.rundata import layout

from ..publisher_helpers import make_publisher

SHIPPED = REPO_ROOT / "questionnaires" / "wbm-werknemers-2023.yaml"
SEX_LABEL = "label: {nl: geslacht, en: sex}"
TITLE = 'en: "Flemish Workability Monitor 2023 - employees"'


def wbm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline", *args], capture_output=True, text=True)


def _labels(sav: Path) -> dict[str, str | None]:
    _, meta = pyreadstat.read_sav(str(sav), metadataonly=True)
    return dict(zip(meta.column_names, meta.column_labels, strict=True))


@pytest.fixture(scope="module")
def path_run(small_demo, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A copy of the small run whose questionnaire was given as a YAML path: a copy of the shipped
    questionnaire (same id) with other labels; the outputs stage run on it. (run dir, YAML path)"""
    from pipeline.runner import Run, RunConfig, run_stages, start

    demo, _out = small_demo
    base = tmp_path_factory.mktemp("pathrun")
    qpath = base / "my-questionnaire.yaml"
    text = SHIPPED.read_text(encoding="utf-8")
    assert text.count(SEX_LABEL) == 1 and text.count(TITLE) == 1
    qpath.write_text(
        text.replace(SEX_LABEL, "label: {nl: geslacht (eigen), en: sex (own copy)}").replace(
            TITLE, 'en: "Workability Monitor (own copy)"'
        ),
        encoding="utf-8",
    )
    run_dir = base / "run"
    shutil.copytree(
        demo.run_dir, run_dir, ignore=shutil.ignore_patterns(layout.STAGE_DIRS["outputs"])
    )
    policy = make_publisher(base / "publisher")  # module scope: before $WBM_POLICY is set
    cfg = RunConfig.from_wave_dir(demo.wave_dir, policy=str(policy)).model_copy(
        update={"questionnaire": str(qpath)}
    )
    run = Run(run_dir, cfg)
    start(
        run
    )  # what 'wbm run --questionnaire PATH' records: the file, its SHA-256, the path as given
    run_stages(run, ["outputs"])
    return run_dir, qpath


def test_the_outputs_stage_releases_with_the_run_questionnaire(path_run):
    run_dir, _q = path_run
    rel = layout.outputs_dir(run_dir, layout.MICRODATA_DIR)
    (sav,) = rel.glob("*.sav")
    assert _labels(sav)["sex"] == "geslacht (eigen)"  # Dutch, the default
    assert "geslacht (eigen)" in next(rel.glob("*.codebook.html")).read_text()


def test_wbm_release_uses_the_file_the_run_recorded_and_refuses_another(path_run, tmp_path: Path):
    run_dir, qpath = path_run
    res = wbm(
        "release",
        "--recipient",
        "instituut-a-team1",
        "--profile",
        "scientific-use",
        "--run",
        str(run_dir),
        "--out",
        str(tmp_path / "a"),
        "--no-pdf",
        "--lang",
        "en",
    )
    assert res.returncode == 0, res.stderr
    (sav,) = (tmp_path / "a").glob("*.sav")
    assert _labels(sav)["sex"] == "sex (own copy)"
    readme = (tmp_path / "a" / "README.md").read_text()
    assert "# Workability Monitor (own copy): Scientific use file" in readme
    # the questionnaire file changed since the run: not silently used, nor the shipped one of the same id
    copy = tmp_path / "run"
    shutil.copytree(
        run_dir,
        copy,
        ignore=shutil.ignore_patterns(layout.STAGE_DIRS["outputs"], layout.STAGE_DIRS["estimate"]),
    )
    moved = tmp_path / "elsewhere.yaml"
    shutil.copy(qpath, moved)
    manifest = copy / "manifest.json"
    manifest.write_text(
        manifest.read_text().replace(str(qpath), str(tmp_path / "gone.yaml")), encoding="utf-8"
    )
    # the run kept its own copy of the questionnaire: released with it, wherever the file went
    res = wbm(
        "release", "--recipient", "instituut-a-team1", "--profile", "scientific-use",
        "--run", str(copy), "--out",
        str(tmp_path / "own"), "--no-pdf",
    )  # fmt: skip
    assert res.returncode == 0, res.stderr
    (sav,) = (tmp_path / "own").glob("*.sav")
    assert _labels(sav)["sex"] == "geslacht (eigen)"
    # a run without its own copy (written before runs kept one): the recorded file, hash-checked
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["specs"] = [s for s in data["specs"] if s["role"] != "run_questionnaire"]
    manifest.write_text(json.dumps(data), encoding="utf-8")
    (copy / layout.QUESTIONNAIRE).unlink()
    res = wbm(
        "release",
        "--recipient",
        "instituut-a-team1",
        "--profile",
        "scientific-use",
        "--run",
        str(copy),
        "--out",
        str(tmp_path / "b"),
        "--no-pdf",
    )
    assert res.returncode == 2 and "Traceback" not in res.stderr, res.stderr
    for needle in (
        "another questionnaire file",
        str(SHIPPED),
        "my-questionnaire.yaml",
        "--questionnaire PATH",
    ):
        assert needle in res.stderr, (needle, res.stderr)
    assert not (tmp_path / "b").exists()
    res = wbm(
        "release",
        "--recipient",
        "instituut-a-team1",
        "--profile",
        "scientific-use",
        "--run",
        str(copy),
        "--out",
        str(tmp_path / "c"),
        "--no-pdf",
        "--questionnaire",
        str(moved),
    )
    assert res.returncode == 0, res.stderr
    (sav,) = (tmp_path / "c").glob("*.sav")
    assert _labels(sav)["sex"] == "geslacht (eigen)"


def test_a_run_stopped_after_scoring_can_be_released(small_run_dir: Path, tmp_path: Path):
    run = tmp_path / "run"
    shutil.copytree(
        small_run_dir,
        run,
        ignore=shutil.ignore_patterns(layout.STAGE_DIRS["estimate"], layout.STAGE_DIRS["outputs"]),
    )
    src = load_run_source(run)
    assert src.questionnaire.study.id == "wbm-werknemers-2023" and src.min_n == 30 and src.synthetic
    b = build_release(src, "scientific-use", tmp_path / "rel", pdf=False)
    assert len(b.table.frame) == len(src.scored) > 0
    res = wbm(
        "release",
        "--recipient",
        "instituut-a-team1",
        "--profile",
        "public-use",
        "--run",
        str(run),
        "--out",
        str(tmp_path / "pub"),
        "--no-pdf",
    )
    assert res.returncode == 0, res.stderr
