"""The README of a release (Markdown): what the files are, the conditions of use and the citation
(from the profile, with ``{title}``, ``{wave}``, ``{version}``, ``{year}`` filled in), how to weight,
the non-substantive codes, what disclosure control did, and the residual risk, stated plainly
(for a release that keeps the calibrated weights: how many suppressed values the weight gives back).
"""

from __future__ import annotations

from dataclasses import dataclass

from pipeline.markdown import escape as md
from pipeline.questionnaire.model import Questionnaire
from pipeline.release.stata import missing_letters
from pipeline.release.table import ReleaseTable
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


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def changed_variables(result: ReleaseResult) -> tuple[str, ...]:
    """Variables of the release with suppressed or PRAM-changed values (their domains' weighted
    figures differ from the published ones)."""
    rep = result.report
    changed = [v for v, n in rep.suppressed + rep.linked_suppressed if n] + [
        v for v, c, _r in rep.pram if c
    ]
    return tuple(v for v in dict.fromkeys(changed) if v in result.frame.columns)


def _protected_kinds(link: WeightLinkage) -> str:
    return (
        "suppressed, perturbed or unreleased"
        if link.unreleased_cells
        else "suppressed or perturbed"
    )


def _weights_section(result: ReleaseResult, table: ReleaseTable, q: Questionnaire) -> list[str]:
    rep = result.report
    wt, link = rep.weights, rep.weight_linkage
    if table.weight is None or wt is None or link is None:
        return [
            "This release has no weights: figures computed from it describe the respondents, not the population."
        ]
    # the variables the weights are calibrated on: all of the questionnaire's for the original weights
    # (the release must contain them all), the released ones for recalibrated weights
    calibrated = q.weighting if wt.method == "original" else wt.variables
    out = [
        f"Analyse with the weight `{table.weight}` (it sums to the population; `weight_normalised` has mean 1). "
        "The weights are calibrated (raked) on "
        + ", ".join(calibrated)
        + (" as released in this file" if wt.method != "original" else "")
        + "; for standard errors treat the sample as a simple random sample calibrated on these variables (e.g. R "
        "`survey`: `svydesign(ids = ~1, weights = ~weight)`, then `calibrate()` to the weighted totals of these "
        "variables), or accept the slightly conservative standard errors of the weights alone.",
        "",
    ]
    if wt.method == "original":
        changed = changed_variables(result)
        out += [
            "The weights are the calibrated weights as the foundation uses them: overall weighted figures, and "
            "figures for domains of variables without suppressed or perturbed values, reproduce the published "
            "estimates exactly"
            + (
                f"; domains of {', '.join(changed)} (variables with suppressed or perturbed values) differ from the "
                "published ones, since a suppressed or perturbed value leaves its domain: for the indicators of the "
                f"risk report by up to {100 * round(rep.max_abs_diff, DIFF_DECIMALS):.2f} percentage points"
                if changed
                else ""
            )
            + f". **Residual risk**: raked weights are one number per weighting cell, so a value of "
            f"{', '.join(link.variables)} that disclosure control suppressed or perturbed can be read back from the "
            f"weight: in this file {link.recoverable_cells} of {link.protected_cells} {_protected_kinds(link)} values "
            f"({_pct(link.recoverable_share)}). The conditions of use forbid any attempt to do so."
        ]
    else:
        before = rep.weight_linkage_original
        out += [
            f"The weights were **recalibrated on the released values** of {', '.join(wt.variables)}: records that "
            "look alike in this file have the same weight, so the weight tells nothing about a record that its "
            f"released values do not ({link.recoverable_cells} of {link.protected_cells} {_protected_kinds(link)} "
            "values can be read back from it"
            + (
                f"; with the original raked weights at least {before.recoverable_cells} could"
                if before
                else ""
            )
            + ")"
            + (
                f"; they do not depend on {', '.join(link.unreleased)}, which this file does not contain"
                if link.unreleased
                else ""
            )
            + ". The price: weighted figures differ slightly from the published ones "
            f"(Kish design effect {wt.kish_before:.3f} -> {wt.kish_after:.3f}; see the risk report for the change "
            "in key estimates)."
        ]
    return out


def _construction_section(table: ReleaseTable, q: Questionnaire) -> list[str]:
    """How every released score and indicator is built (:mod:`pipeline.release.construction`), in
    the release's language."""
    from pipeline.release.construction import constructions, werkbaar_werk_definition

    lang = table.lang
    built = constructions(q, {v.name for v in table.variables}, lang)
    if not built:
        return []
    nl = lang == "nl"
    lines = [
        "## Hoe de scores en indicatoren berekend worden"
        if nl
        else "## How the scores and indicators are built",
        "",
    ]
    ww = werkbaar_werk_definition(q, lang)
    if ww:
        lines += [md(ww), ""]
    lines += [
        "| variabelen | label | berekening |" if nl else "| variables | label | how it is built |",
        "|---|---|---|",
    ]
    lines += [
        f"| {', '.join(f'`{c}`' for c in b.columns)} | {md(b.label)} | {md(b.how)} |" for b in built
    ]
    return [*lines, ""]


def render(result: ReleaseResult, table: ReleaseTable, q: Questionnaire, info: ReadmeInfo) -> str:
    p, rep, lang = result.profile, result.report, table.lang
    title = md(q.study.title.get(lang))
    letters = missing_letters(table)
    released = rep.stage("released")
    recoded = rep.stage("recoded")
    lines = [
        f"# {title}: {md(p.title.get(lang))}",
        "",
        f"Profile `{p.name}` ({p.use.replace('_', ' ')}), {len(table.frame):,} records, "
        f"{len(table.variables)} variables. Questionnaire `{q.study.id}` version {q.study.version}; run `{info.run_id}`; "
        f"wbm-pipeline {info.pipeline_version}.",
        "",
    ]
    if info.synthetic:
        lines += [
            "> **SYNTHETIC DATA.** These records come from the pipeline's synthetic-wave generator and describe "
            "no real person. Do not use them for substantive conclusions.",
            "",
        ]
    if q.study.status == "reference":
        lines += [
            "> The questionnaire is a *reference version* (paraphrased item texts, reference cut-offs), not the "
            "official instrument.",
            "",
        ]
    lines += [
        "## Conditions of use",
        "",
        md(fill_text(p.conditions_of_use, q, lang)),
        "",
        "## Citation",
        "",
        md(fill_text(p.citation, q, lang)),
        "",
        "## Files",
        "",
        "| file | what |",
        "|---|---|",
    ]
    lines += [f"| `{name}` | {what} |" for name, what in info.files]
    lines += [
        "",
        "Check the files against `manifest.json` (SHA-256 of every file), e.g. "
        "`python3 -c \"import hashlib,json; m=json.load(open('manifest.json')); "
        "print(all(hashlib.sha256(open(f['path'],'rb').read()).hexdigest()==f['sha256'] for f in m['files']))\"`.",
        "",
        "## Weights",
        "",
        *_weights_section(result, table, q),
        "",
        "## Non-substantive codes",
        "",
        "| code | meaning | SPSS | Stata |",
        "|---|---|---|---|",
    ]
    lines += [
        f"| {c} | {md(label)} | user-missing | `.{letters[c]}` |"
        for c, _k, label in table.missing_codes
    ]
    lines += [
        "",
        "An empty value (SPSS system-missing, Stata `.`) could not be computed (e.g. a score with too few "
        "answered items).",
        "",
        "The `.dta` file is Stata format 118 (Stata 14 and later). In R, read it with `haven::read_dta()` "
        "(or `readstata13`); `foreign::read.dta()` reads no file written after Stata 12. Python: "
        "`pandas.read_stata()` or `pyreadstat.read_dta()`.",
        "",
        *_construction_section(table, q),
        "## Disclosure control",
        "",
        "- Removed: direct identifiers, the sample id (replaced by a random `release_id`; rows are in release-id "
        "order), free text, dates and processing columns.",
        f"- Key variables (what an outsider may know about a person): {', '.join(rep.keys)}. Every combination of "
        f"their released values occurs at least k = {rep.k} times (suppressed and missing values count as "
        f"matching any value): {recoded.violating:,} records violated this after the recodes, {released.violating} "
        "after local suppression.",
        f"- Local suppression: {rep.suppressed_total:,} values in {rep.records_suppressed:,} records, coded "
        f"{result.suppressed_code} ({md(result.suppressed_label.get(lang))}): "
        + ", ".join(f"{v} {n}" for v, n in rep.suppressed if n)
        + ".",
    ]
    if rep.recodes:
        lines.append(
            "- Recodes: "
            + "; ".join(f"{v} ({k.replace('_', ' ')})" for v, k, _n in rep.recodes)
            + "."
        )
    if rep.pram:
        lines.append(
            "- PRAM (values randomly changed with a known probability; the expected distribution is kept): "
            + "; ".join(f"{v}, {c:,} values changed (retention {r:g})" for v, c, r in rep.pram)
            + "."
        )
    lines += [
        "",
        "The codebook gives every variable with its frequencies; `risk_report.html` the risk before and "
        "after and the information loss.",
        "",
        f"<!-- provenance: data (03_score/scored.parquet) sha256 {info.data_sha256}; profile sha256 {info.profile_sha256} -->",
        "",
    ]
    return "\n".join(lines)
