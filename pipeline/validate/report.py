"""Diagnostics (JSON) and the validation report (HTML, ``reports/validation.html.j2``).

Counts only: the report and diagnostics never carry answers or ids.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from pipeline.rundata.columns import COMPLETENESS, MODE, REASONS
from pipeline.rundata.layout import STAGE_DIRS
from pipeline.validate.catalogue import CATALOGUE
from pipeline.validate.result import ValidationSummary

if TYPE_CHECKING:  # pragma: no cover
    from pipeline.validate.run import ValidationFrames

TEMPLATE = "validation.html.j2"


def _modes(vf: ValidationFrames) -> list[str]:
    return list(dict.fromkeys(t.td.mode for t in vf.tables))


def _by_mode(df: pd.DataFrame, key: str, modes: list[str]) -> list[dict[str, Any]]:
    if df.empty:
        return []
    tab = df.groupby([key, "mode"], sort=True).size().unstack(fill_value=0)
    out = []
    for k, row in tab.iterrows():
        counts = {m: int(row.get(m, 0)) for m in modes}
        out.append({"key": str(k), "counts": counts, "total": sum(counts.values())})
    return out


def item_table(vf: ValidationFrames, lang: str = "nl") -> list[dict[str, Any]]:
    """Per numeric variable and mode: rows, applicable, -9 share among applicable, -7 count, edits, issues."""
    c = vf.compiled
    data = pd.concat([vf.accepted, vf.set_aside.drop(columns=[REASONS])], ignore_index=True)
    modes = _modes(vf)
    mode_arr = data[MODE].to_numpy(dtype=object)
    masks = {m: mode_arr == m for m in modes}
    edits = vf.edits.groupby(["item", "mode"]).size().to_dict() if len(vf.edits) else {}
    issues = (
        vf.issues[vf.issues["item"].notna()].groupby(["item", "mode"]).size().to_dict()
        if len(vf.issues)
        else {}
    )
    rows = []
    for it in c.numeric_items:
        for var in c.variables(it):
            v = data[var].to_numpy(dtype=np.float64)
            per = {}
            for m in modes:
                vm = v[masks[m]]
                app = vm != -1
                n_app = int(app.sum())
                per[m] = {
                    "applicable": n_app,
                    "nonresponse": float((vm[app] == -9).mean()) if n_app else None,
                    "invalid": int((vm == -7).sum()),
                    "edits": int(edits.get((var, m), 0)),
                    "issues": int(issues.get((var, m), 0)),
                }
            rows.append({"name": var, "label": it.label.get(lang), "per_mode": per})
    return rows


def diagnostics(vf: ValidationFrames, summary: ValidationSummary) -> dict[str, Any]:
    modes = _modes(vf)
    sa = vf.set_aside[[MODE, REASONS]].rename(columns={MODE: "mode"})
    sa = sa.assign(reason=sa[REASONS].str.split(";")).explode("reason")
    return {
        "stage": STAGE_DIRS["validate"],
        "questionnaire": {"id": vf.compiled.q.study.id, "version": vf.compiled.q.study.version},
        "inputs": [
            {
                "file": i.file,
                "mode": i.mode,
                "format": i.format,
                "encoding": i.encoding,
                "delimiter": i.delimiter,
                "dialect": i.dialect,
                "dialect_evidence": i.dialect_evidence,
                "dialect_evidence_code": i.dialect_evidence_code,
                "dialect_evidence_values": list(i.dialect_evidence_values),
                "mapping": i.mapping,
                "rows_read": i.rows_read,
                "accepted": i.accepted,
                "set_aside": i.set_aside,
                "balanced": i.balanced,
                "notes": list(next(t.td.raw.notes for t in vf.tables if t.td.raw.name == i.file)),
            }
            for i in summary.inputs
        ],
        "totals": {
            "rows_read": summary.rows_read,
            "accepted": summary.accepted,
            "set_aside": summary.set_aside,
            "balanced": summary.balanced,
            "edits": len(vf.edits),
            "issues": len(vf.issues),
        },
        "completeness": {
            m: vf.accepted.loc[vf.accepted[MODE] == m, COMPLETENESS]
            .value_counts()
            .sort_index()
            .to_dict()
            for m in modes
        },
        "set_aside_reasons": {r["key"]: r["counts"] for r in _by_mode(sa, "reason", modes)},
        "issues": {
            r["key"]: {
                "title": CATALOGUE[r["key"]].title,
                "severity": CATALOGUE[r["key"]].severity,
                **r["counts"],
            }
            for r in _by_mode(vf.issues, "code", modes)
        },
        "edits": {
            r["key"]: r["counts"]
            for r in _by_mode(vf.edits.rename(columns={"rule_id": "rule"}), "rule", modes)
        },
        "keying": [
            {
                "first": k.first,
                "second": k.second,
                "forms_matched": k.forms_matched,
                "fields_compared": k.fields_compared,
                "discrepancies": k.discrepancies,
                "unmatched_forms": k.unmatched_forms,
                "rate": k.rate,
                "keyers": [
                    {"role": r, "keyer": kk, "fields": f, "discrepancies": d, "rate": rt}
                    for r, kk, f, d, rt in k.keyers
                ],
            }
            for k in summary.keying
        ],
        "options": {
            "set_aside_speeders": vf.options.set_aside_speeders,
            "set_aside_hard_rules": vf.options.set_aside_hard_rules,
            "duplicate_precedence": list(vf.precedence),
        },
        "quality_thresholds": vf.compiled.q.quality.model_dump(mode="json"),
        "straightlining_grids": {m: sorted(vf.compiled.grids(m)) for m in modes},
        "frame": vf.frame,
    }


def render_report(
    vf: ValidationFrames, summary: ValidationSummary, diag: dict[str, Any], lang: str = "nl"
) -> str:
    """The validation report in ``lang`` (``nl``, the default, or ``en``): the words from
    :mod:`pipeline.validate.words`, the numbers formatted the reader's way (:mod:`pipeline.numformat`)."""
    from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
    from markupsafe import Markup

    from pipeline import __version__
    from pipeline import numformat as nf
    from pipeline.paths import REPORTS_DIR
    from pipeline.validate import words as W

    lang = nf.check_language(lang)
    env = Environment(
        loader=FileSystemLoader(REPORTS_DIR),
        autoescape=select_autoescape(["html", "j2"]),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    mode_names = W.MODES[lang]
    env.filters["pct"] = lambda x: nf.percent(x, lang)
    env.filters["n"] = lambda x: nf.count(x, lang)
    env.filters["dec"] = lambda x, d: nf.decimal(x, d, lang)
    env.filters["mode"] = lambda m: mode_names.get(m, m)
    env.filters["severity"] = lambda s: W.SEVERITIES[lang].get(s, s)
    env.filters["role"] = lambda r: W.KEYING_ROLES[lang].get(r, r)
    env.filters["issue_title"] = lambda code: W.issue_title(code, lang)
    env.filters["edit_rule"] = lambda rule: W.edit_rule(rule, lang)
    env.filters["codes"] = _codes
    env.filters["evidence"] = lambda i: W.evidence(
        i.dialect_evidence_code, i.dialect_evidence_values, i.dialect_evidence, lang
    )
    t = {k: Markup(v) for k, v in W.WORDS[lang].items()}  # our own texts; format() escapes values
    modes = _modes(vf)
    sa = vf.set_aside[[MODE, REASONS]].rename(columns={MODE: "mode"})
    sa = sa.assign(reason=sa[REASONS].str.split(";")).explode("reason")
    q = vf.compiled.q
    frame = diag.get("frame") or {}
    by_mode = ", ".join(
        f"{mode_names.get(m, m)} {nf.count(k, lang)} ({nf.percent(k / frame['invited'], lang)})"
        for m, k in (frame.get("by_mode") or {}).items()
        if frame.get("invited")
    )
    grids = Markup("; ").join(
        Markup("{}: {}").format(
            mode_names.get(m, m), _codes(diag["straightlining_grids"][m]) or t["none"]
        )
        for m in modes
    )
    return env.get_template(TEMPLATE).render(
        lang=lang,
        t=t,
        title=q.study.title.get(lang),
        study=q.study,
        version=__version__,
        summary=summary,
        modes=modes,
        diag=diag,
        by_mode=by_mode,
        grids=grids,
        reasons=_by_mode(sa, "reason", modes),
        issues=_by_mode(vf.issues, "code", modes),
        edits=_by_mode(vf.edits.rename(columns={"rule_id": "rule"}), "rule", modes),
        items=item_table(vf, lang),
        catalogue=CATALOGUE,
    )


def _codes(names: object) -> Any:
    """Variable or grid names as code (names are identifiers, not words of the report's language)."""
    from markupsafe import Markup

    items = [names] if isinstance(names, str) else list(names)  # type: ignore[call-overload]
    return Markup(", ").join(Markup("<code>{}</code>").format(n) for n in items)
