"""Write a questionnaire back to YAML (the canonical layout), so load -> save -> load is lossless.

Defaults are left out, ``kind`` and ``schema_version`` always come first, small mappings and lists
(labels, choices, limits) are written on one line as the hand-written files do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pipeline import fileio
from pipeline.questionnaire.model import Questionnaire

_FLOW_WIDTH = 110


def _scalar(v: Any) -> bool:
    return v is None or isinstance(v, (str, int, float, bool))


def _flat(v: Any, depth: int = 0) -> bool:
    if _scalar(v):
        return True
    if depth >= 2:
        return False
    if isinstance(v, dict):
        return all(_flat(x, depth + 1) for x in v.values())
    if isinstance(v, list):
        return all(_flat(x, depth + 1) for x in v)
    return False


class _Dumper(yaml.SafeDumper):
    def represent_dict(self, data: Any) -> yaml.Node:
        flow = _flat(data) and len(repr(data)) <= _FLOW_WIDTH
        return self.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)

    def represent_list(self, data: Any) -> yaml.Node:
        flow = (
            all(_scalar(x) or (isinstance(x, list) and all(_scalar(y) for y in x)) for x in data)
            and len(repr(data)) <= _FLOW_WIDTH
        )
        return self.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)  # indent list items under their key


_Dumper.add_representer(dict, _Dumper.represent_dict)
_Dumper.add_representer(list, _Dumper.represent_list)


def questionnaire_data(q: Questionnaire) -> dict[str, Any]:
    """Plain data (JSON types) with defaults removed; kind and schema_version first."""
    data = q.model_dump(mode="json", exclude_defaults=True)
    head = {"kind": q.kind, "schema_version": q.schema_version}
    return {**head, **{k: v for k, v in data.items() if k not in head}}


def dump_questionnaire(q: Questionnaire, *, header: str | None = None) -> str:
    text = yaml.dump(
        questionnaire_data(q),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=_FLOW_WIDTH + 10,
    )
    if header:
        text = "".join(f"# {line}\n" if line else "#\n" for line in header.splitlines()) + text
    return text


def save_questionnaire(q: Questionnaire, path: Path, *, header: str | None = None) -> Path:
    fileio.write_text(path, dump_questionnaire(q, header=header))
    return path
