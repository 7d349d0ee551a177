"""The release as CSV with a Frictionless Data Package (``datapackage.json``) describing it.

The CSV holds the same numbers as the .sav: codes (negative ones are the non-substantive codes),
scores and weights at full precision (shortest round-trip text of each float), empty for
system-missing. ``datapackage.json`` (Data Package v1, ``tabular-data-package``) gives per field its
type (``integer`` when every value is a whole number), title (the label), description (the
question), ``categories`` (value labels), ``constraints`` (``enum`` of the substantive codes; the
release id is required and unique, the primary key), the field's ``missingValues`` (its
non-substantive codes, and the empty string) and, under ``x-wbm``, the labels of the missing codes,
the measure level and what the release did to it. ``frictionless validate datapackage.json``
passes (a test runs it).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from pipeline.fileio import write_json, write_text

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from pipeline.release.table import ReleaseTable, Variable


def _integral(x: np.ndarray) -> bool:
    finite = x[~np.isnan(x)]
    return bool(np.all(finite == np.round(finite))) and bool(np.all(np.abs(finite) < 2**53))


def csv_frame(table: ReleaseTable) -> tuple[pd.DataFrame, dict[str, str]]:
    """The frame as written (whole-number columns as nullable integers) and each field's type."""
    import pandas as pd

    cols: dict[str, Any] = {}
    types: dict[str, str] = {}
    for v in table.variables:
        x = table.values(v.name)
        if v.decimals == 0 and _integral(x):
            cols[v.name] = pd.array(np.where(np.isnan(x), 0, x).astype(np.int64), dtype="Int64")
            cols[v.name][np.isnan(x)] = pd.NA
            types[v.name] = "integer"
        else:
            cols[v.name] = x
            types[v.name] = "number"
    return pd.DataFrame(cols), types


def write_csv(table: ReleaseTable, path: str | Path) -> tuple[Path, dict[str, str]]:
    df, types = csv_frame(table)
    from pipeline.spreadsheet import frame_csv

    return write_text(path, frame_csv(df, na_rep="")), types


def _field(v: Variable, ftype: str) -> dict[str, Any]:
    f: dict[str, Any] = {"name": v.name, "title": v.label, "type": ftype}
    if v.question:
        f["description"] = v.question
    if v.values:
        f["categories"] = [{"value": c, "label": t} for c, t in v.values]
        if v.measure != "scale":
            f["constraints"] = {"enum": [c for c, _ in v.values]}
    if v.kind == "id":
        f["constraints"] = {"required": True, "unique": True}
    f["missingValues"] = [str(c) for c, _ in v.missing] + [""]
    extra = {
        "measure": v.measure,
        "kind": v.kind,
        "unit": v.unit,
        "release": v.treatment,
        "missing": [{"value": c, "label": t} for c, t in v.missing] or None,
    }
    f["x-wbm"] = {k: val for k, val in extra.items() if val}
    return f


def datapackage(
    table: ReleaseTable,
    csv_name: str,
    types: dict[str, str],
    *,
    name: str,
    title: str,
    version: str,
    description: str,
    licence_note: str,
) -> dict[str, Any]:
    return {
        "profile": "tabular-data-package",
        "name": name,
        "title": title,
        "version": version,
        "description": description,
        "x-wbm": {
            "conditions_of_use": licence_note,
            "weight": table.weight,
            "missing_codes": [
                {"value": c, "kind": k, "label": t} for c, k, t in table.missing_codes
            ],
        },
        "resources": [
            {
                "name": "microdata",
                "path": csv_name,
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [_field(v, types[v.name]) for v in table.variables],
                    "primaryKey": [table.variables[0].name],
                    "missingValues": [""],
                },
            }
        ],
    }


def write_datapackage(path: str | Path, package: dict[str, Any]) -> Path:
    return write_json(path, package)
