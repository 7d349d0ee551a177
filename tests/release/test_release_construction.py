"""A release says how each score and indicator is built (issue 19, "Microdata releases:
self-documenting"): the README and the codebook of the scientific-use release describe every
released score (items, reversed items, rescaling, minimum answered) and indicator (cut-offs,
werkbaar werk, the number of problems and its bands, module conditions), from the questionnaire.

The descriptions are checked against the data: recomputing the indicators from the released score
columns with the stated cut-offs gives the released indicator columns."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from pipeline.release.construction import constructions, werkbaar_werk_definition
from pipeline.rundata.columns import score_column


def test_every_released_score_and_indicator_is_described(sci_dir, q):
    readme = (sci_dir / "README.md").read_text(encoding="utf-8")
    codebook = next(sci_dir.glob("*.codebook.html")).read_text(encoding="utf-8")
    data = pd.read_csv(next(sci_dir.glob("*.csv")), nrows=5)
    released = set(data.columns)
    lang = re.search(r'<section id="construction" lang="(\w+)"', codebook).group(1)
    built = constructions(q, released, lang)
    described = {c for b in built for c in b.columns}
    scores = {score_column(s.name) for s in q.scales} & released
    indicators = {i.name for i in q.indicators} & released
    assert scores and indicators
    assert scores | indicators <= described
    nl = lang == "nl"
    assert (
        "Hoe de scores en indicatoren berekend worden"
        if nl
        else "How the scores and indicators are built"
    ) in readme
    for s in q.scales:
        if score_column(s.name) not in released:
            continue
        row = next(line for line in readme.splitlines() if f"`{score_column(s.name)}`" in line)
        assert all(item in row for item in s.items), s.name
        rev = "omgekeerd gescoord" if nl else "reversed"
        for item in s.reverse:
            assert re.search(rf"{rev}: [^)]*\b{item}\b", row), (s.name, item)
        need = (
            f"minstens {s.scoring.min_valid} van de {len(s.items)} items"
            if nl
            else f"at least {s.scoring.min_valid} of the {len(s.items)} items"
        )
        assert need in row
    ww = werkbaar_werk_definition(q, lang)
    assert "(werkbaar_werk): " in ww and ww in readme


def test_the_stated_cut_offs_give_the_released_indicators(sci_dir, q):
    """Read each traffic light's rule back out of the README and apply it to the released score."""
    readme = (
        (sci_dir / "README.md").read_text(encoding="utf-8").replace("\\<", "<")
    )  # Markdown's escape
    data = pd.read_csv(next(sci_dir.glob("*.csv")))
    nl = "Hoe de scores en indicatoren berekend worden" in readme
    word, kind = ("als", "problematisch") if nl else ("if", "problem")
    checked = 0
    for ind in q.indicators:
        if ind.kind != "traffic_light" or ind.name not in data or ind.scale is None:
            continue
        col = score_column(ind.scale)
        m = re.search(rf"{ind.name} = 1 {word} {col} (>=|<=) ([\d,.]+) \({kind}\)", readme)
        assert m, ind.name
        cut = float(m.group(2).replace(",", ".") if nl else m.group(2))
        score = pd.to_numeric(data[col], errors="coerce")
        ok = score.notna() & (score >= 0)
        got = (score[ok] >= cut) if m.group(1) == ">=" else (score[ok] <= cut)
        released = pd.to_numeric(data.loc[ok, ind.name], errors="coerce")
        assert np.array_equal(got.astype(int).to_numpy(), released.to_numpy()), ind.name
        checked += 1
    assert checked >= 4


def test_english_release_in_english(q):
    built = constructions(q, {"score_werkdruk", "werkdruk_risico", "werkbaar_werk"}, "en")
    assert [b.columns for b in built] == [
        ("score_werkdruk",),
        ("werkbaar_werk",),
        ("werkdruk_risico",),
    ]
    assert built[0].how.startswith("mean of the items wd01")
    assert "reversed: wd06" in built[0].how
    assert "werkdruk_risico = 1 if score_werkdruk >= 66.7" in built[2].how
