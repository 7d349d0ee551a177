"""The README of a release (Markdown): what the files are, the conditions of use and the citation
(from the profile, with ``{title}``, ``{wave}``, ``{version}``, ``{year}`` filled in), how to weight,
the non-substantive codes, what disclosure control did, and the residual risk, stated plainly
(for a release that keeps the calibrated weights: how many suppressed values the weight gives back).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pipeline import numformat as nf
from pipeline.markdown import escape as md
from pipeline.questionnaire.model import Questionnaire
from pipeline.release.stata import missing_letters
from pipeline.release.table import ReleaseTable
from pipeline.release.words import word, words
from pipeline.sdc.microdata.api import ReleaseResult
from pipeline.sdc.microdata.linkage import WeightLinkage
from pipeline.sdc.microdata.profile import fill_text
from pipeline.sdc.microdata.report import DIFF_DECIMALS


@dataclass(frozen=True)
class ReadmeInfo:
    files: tuple[tuple[str, str], ...]  # (file name, what it is)
    run_id: str
    data_sha256: str  # of the scored data the release was made from
    profile_sha256: str
    pipeline_version: str
    synthetic: bool


def _names(names: Iterable[str]) -> str:
    """Variable names as code spans (identifiers, not words of the README's language)."""
    return ", ".join(f"`{n}`" for n in names)


def _pct(x: float, lang: str) -> str:
    return nf.percent(x, lang)


def changed_variables(result: ReleaseResult) -> tuple[str, ...]:
    """Variables of the release with suppressed or PRAM-changed values (their domains' weighted
    figures differ from the published ones)."""
    rep = result.report
    changed = [v for v, n in rep.suppressed + rep.linked_suppressed if n] + [
        v for v, c, _r in rep.pram if c
    ]
    return tuple(v for v in dict.fromkeys(changed) if v in result.frame.columns)


def _protected_kinds(link: WeightLinkage, lang: str) -> str:
    return words(lang)["kinds_unreleased" if link.unreleased_cells else "kinds"]


def _weights_section(result: ReleaseResult, table: ReleaseTable, q: Questionnaire) -> list[str]:
    rep, lang = result.report, table.lang
    w = words(lang)
    wt, link = rep.weights, rep.weight_linkage
    if table.weight is None or wt is None or link is None:
        return [w["no_weights"]]
    # the variables the weights are calibrated on: all of the questionnaire's for the original weights
    # (the release must contain them all), the released ones for recalibrated weights
    calibrated = q.weighting if wt.method == "original" else wt.variables
    out = [
        w["weights_use"].format(
            weight=table.weight,
            variables=_names(calibrated),
            as_released=w["as_released"] if wt.method != "original" else "",
        ),
        "",
    ]
    kinds = _protected_kinds(link, lang)
    if wt.method == "original":
        changed = changed_variables(result)
        pp = nf.decimal(100 * round(rep.max_abs_diff, DIFF_DECIMALS), 2, lang)
        out += [
            w["weights_original"].format(
                changed=w["weights_changed"].format(variables=_names(changed), pp=pp)
                if changed
                else "",
                variables=_names(link.variables),
                recoverable=nf.count(link.recoverable_cells, lang),
                protected=nf.count(link.protected_cells, lang),
                kinds=kinds,
                share=_pct(link.recoverable_share, lang),
            )
        ]
    else:
        before = rep.weight_linkage_original
        out += [
            w["weights_recalibrated"].format(
                variables=_names(wt.variables),
                recoverable=nf.count(link.recoverable_cells, lang),
                protected=nf.count(link.protected_cells, lang),
                kinds=kinds,
                before=w["weights_before"].format(n=nf.count(before.recoverable_cells, lang))
                if before
                else "",
                unreleased=w["weights_unreleased"].format(variables=_names(link.unreleased))
                if link.unreleased
                else "",
                kish_before=nf.decimal(wt.kish_before, 3, lang),
                kish_after=nf.decimal(wt.kish_after, 3, lang),
            )
        ]
    return out


def _how(how: str, code: tuple[str, ...]) -> str:
    from pipeline.markdown import code as code_span
    from pipeline.release.construction import segments

    return "".join(
        code_span(part) if is_code else md(part) for part, is_code in segments(how, code)
    )


def _construction_section(table: ReleaseTable, q: Questionnaire) -> list[str]:
    """How every released score and indicator is built (:mod:`pipeline.release.construction`), in
    the release's language."""
    from pipeline.release.construction import constructions, werkbaar_werk_definition

    lang = table.lang
    built = constructions(q, {v.name for v in table.variables}, lang)
    if not built:
        return []
    w = words(lang)
    lines = [f"## {w['construction']}", ""]
    ww = werkbaar_werk_definition(q, lang)
    if ww:
        lines += [md(ww), ""]
    lines += [w["construction_table"], "|---|---|---|"]
    lines += [
        f"| {', '.join(f'`{c}`' for c in b.columns)} | {md(b.label)} | {_how(b.how, b.code)} |"
        for b in built
    ]
    return [*lines, ""]


def render(result: ReleaseResult, table: ReleaseTable, q: Questionnaire, info: ReadmeInfo) -> str:
    """The README in the release's language (the words of :mod:`pipeline.release.words`)."""
    p, rep, lang = result.profile, result.report, table.lang
    w = words(lang)
    title = md(q.study.title.get(lang))
    letters = missing_letters(table)
    released = rep.stage("released")
    recoded = rep.stage("recoded")
    lines = [
        f"# {title}: {md(p.title.get(lang))}",
        "",
        w["readme_head"].format(
            profile=p.name,
            use=word(f"use_{p.use}", lang, p.use.replace("_", " ")),
            records=nf.count(len(table.frame), lang),
            variables=nf.count(len(table.variables), lang),
            qid=q.study.id,
            version=q.study.version,
            run=info.run_id,
            pipeline=info.pipeline_version,
        ),
        "",
    ]
    if info.synthetic:
        lines += [w["synthetic"], ""]
    if q.study.status == "reference":
        lines += [w["reference"], ""]
    lines += [
        f"## {w['conditions']}",
        "",
        md(fill_text(p.conditions_of_use, q, lang)),
        "",
        f"## {w['citation']}",
        "",
        md(fill_text(p.citation, q, lang)),
        "",
        f"## {w['files']}",
        "",
        w["files_table"],
        "|---|---|",
    ]
    lines += [f"| `{name}` | {what} |" for name, what in info.files]
    lines += [
        "",
        w["check_files"] + " "
        "`python3 -c \"import hashlib,json; m=json.load(open('manifest.json')); "
        "print(all(hashlib.sha256(open(f['path'],'rb').read()).hexdigest()==f['sha256'] for f in m['files']))\"`.",
        "",
        f"## {w['weights']}",
        "",
        *_weights_section(result, table, q),
        "",
        f"## {w['missing_codes']}",
        "",
        w["missing_table"],
        "|---|---|---|---|",
    ]
    lines += [
        f"| {c} | {md(label)} | {w['user_missing']} | `.{letters[c]}` |"
        for c, _k, label in table.missing_codes
    ]
    lines += [
        "",
        w["empty_value"],
        "",
        w["stata_note"],
        "",
        *_construction_section(table, q),
        f"## {w['sdc']}",
        "",
        w["sdc_removed"],
        w["sdc_keys"].format(
            keys=_names(rep.keys),
            k=rep.k,
            recoded=nf.count(recoded.violating, lang),
            released=nf.count(released.violating, lang),
        ),
        w["sdc_suppression"].format(
            total=nf.count(rep.suppressed_total, lang),
            records=nf.count(rep.records_suppressed, lang),
            code=result.suppressed_code,
            label=md(result.suppressed_label.get(lang)),
            cells=", ".join(f"`{v}` {nf.count(n, lang)}" for v, n in rep.suppressed if n),
        ),
    ]
    if rep.recodes:
        lines.append(
            w["sdc_recodes"].format(
                recodes="; ".join(
                    f"`{v}` ({word(f'recode_{k}', lang, k.replace('_', ' '))})"
                    for v, k, _n in rep.recodes
                )
            )
        )
    if rep.pram:
        lines.append(
            w["sdc_pram"].format(
                pram="; ".join(
                    w["pram_item"].format(
                        variable=f"`{v}`",
                        changed=nf.count(c, lang),
                        retention=nf.general(r, lang, "g"),
                    )
                    for v, c, r in rep.pram
                )
            )
        )
    lines += [
        "",
        w["sdc_more"],
        "",
        f"<!-- provenance: data (03_score/scored.parquet) sha256 {info.data_sha256}; profile sha256 {info.profile_sha256} -->",
        "",
    ]
    return "\n".join(lines)
