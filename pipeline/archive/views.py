"""The harmonised views of each series (``ARCHIVE/views/<series>/``), derived from the waves.

A series is a chain of archived waves linked by ``mapping.previous`` (:func:`chains`); it is named
after its latest wave's study id without the year (``wbm-werknemers-2023`` -> ``wbm-werknemers``).
Its views are rebuilt from the waves' own files whenever a wave of the series is added, into a
staging folder that then replaces the old views, so they are always whole and can always be rebuilt
(``wbm archive check --repair``). Files (see ``docs/archive.md``):

- ``respondents/<year>.parquet``: the wave's scored respondents under the current names
  (:func:`pipeline.archive.harmonise.respondent_columns`), plus ``wave`` and ``study``;
- ``estimates.parquet``: every wave's estimates table under the current names, plus ``series``,
  ``wave``, ``study``, ``source_indicator``, ``source_by`` (the wave's own names), ``segment`` (the
  comparable part of the indicator's series the row belongs to, 0 for the oldest) and
  ``break_before`` (true at the first wave after a break). Rows of a breakdown whose codes or bands
  are not those of the current wave are left out;
- ``series.json``: the waves (with their data versions), the current questionnaire, the breaks with
  their reasons, and the SHA-256 of every view file.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipeline.archive import layout as L
from pipeline.archive.harmonise import BAND_COLUMN as _BAND
from pipeline.archive.records import WaveRecord
from pipeline.errors import Problem
from pipeline.fileio import dumps_json, ensure_dir, sha256_file, write_parquet, write_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.archive.harmonise import Translation
    from pipeline.questionnaire.model import Questionnaire

SERIES_KIND = "wbm-archive-series"
REPAIR = "rebuild the views (derived from the waves, nothing is lost): wbm archive check --repair"


# ------------------------------------------------------------------------------------- chains
def chains(waves: Sequence[WaveRecord]) -> dict[str, tuple[WaveRecord, ...]]:
    """Series name -> its waves, newest first. Waves are linked when a wave's questionnaire maps to
    (``mapping.previous``) another archived wave's study id."""
    by_id = {w.id: w for w in waves}
    followed = {w.questionnaire.previous for w in waves if w.questionnaire.previous in by_id}
    heads = sorted((w for w in waves if w.id not in followed), key=lambda w: (-w.year, w.id))
    out: dict[str, tuple[WaveRecord, ...]] = {}
    for head in heads:
        chain = [head]
        seen = {head.id}
        while (prev := chain[-1].questionnaire.previous) in by_id and prev not in seen:
            chain.append(by_id[prev])
            seen.add(prev)
        name = re.sub(rf"-{head.year}$", "", head.id) or head.id
        out[name if name not in out else head.id] = tuple(chain)
    return out


def series_of(waves: Sequence[WaveRecord], study_id: str) -> str:
    for name, chain in chains(waves).items():
        if any(w.id == study_id for w in chain):
            return name
    raise KeyError(study_id)


def stored_questionnaire(root: Path, study_id: str) -> Questionnaire:
    """A wave's resolved questionnaire from the archive (independent of the shipped files)."""
    from pipeline.errors import SpecError
    from pipeline.questionnaire.load import check_questionnaire

    path = L.wave_dir(root, study_id) / L.QUESTIONNAIRE_FILE
    report = check_questionnaire(path, check_mapping=False)
    if report.questionnaire is None:
        raise SpecError(f"{path}: the archived questionnaire cannot be loaded", report.errors)
    return report.questionnaire


# ---------------------------------------------------------------------------------- harmonise
def _segments(name: str, year: int, breaks_at: dict[str, list[int]]) -> tuple[int, bool]:
    base = name[: -len("_acuut")] if name.endswith("_acuut") and name[:-6] in breaks_at else name
    band = _BAND.fullmatch(base)  # a count's band breaks with the count
    if base not in breaks_at and band and band.group(1) in breaks_at:
        base = band.group(1)
    years = breaks_at.get(base, [])
    return sum(1 for y in years if y <= year), year in years


def harmonised_estimates(
    est: pd.DataFrame,
    t: Translation,
    breaks_at: dict[str, list[int]],
    *,
    series: str,
) -> pd.DataFrame:
    """One wave's estimates table under the current names (see the module docstring)."""
    import pandas as pd

    ind = [t.indicator(str(i)) for i in est["indicator"]]
    by = [t.by("" if pd.isna(b) else str(b)) for b in est["by"]]
    keep = [i is not None and b is not None for i, b in zip(ind, by, strict=True)]
    out = est.loc[keep].copy()
    out.insert(0, "series", series)
    out.insert(1, "wave", t.year)
    out.insert(2, "study", t.study)
    out["source_indicator"] = out["indicator"].astype(str)
    out["source_by"] = out["by"].fillna("").astype(str)
    out["indicator"] = [i for i, k in zip(ind, keep, strict=True) if k]
    out["by"] = [b for b, k in zip(by, keep, strict=True) if k]
    seg = [_segments(str(i), t.year, breaks_at) for i in out["indicator"]]
    out["segment"] = pd.array([s for s, _ in seg], dtype="int64")
    out["break_before"] = [b for _, b in seg]
    return out.reset_index(drop=True)


def harmonised_respondents(
    scored: pd.DataFrame, q: Questionnaire, current: Questionnaire, t: Translation
) -> pd.DataFrame:
    from pipeline.archive.harmonise import respondent_columns

    cols = respondent_columns(q, current, t, list(scored.columns))
    out = scored[list(cols)].rename(columns=cols)
    out.insert(0, "wave", t.year)
    out.insert(1, "study", t.study)
    return out.reset_index(drop=True)


def _series_translations(
    root: Path, chain: Sequence[WaveRecord]
) -> tuple[list[Questionnaire], tuple[Translation, ...], dict[str, list[int]]]:
    from pipeline.archive.harmonise import translations

    qs = [stored_questionnaire(root, w.id) for w in chain]
    ts, breaks_at = translations(qs, [w.cutoff_population for w in chain])
    return qs, ts, breaks_at


def build_views(root: Path, chain: Sequence[WaveRecord], series: str, out: Path) -> dict[str, Any]:
    """Write one series' views into ``out``; returns what ``series.json`` holds."""
    import pandas as pd

    qs, ts, breaks_at = _series_translations(root, chain)
    files: list[dict[str, Any]] = []
    frames = []
    for rec, q, t in sorted(zip(chain, qs, ts, strict=True), key=lambda x: x[0].year):
        base = L.wave_dir(root, rec.id)
        scored = pd.read_parquet(base / L.RUN_PATH["scored"])
        rel = f"{L.RESPONDENTS_VIEW}/{rec.year}.parquet"
        write_parquet(out / rel, harmonised_respondents(scored, q, qs[0], t))
        files.append({"path": rel, "sha256": sha256_file(out / rel), "wave": rec.year})
        est = pd.read_parquet(base / L.RUN_PATH["estimates"])
        frames.append(harmonised_estimates(est, t, breaks_at, series=series))
    write_parquet(out / L.ESTIMATES_VIEW, pd.concat(frames, ignore_index=True))
    files.append({"path": L.ESTIMATES_VIEW, "sha256": sha256_file(out / L.ESTIMATES_VIEW)})
    breaks = []
    for t in ts:
        for b in t.breaks:
            breaks.append(
                {
                    "indicator": b.name,
                    "wave": t.year,
                    "old": b.old,
                    "new": b.new,
                    "reasons": [{"code": c, "detail": d} for c, d in b.reasons],
                    "text_nl": b.text_nl(),
                }
            )
    variable_breaks = [
        {"variable": b.name, "wave": t.year, "old": b.old, "new": b.new, "text_nl": b.text_nl()}
        for t in ts
        for b in t.variable_breaks
    ]
    return {
        "kind": SERIES_KIND,
        "series": series,
        "population": chain[0].population,
        "current": chain[0].id,
        "waves": [
            {"id": w.id, "year": w.year, "data_version": w.data_version}
            for w in sorted(chain, key=lambda w: w.year)
        ],
        "breaks": breaks,
        "variable_breaks": variable_breaks,
        "names": {
            t.study: {
                "variables": dict(sorted(t.variables.items())),
                "indicators": dict(sorted(t.indicators.items())),
            }
            for t in ts
        },
        "files": files,
    }


def rebuild_series(root: Path, waves: Sequence[WaveRecord], series: str) -> Path:
    """Rebuild one series' views from its waves and swap them into place."""
    import tempfile

    chain = chains(waves)[series]
    ensure_dir(root / L.STAGING_DIR)
    tmp = Path(tempfile.mkdtemp(prefix=f"views-{series}.", dir=root / L.STAGING_DIR))
    try:
        info = build_views(root, chain, series, tmp)
        write_text(tmp / L.SERIES_FILE, dumps_json(info))
        target = L.views_dir(root, series)
        ensure_dir(target.parent)
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f"old-{series}.", dir=root / L.STAGING_DIR))
            os.replace(target, old / "v")
        os.replace(tmp, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return target


def refresh_views(
    root: Path, waves: Sequence[WaveRecord], changed: str | None = None
) -> tuple[str, ...]:
    """Rebuild the views of the series holding wave ``changed`` and of every series whose views are
    missing or describe other waves (a new wave can join two series, or rename one), and remove the
    views of series that no longer exist. Returns the series rebuilt."""
    names = chains(waves)
    done = []
    for name, chain in names.items():
        stale = not (L.views_dir(root, name) / L.SERIES_FILE).is_file()
        if not stale:
            try:
                info = read_series_info(root, name)
                have = [(w.get("id"), w.get("data_version")) for w in info.get("waves", [])]
                stale = have != [
                    (w.id, w.data_version) for w in sorted(chain, key=lambda w: w.year)
                ]
            except (OSError, ValueError):
                stale = True
        if stale or any(w.id == changed for w in chain):
            rebuild_series(root, waves, name)
            done.append(name)
    vdir = L.views_dir(root)
    for d in sorted(vdir.iterdir()) if vdir.is_dir() else []:
        if d.name not in names:
            shutil.rmtree(d) if d.is_dir() else d.unlink()
    return tuple(done)


def rebuild_all(root: Path, waves: Sequence[WaveRecord]) -> tuple[str, ...]:
    """Every series' views rebuilt; views of series that no longer exist removed."""
    names = tuple(chains(waves))
    for name in names:
        rebuild_series(root, waves, name)
    vdir = L.views_dir(root)
    for d in sorted(vdir.iterdir()) if vdir.is_dir() else []:
        if d.name not in names:
            shutil.rmtree(d) if d.is_dir() else d.unlink()
    return names


def read_series_info(root: Path, series: str) -> dict[str, Any]:
    p = L.views_dir(root, series) / L.SERIES_FILE
    data = json.loads(p.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("kind") != SERIES_KIND:
        raise ValueError("not a series description")
    return data


def view_problems(root: Path, waves: Sequence[WaveRecord], *, deep: bool = True) -> list[Problem]:
    """Missing, stale or changed view files (all repairable: the views are derived)."""
    out = []
    for name, chain in chains(waves).items():
        p = L.views_dir(root, name) / L.SERIES_FILE
        try:
            info = read_series_info(root, name)
        except (OSError, ValueError) as exc:
            out.append(
                Problem(
                    "the series' views are missing or damaged",
                    file=str(p),
                    value=str(exc).splitlines()[0][:120],
                    hint=REPAIR,
                )
            )
            continue
        have = [(w.get("id"), w.get("data_version")) for w in info.get("waves", [])]
        want = [(w.id, w.data_version) for w in sorted(chain, key=lambda w: w.year)]
        if have != want:
            out.append(
                Problem(
                    "the views do not match the archived waves",
                    file=str(p),
                    value=[i for i, _ in have],
                    expected=", ".join(i for i, _ in want),
                    hint=REPAIR,
                )
            )
            continue
        for f in info.get("files", []):
            fp = L.views_dir(root, name) / str(f.get("path"))
            if not fp.is_file() or (deep and sha256_file(fp) != f.get("sha256")):
                out.append(Problem("view file missing or changed", file=str(fp), hint=REPAIR))
    return out
