"""Helpers of the archive tests: runs of other waves made from the session's small run.

:func:`earlier_run` turns a finished 2023 run into a run of another questionnaire of the series (e.g.
the 2019 questionnaire, whose variables and indicators have other names): columns and estimate rows
are renamed through the trend mapping, what the earlier questionnaire does not have is dropped, the
manifest names the earlier questionnaire and records the new files' checksums. The numbers stay
those of the 2023 run, so harmonising them back must give the 2023 numbers exactly.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pandas as pd

from pipeline.archive import layout as L
from pipeline.fileio import write_parquet
from pipeline.questionnaire.dump import save_questionnaire
from pipeline.questionnaire.load import load_questionnaire, resolve
from pipeline.questionnaire.model import Questionnaire
from pipeline.questionnaire.trend import trend_map
from pipeline.rundata import layout as run_layout

RUN_FILES = tuple(path for _role, path in L.RUN_FILES)
SCORED, ESTIMATES, WEIGHTING = (L.RUN_PATH[r] for r in ("scored", "estimates", "weighting"))


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tree_hashes(root: Path) -> dict[str, str]:
    """SHA-256 of every file under ``root`` (relative paths), to show nothing changed."""
    return {
        p.relative_to(root).as_posix(): sha(p)
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def copy_run(src: Path, dst: Path) -> Path:
    """The files of a run the archive reads (not the reports and releases)."""
    for rel in RUN_FILES:
        if not (src / rel).is_file() and rel == L.RUN_PATH["shown"]:
            continue  # optional: only runs under protect_reports: true have it
        (dst / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src / rel, dst / rel)
    if (src / run_layout.QUESTIONNAIRE).is_file():  # the run's own questionnaire
        shutil.copyfile(src / run_layout.QUESTIONNAIRE, dst / run_layout.QUESTIONNAIRE)
    return dst


def _record_outputs(run: Path) -> None:
    m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    for st in m["stages"].values():
        for o in st.get("outputs", []):
            p = run / o["path"]
            if p.is_file():
                o["sha256"] = sha(p)
                o["bytes"] = p.stat().st_size
    (run / "manifest.json").write_text(
        json.dumps(m, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def rewrite_questionnaire(run: Path, ref: str) -> None:
    """Point a run's manifest at another questionnaire (id or path), with that file's checksum."""
    m = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    path = resolve(ref)
    q = load_questionnaire(path)
    m["parameters"]["questionnaire"] = ref
    m["parameters"]["wave_label"] = str(q.study.wave)
    own = save_questionnaire(q, run / run_layout.QUESTIONNAIRE)  # the run's own copy follows
    for s in m["specs"]:
        if s["role"] == "questionnaire":
            s.update(
                path=path.name,
                sha256=sha(path),
                bytes=path.stat().st_size,
                id=q.study.id,
                version=q.study.version,
            )
        elif s["role"] == "run_questionnaire":
            s.update(sha256=sha(own), bytes=own.stat().st_size, id=q.study.id)
    (run / "manifest.json").write_text(
        json.dumps(m, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )


def earlier_run(src: Path, dst: Path, now: Questionnaire, earlier_ref: str) -> Path:
    """``src`` (a run of ``now``) as a run of the earlier questionnaire ``earlier_ref``."""
    before = load_questionnaire(earlier_ref)
    copy_run(src, dst)
    (dst / L.RUN_PATH["shown"]).unlink(missing_ok=True)  # in the later names: not this wave's
    tm = trend_map(now, before)
    var = dict(tm.variables)
    ind = dict(tm.indicators)
    scored = pd.read_parquet(dst / SCORED)

    def col(c: str) -> str | None:
        if c in var:
            return var[c]
        for prefix, suffix in (("", ""), ("", "_acuut"), ("tl_", "")):
            base = c[len(prefix) : len(c) - len(suffix) if suffix else None]
            if c.startswith(prefix) and c.endswith(suffix) and base in ind:
                return prefix + ind[base] + suffix
        if c.startswith(("_", "score_", "aantal_problemen_")) or c in (
            "weight",
            "weight_normalised",
            "aantal_problemen",
        ):
            return c
        return None

    keep = {c: col(c) for c in scored.columns}
    scored = scored[[c for c, n in keep.items() if n is not None]].rename(
        columns={c: n for c, n in keep.items() if n is not None}
    )
    write_parquet(dst / SCORED, scored)
    est = pd.read_parquet(dst / ESTIMATES)
    names = [col(str(i)) for i in est["indicator"]]
    bys = [
        ":".join(var.get(p, "?") for p in str(b).split(":")) if str(b) else ""
        for b in est["by"].fillna("")
    ]
    ok = [n is not None and "?" not in b for n, b in zip(names, bys, strict=True)]
    est = est.assign(indicator=names, by=bys)[ok].reset_index(drop=True)
    write_parquet(dst / ESTIMATES, est)
    diag_path = dst / WEIGHTING
    diag = json.loads(diag_path.read_text(encoding="utf-8"))
    for m in diag["margins"]:
        m["margin"] = "*".join(var[v] for v in m["margin"].split("*"))
    diag_path.write_text(json.dumps(diag, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    cal_path = dst / L.RUN_PATH["calibration"]
    if cal_path.is_file():  # the recorded calibration model, in the earlier wave's names
        cal = json.loads(cal_path.read_text(encoding="utf-8"))
        for m in cal["margins"]:
            m["variables"] = [var[v] for v in m["variables"]]
            m["recode"] = {var[v]: r for v, r in m["recode"].items()}
        cal_path.write_text(json.dumps(cal, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    rewrite_questionnaire(dst, earlier_ref)
    _record_outputs(dst)
    return dst
