"""What the handed-out risk report may say: never a per-level before/after figure of a protected
variable (key, linked, PRAM or weighting variable). Next to the released file's own counts such a
figure gives the suppressed values back: a level whose count drops from 1279 to 1275 holds the 4
suppressed values. Checked in every file of a release (JSON, HTML, the codebook, its PDF via
pdftotext), and by the intruder's own computation on the released files."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from pipeline.release.build import ReleaseBuild, build_release
from pipeline.sdc.microdata.report import DIFF_DECIMALS, TVD_DECIMALS


@pytest.fixture(scope="module", params=["scientific-use", "public-use"])
def with_pdf(
    request, small_run_dir: Path, tmp_path_factory: pytest.TempPathFactory
) -> ReleaseBuild:
    """Both shipped profiles' releases, with the PDF codebook."""
    return build_release(
        small_run_dir,
        request.param,
        tmp_path_factory.mktemp("pdf") / "release",
        pdf=True,
        lang="en",
    )


class _Rows(HTMLParser):
    """The cells of every table row of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None and self.rows:
            self.rows[-1].append("".join(self._cell).strip())
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def html_rows(path: Path) -> list[list[str]]:
    p = _Rows()
    p.feed(path.read_text(encoding="utf-8"))
    return p.rows


def pdf_lines(path: Path) -> list[list[str]]:
    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    return [line.split() for line in text.splitlines() if line.strip()]


def _walk(obj: Any) -> Iterator[dict[str, Any]]:
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from _walk(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk(v)


def _int(text: str | None) -> int | None:
    """A count as a page prints it (``2810``, ``2,810`` in English, ``2.810`` in Dutch)."""
    if text is None:
        return None
    plain = text.replace(",", "").replace(".", "")
    return int(plain) if plain.isdigit() else None


def _count(n: int) -> str:
    """A pattern for ``n`` as any page may print it: plain, or with English or Dutch separators."""
    return (
        "(?:" + "|".join(re.escape(x) for x in {str(n), f"{n:,}", f"{n:,}".replace(",", ".")}) + ")"
    )


def estimate_rows(b: ReleaseBuild) -> dict[str, list[dict[str, Any]]]:
    """Per file of the release, every information-loss row it publishes, as
    {indicator, by, level, n_before} (n_before None where the file does not give it)."""
    indicators = {e.indicator for e in b.result.report.estimates}
    out: dict[str, list[dict[str, Any]]] = {}
    for p in sorted(b.out_dir.iterdir()):
        rows: list[dict[str, Any]] = []
        if p.suffix == ".json":
            rows = [
                {
                    "indicator": d["indicator"],
                    "by": d["by"],
                    "level": d["level"],
                    "n_before": d.get("n_before"),
                }
                for d in _walk(json.loads(p.read_text(encoding="utf-8")))
                if "by" in d and "indicator" in d
            ]
        elif p.suffix == ".html":
            for cells in html_rows(p):
                if len(cells) >= 4 and cells[0] in indicators:
                    n = (
                        cells[3] if len(cells) == 8 else None
                    )  # the information-loss table has n before in column 4
                    rows.append(
                        {
                            "indicator": cells[0],
                            "by": "" if cells[1] in ("all", "iedereen") else cells[1],
                            "level": cells[2],
                            "n_before": _int(n),
                        }
                    )
        elif p.suffix == ".pdf":
            for tok in pdf_lines(p):
                if len(tok) >= 3 and tok[0] in indicators:
                    by = "" if tok[1] == "all" else tok[1]
                    level = "" if tok[1] == "all" else tok[2]
                    rest = tok[2:] if tok[1] == "all" else tok[3:]
                    n = rest[0] if rest and _int(rest[0]) is not None and len(rest) >= 5 else None
                    rows.append(
                        {
                            "indicator": tok[0],
                            "by": by,
                            "level": level,
                            "n_before": _int(n),
                        }
                    )
        out[p.name] = rows
    return out


def released_csv(b: ReleaseBuild) -> pd.DataFrame:
    return pd.read_csv(b.out_dir / b.sav.name.replace(".sav", ".csv"))


def recovered(rows: list[dict[str, Any]], frame: pd.DataFrame) -> Counter[tuple[str, str]]:
    """The intruder: per (variable, level), how many records a report row counts *before* disclosure
    control that the released file does not show in that level (records with a valid indicator):
    the suppressed or perturbed values that were that level."""
    out: Counter[tuple[str, str]] = Counter()
    for r in rows:
        if not r["by"] or r["n_before"] is None or r["by"] not in frame.columns:
            continue
        valid = frame[r["indicator"]].isin([0, 1])
        in_file = int(((frame[r["by"]] == float(r["level"])) & valid).sum())
        gap = r["n_before"] - in_file
        if gap:
            out[(r["by"], r["level"])] = max(out[(r["by"], r["level"])], gap)
    return out


def suppressed_distribution(b: ReleaseBuild, variables: set[str]) -> Counter[tuple[str, str]]:
    """From the confidential suppression log: per (variable, original level) and indicator, the
    suppressed values whose record has a valid indicator (the largest over the indicators)."""
    frame = b.result.frame.set_index("release_id")
    indicators = {e.indicator for e in b.result.report.estimates}
    out: Counter[tuple[str, str]] = Counter()
    for ind in indicators:
        per: Counter[tuple[str, str]] = Counter(
            (s.variable, f"{s.original:g}")
            for s in b.result.suppression_log
            if s.variable in variables and frame.loc[s.release_id, ind] in (0, 1)
        )
        for key, n in per.items():
            out[key] = max(out[key], n)
    return out


def test_no_file_gives_a_per_level_before_after_figure_of_a_protected_variable(
    with_pdf: ReleaseBuild, q
):
    b = with_pdf
    rep = b.result.report
    protected = set(rep.protected)
    assert set(rep.keys) | set(q.weighting) | {"age_band"} <= protected
    assert {p.variable for p in b.result.pram} <= protected
    # what the full report holds: per-level figures of protected variables whose counts moved
    moved = [e for e in rep.estimates if e.by in protected and e.n_before != e.n_after]
    assert moved, "the demo release should suppress key values (otherwise this test proves nothing)"
    names = {p.name for p in b.out_dir.iterdir()}
    assert any(n.endswith(".codebook.pdf") for n in names) and "risk_report.json" in names
    per_file = estimate_rows(b)
    assert (
        per_file["risk_report.json"] and per_file["risk_report.html"]
    )  # the overall rows are there
    for name, rows in per_file.items():
        for r in rows:
            assert r["by"] not in protected and r["indicator"] not in protected, (name, r)
    # and no before/after pair of such a level appears anywhere, whatever the layout
    texts = {
        p.name: (
            subprocess.run(
                ["pdftotext", "-layout", str(p), "-"], capture_output=True, text=True, check=True
            ).stdout
            if p.suffix == ".pdf"
            else re.sub(r"<[^>]+>", " ", p.read_text(encoding="utf-8"))
        )
        for p in b.out_dir.iterdir()
        if p.suffix in (".json", ".html", ".pdf", ".md")
    }
    for e in moved:
        pair = re.compile(
            rf"(?<![\d.,]){_count(e.n_before)}(?![\d.,])[^0-9]{{1,60}}"
            rf"(?<![\d.,]){_count(e.n_after)}(?![\d.,])"
        )
        for name, text in texts.items():
            assert not pair.search(text), (name, e)


def test_the_released_files_do_not_give_the_suppressed_distribution_back(with_pdf: ReleaseBuild):
    b = with_pdf
    rep = b.result.report
    frame = released_csv(b)
    by = {e.by for e in rep.estimates if e.by}
    pram = {p.variable for p in b.result.pram}
    suppressed = {s.variable for s in b.result.suppression_log} & by - pram
    truth = suppressed_distribution(b, suppressed)
    assert truth, "the demo release should suppress values of a variable the report breaks down by"
    # the intruder's computation is right: on the full (internal) report it gives exactly the
    # distribution of the suppressed values
    internal = recovered(rep.to_dict()["information_loss"]["estimates"], frame)
    assert Counter({k: n for k, n in internal.items() if k[0] in suppressed}) == truth
    # on what is handed out it gives nothing, in any file
    for name, rows in estimate_rows(b).items():
        assert recovered(rows, frame) == Counter(), name


def test_summary_figures_are_kept_but_rounded(pub: ReleaseBuild):
    rep = pub.result.report
    d = json.loads((pub.out_dir / "risk_report.json").read_text())
    loss = d["information_loss"]
    assert loss["marginal_tvd"] == {v: round(t, TVD_DECIMALS) for v, t in rep.marginal_tvd}
    assert loss["marginal_tvd"]["province"] > 0  # PRAM moved the province distribution
    assert loss["max_abs_diff"] == round(rep.max_abs_diff, DIFF_DECIMALS) and rep.max_abs_diff > 0
    assert loss["mean_abs_diff"] == round(rep.mean_abs_diff, DIFF_DECIMALS)
    assert set(loss["withheld"]) == set(rep.protected)
    overall = [e for e in loss["estimates"] if e["by"] == ""]
    assert {e["indicator"] for e in overall} == {e.indicator for e in rep.estimates}
    assert d["weights"]["method"] == "released_margins" and d["weights"]["estimates"]
    assert all(e["by"] not in rep.protected for e in d["weights"]["estimates"])
    assert all(set(n) == {"code", "message"} for n in d["notices"])  # details stay internal
    html = (pub.out_dir / "risk_report.html").read_text()
    assert (
        "Figures per category are not given" in html
        and f"{round(dict(rep.marginal_tvd)['province'], 3):.3f}" in html
    )


def test_a_non_protected_domain_keeps_its_rows(small_run_dir: Path, tmp_path: Path):
    """Per-level rows of a domain that is not protected (here: telework) are still handed out."""
    from pipeline.sdc.microdata.profile import load_profile

    p = load_profile("scientific-use")
    prof = p.model_copy(
        update={"utility": p.utility.model_copy(update={"by": ("telework", "sex")})}
    )
    b = build_release(small_run_dir, prof, tmp_path / "rel", pdf=False)
    d = json.loads((b.out_dir / "risk_report.json").read_text())
    rows = d["information_loss"]["estimates"]
    assert {e["by"] for e in rows} == {"", "telework"}
    frame = released_csv(b)
    for e in rows:
        if e["by"]:
            n_file = int(
                (
                    (frame["telework"] == float(e["level"])) & frame[e["indicator"]].isin([0, 1])
                ).sum()
            )
            assert e["n_before"] == e["n_after"] == n_file and e["diff"] == 0.0
