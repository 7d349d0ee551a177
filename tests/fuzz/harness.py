"""What a fuzz case runs in: its folders, the valid sources it breaks, the in-process invocation."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from pipeline.rundata import layout


@dataclass(frozen=True)
class Sources:
    """Valid files of the shared small demo (built once per session) that cases break."""

    questionnaire: str  # text of the shipped questionnaire
    request: str  # text of a valid table request for the demo run
    profile: str  # text of the public-use profile
    paper_csv: bytes  # the first rows of the keyed paper forms
    web_sav: Path
    xlsx_input: bytes  # the paper rows as an .xlsx keying file
    weight_csv: bytes  # respondents with the weighting variables (no weight column)
    margins_csv: bytes
    margins_yaml: str
    xlsform: bytes  # a valid XLSForm workbook
    run_dir: Path  # the shared small run: never written, only copied
    wave_dir: Path


@dataclass(frozen=True)
class Result:
    code: int
    out: str
    err: str


class Env:
    """One case's folders: ``inp`` (hostile and valid inputs), ``out`` (the output folder given to
    the command: the only place it may write), ``cwd`` (the working directory: commands with a
    default output location write there only when the case says so)."""

    def __init__(self, root: Path, src: Sources) -> None:
        self.root, self.src = root, src
        self.inp, self.out, self.cwd = root / "in", root / "out", root / "cwd"
        for d in (self.inp, self.cwd):
            d.mkdir(parents=True, exist_ok=True)

    # -- inputs ----------------------------------------------------------------------------------
    def file(self, name: str, data: bytes | str) -> str:
        p = self.inp / name
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
        return str(p)

    def under_file(self) -> str:
        """An output path under an existing file."""
        blocker = self.inp / "a-file"
        blocker.write_text("x", encoding="utf-8")
        return str(blocker / "sub")

    def run(self, damage: str | None = None) -> str:
        """A copy of the shared small run (what reading commands need), optionally damaged."""
        dst = self.root / "run"
        src = self.src.run_dir
        for rel in (
            layout.MANIFEST,
            layout.QUESTIONNAIRE,
            layout.relative("weight", layout.DIAGNOSTICS),
            layout.relative("score", layout.SCORED),
            layout.relative("estimate", layout.ESTIMATES_CSV),
            layout.relative("estimate", layout.ESTIMATES),
        ):
            if (src / rel).exists():
                (dst / rel).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src / rel, dst / rel)
        if damage == "manifest":
            m = dst / "manifest.json"
            m.write_bytes(m.read_bytes()[:200])
        elif damage == "scored_cut":  # the review's finding: cut to 100 rows, released as complete
            s = layout.stage_file(dst, "score", layout.SCORED)
            pd.read_parquet(s).head(100).to_parquet(s, index=False)
        elif damage == "scored_truncated":
            s = layout.stage_file(dst, "score", layout.SCORED)
            s.write_bytes(s.read_bytes()[: s.stat().st_size // 2])
        elif damage == "questionnaire_edited":  # another label on the run's own questionnaire
            q = dst / "questionnaire.yaml"
            q.write_text(q.read_text(encoding="utf-8").replace("geslacht", "gender", 1), "utf-8")
        elif damage == "estimates_truncated":
            for e in layout.stage_dir(dst, "estimate").iterdir():
                e.write_bytes(e.read_bytes()[: e.stat().st_size // 3])
        elif damage is not None:
            raise ValueError(damage)
        return str(dst)

    def archive(self, damage: str | None = None) -> str:
        """A wave archive (in the inputs folder) holding a copy of the shared small run."""
        from pipeline.archive.store import add_run

        root = self.inp / "archive"
        add_run(root, self.run())
        if damage == "archive_json":
            (root / "archive.json").write_text('{"kind": ', encoding="utf-8")
        elif damage is not None:
            raise ValueError(damage)
        return str(root)

    def wave(self, wave_json: str | None = None) -> str:
        """A copy of the shared small wave, with ``wave_json`` as its wave.json when given."""
        dst = self.root / "wave"
        shutil.copytree(self.src.wave_dir, dst)
        if wave_json is not None:
            (dst / "wave.json").write_text(wave_json, encoding="utf-8")
        return str(dst)

    # -- what the case may not touch -------------------------------------------------------------
    def snapshot(self) -> dict[str, tuple[int, int]]:
        """Every file and folder under the case's root except the output folder, and the names next
        to the root (where an escaping path would land)."""
        seen: dict[str, tuple[int, int]] = {}
        for p in sorted(self.root.rglob("*")):
            if p == self.out or self.out in p.parents:
                continue
            st = p.lstat()
            seen[str(p)] = (st.st_size if p.is_file() else -1, st.st_mtime_ns if p.is_file() else 0)
        for p in self.root.parent.iterdir():
            if p != self.root:
                seen.setdefault(str(p), (-2, 0))
        return seen


def invoke(argv: list[str], capsys) -> Result:
    """``wbm ARGV`` in-process. A :class:`SystemExit` is the exit code; any other exception is a
    traceback and fails the test as it is raised."""
    from pipeline.cli import main

    capsys.readouterr()
    try:
        main(argv)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    captured = capsys.readouterr()
    return Result(code, captured.out, captured.err)
