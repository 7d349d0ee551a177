"""The run manifest: what went in, with which specs and software, and what came out.

``manifest.json`` sits at the root of a run directory. It is deterministic: no wall-clock times and no
absolute paths (inputs are named by file name and SHA-256), so the same inputs give the same bytes.
Each stage adds its own section; row counts per stage make "nothing lost" checkable
(rows read = accepted + set aside).
"""

from __future__ import annotations

import platform
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

from pipeline import __version__
from pipeline.fileio import read_json_object, sha256_file, write_json
from pipeline.rundata.layout import MANIFEST

PACKAGES = (
    "numpy",
    "scipy",
    "pandas",
    "pyarrow",
    "pandera",
    "pyreadstat",
    "pydantic",
    "PyYAML",
    "jinja2",
    "xlsxwriter",
    "openpyxl",
    "click",
    "rich",
    "weasyprint",
)


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version(), "wbm-pipeline": __version__}
    for name in PACKAGES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def file_entry(path: Path, *, role: str, base: Path | None = None, **extra: Any) -> dict[str, Any]:
    name = path.name if base is None else _rel(path, base)
    return {
        "path": name,
        "role": role,
        "sha256": sha256_file(path),
        "bytes": path.stat().st_size,
        **extra,
    }


def _rel(path: Path, base: Path) -> str:
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return path.name


@dataclass
class Manifest:
    """Mutable while a run is being built; written after every stage."""

    run_dir: Path
    data: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def open(cls, run_dir: Path) -> Manifest:
        data = read_json_object(
            run_dir / MANIFEST,
            expected="the run manifest written by 'wbm run' (a JSON object)",
            hint="restore the file, or rerun every stage into a new run directory",
        )
        if not data:
            data = {
                "kind": "wbm-run-manifest",
                "manifest_version": 1,
                "software": package_versions(),
                "inputs": [],
                "specs": [],
                "parameters": {},
                "stages": {},
            }
        return cls(run_dir, data)

    def set_inputs(self, entries: list[dict[str, Any]]) -> None:
        self.data["inputs"] = sorted(entries, key=lambda e: (e["role"], e["path"]))

    def set_specs(self, entries: list[dict[str, Any]]) -> None:
        self.data["specs"] = sorted(entries, key=lambda e: (e["role"], e["path"]))

    def set_parameters(self, params: dict[str, Any]) -> None:
        self.data["parameters"] = params

    def record_stage(
        self, stage: str, *, rows: dict[str, Any], outputs: list[Path], **extra: Any
    ) -> None:
        self.data["stages"][stage] = {
            "rows": rows,
            "outputs": [file_entry(p, role="output", base=self.run_dir) for p in sorted(outputs)],
            **extra,
        }
        self.data["software"] = package_versions()

    def write(self) -> Path:
        return write_json(self.run_dir / MANIFEST, self.data)
