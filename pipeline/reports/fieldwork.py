"""``wbm fieldwork``: the fieldwork report of a run (response, representativeness, mode effects).

Links the sample frame to the run's scored responses by sample id (one row per invited unit),
calls :func:`pipeline.fieldwork.api.diagnose`, and writes ``fieldwork.json`` (every figure) and
``fieldwork.html`` (charts first, Dutch or English) into the output folder.

**An internal document** (issue 13): it is for the fieldwork team, who judge the fieldwork with it,
and none of its figures goes through the disclosure engine or the ledger. Response by register group
shows groups of any size, including who did or did not respond in a small one (itself sensitive);
the R-indicators come from a response model on every invited unit; the estimates by mode are survey
figures per mode that no release protects. Under a policy that protects the reports' figures
(``protect_reports: true``) the report says so at the top and in ``fieldwork.json``
(``"internal"``), and it is not part of the public outputs: it is written by ``wbm fieldwork`` into
``RUN/06_fieldwork`` (a tool folder, not the outputs stage), never by the outputs stage, ``wbm
report`` or the demo. The section by origin is left out under that policy
(:mod:`pipeline.reports.origin`). A figure of it for publication is a ``wbm table`` request.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from pipeline.errors import Problem, UsageError
from pipeline.fieldwork.api import FieldworkResult, diagnose
from pipeline.fieldwork.callrecords import CallRecords
from pipeline.fieldwork.modes import ModeContrast
from pipeline.questionnaire.model import Questionnaire

WORKABILITY = (
    "werkbaar_werk",
    "werkstress",
    "welbevinden_probleem",
    "leerprobleem",
    "werk_prive_probleem",
)

T = {
    "nl": {
        "title": "Veldwerk en representativiteit",
        "synthetic": "SYNTHETISCHE gegevens",
        "invited": "uitgenodigd",
        "respondents": "respondenten",
        "rate": "respons",
        "overall": "Respons",
        "by_var": "Respons naar registerkenmerk (95%-betrouwbaarheidsinterval)",
        "r_title": "Representativiteit: R-indicator",
        "r_text": "R = 1 betekent dat elke groep uit het register even vaak antwoordt; hoe lager, hoe "
        "scheever de respons. Berekend uit een responsmodel op de steekproef ({vars}).",
        "cv": "maximale vertekening (CV)",
        "partial": "Partiële R-indicatoren per categorie (onvoorwaardelijk): negatief = "
        "ondervertegenwoordigd, positief = oververtegenwoordigd",
        "partial_var": "Welke kenmerken drijven de onevenwichtigheid? (onvoorwaardelijk en "
        "voorwaardelijk op de andere kenmerken)",
        "modes": "Papier en web: selectie of meting?",
        "modes_text": "Per indicator het ruwe verschil {mode} min {ref}, gesplitst in selectie (wie "
        "in welke modus antwoordt, verklaard door de registerkenmerken) en het resterende "
        "verschil nadat beide groepen naar dezelfde populatie zijn gewogen ({method}). Het "
        "resterende verschil is een mogelijk meeteffect: het is alleen een meeteffect als de "
        "registerkenmerken de moduskeuze verklaren.",
        "raw": "ruw verschil",
        "selection": "selectie",
        "remaining": "resterend verschil (mogelijk meeteffect)",
        "points": "procentpunt",
        "paradata": "Kwaliteit van de antwoorden per modus",
        "inr": "item-non-respons (aandeel open items)",
        "straight": "rechtlijnig antwoorden (aandeel respondenten)",
        "duration": "Invultijd (minuten)",
        "median": "mediaan",
        "no_duration": "Papier heeft geen invultijd.",
        "verdict_sel": "het verschil komt vooral door selectie",
        "verdict_meas": "na weging blijft een verschil: mogelijk een meeteffect",
        "verdict_none": "geen betekenisvol verschil",
        "method_calibration": "kalibratie op de registertotalen van de steekproef",
        "method_propensity": "weging met de inverse responskans",
        "variable": "kenmerk",
        "level": "categorie",
        "truth": "synthetische waarheid (selectie; meting)",
        "overview": "Alle indicatoren, web min papier in procentpunt: selectie (licht) en resterend "
        "verschil na weging (donker), met 95%-betrouwbaarheidsinterval.",
        "truth_mark": "Zwart streepje: de synthetische waarheid.",
        "remaining_short": "resterend",
        "internal": "Intern document voor het veldwerkteam: niet publiceren.",
        "internal_text": "Volgens het openbaarmakingsbeleid van de uitgever ({policy}) gaan alleen "
        "cijfers naar buiten die de openbaarmakingscontrole vrijgeeft en als publicatie vastlegt. "
        "De cijfers van dit rapport (de respons per registerkenmerk, ook van kleine groepen, de "
        "R-indicatoren en de schattingen per modus) zijn dat niet: ze dienen om het veldwerk te "
        "beoordelen. Een cijfer voor publicatie vraagt u aan met wbm table.",
    },
    "en": {
        "title": "Fieldwork and representativeness",
        "synthetic": "SYNTHETIC data",
        "invited": "invited",
        "respondents": "respondents",
        "rate": "response",
        "overall": "Response",
        "by_var": "Response by register variable (95% confidence interval)",
        "r_title": "Representativeness: R-indicator",
        "r_text": "R = 1 means every register group responds alike; the lower, the more skewed the "
        "response. From a response-propensity model on the sample ({vars}).",
        "cv": "maximal bias (CV)",
        "partial": "Category-level partial R-indicators (unconditional): negative = "
        "under-represented, positive = over-represented",
        "partial_var": "Which variables drive the imbalance? (unconditional and conditional on the "
        "other variables)",
        "modes": "Paper and web: selection or measurement?",
        "modes_text": "For each indicator the raw difference {mode} minus {ref}, split into "
        "selection (who answers in which mode, explained by the register variables) and the "
        "difference that remains when both are weighted to the same population ({method}). The "
        "remaining difference is a possible measurement effect: it is one only if the register "
        "variables explain the choice of mode.",
        "raw": "raw difference",
        "selection": "selection",
        "remaining": "remaining difference (possible measurement effect)",
        "points": "percentage points",
        "paradata": "Response quality by mode",
        "inr": "item nonresponse (share of items left open)",
        "straight": "straightlining (share of respondents)",
        "duration": "Completion time (minutes)",
        "median": "median",
        "no_duration": "Paper has no completion time.",
        "verdict_sel": "the difference is mostly selection",
        "verdict_meas": "a difference remains after weighting: possibly a measurement effect",
        "verdict_none": "no meaningful difference",
        "method_calibration": "calibration to the sample's register totals",
        "method_propensity": "inverse response-propensity weighting",
        "variable": "variable",
        "level": "category",
        "truth": "synthetic truth (selection; measurement)",
        "overview": "Every indicator, web minus paper in percentage points: selection (light) and "
        "the difference remaining after weighting (dark), with 95% confidence interval.",
        "truth_mark": "Black tick: the synthetic truth.",
        "remaining_short": "remaining",
        "internal": "Internal document for the fieldwork team: do not publish.",
        "internal_text": "Under the publisher's disclosure policy ({policy}) only figures that the "
        "disclosure control releases and logs as a publication go out. The figures of this report "
        "(response by register variable, small groups included, the R-indicators and the "
        "estimates by mode) are not: they are for judging the fieldwork. Request a figure for "
        "publication with wbm table.",
    },
}


@dataclass(frozen=True, eq=False)
class FieldworkInputs:
    linked: pd.DataFrame
    indicators: tuple[str, ...]
    synthetic: bool
    variables: tuple[str, ...] = ()  # the frame's register variables (age in years left out)


def link_run(run_dir: Path, frame_path: Path, q: Questionnaire) -> FieldworkInputs:
    """One row per invited unit: the frame's register variables, the mode of the accepted
    response (empty when none), indicators and paradata of the respondents."""
    from pipeline.frame.read import read_frame
    from pipeline.rundata.read import read_scored
    from pipeline.scoring.api import indicator_columns

    frame = read_frame(frame_path, q)
    scored, _ = read_scored(run_dir)
    linked = pd.DataFrame({"sample_id": frame.ids})
    for v, arr in frame.values.items():
        linked[v] = arr
    if frame.design_weight is not None:
        linked["design_weight"] = frame.design_weight
    if frame.stratum is not None:
        linked["stratum"] = frame.stratum
    # the questionnaire's id variable (``org_id`` in the enterprise survey) links to the frame's
    # sample_id
    ids = scored[q.study.id_variable].astype(str).to_numpy(dtype=object)
    row = frame.lookup(ids)
    unknown = int((row < 0).sum())
    if unknown:
        raise UsageError(
            f"{unknown} respondent(s) of the run are not in the sample frame {frame.source}",
            [
                Problem(
                    "a sample id of the run is not in the frame",
                    file=str(frame_path),
                    hint="give the frame of this wave (--frame)",
                )
            ],
            code="frame_unlinked",
        )
    mode = np.full(frame.n, "", dtype=object)
    mode[row] = scored["_mode"].astype(str).to_numpy()
    linked["mode"] = mode
    indicators = tuple(
        c for c in indicator_columns(q) if c in scored.columns and not c.endswith("_acuut")
    )
    for c in indicators:
        vals = np.full(frame.n, np.nan)
        vals[row] = pd.to_numeric(scored[c], errors="coerce").to_numpy(dtype=np.float64)
        linked[c] = vals
    inr = np.full(frame.n, np.nan)
    inr[row] = scored["_item_nonresponse"].to_numpy(dtype=np.float64)
    linked["item_nonresponse"] = inr
    st = np.full(frame.n, np.nan)
    st[row] = (
        scored["_flags"]
        .fillna("")
        .astype(str)
        .str.contains("straightlining")
        .to_numpy(dtype=np.float64)
    )
    linked["straightlining"] = st
    if "duration_sec" in scored.columns:
        d = np.full(frame.n, np.nan)
        d[row] = pd.to_numeric(scored["duration_sec"], errors="coerce").to_numpy(dtype=np.float64)
        linked["duration_sec"] = d
    return FieldworkInputs(
        linked,
        indicators,
        synthetic=_synthetic(frame_path),
        variables=tuple(v for v in frame.variables if v != "age"),
    )


def _aapor(
    frame_path: Path, q: Questionnaire, calls: CallRecords | None = None
) -> dict[str, Any] | None:
    """AAPOR RR1-RR4 (all units, per design stratum) of the final dispositions in the call
    records when given (``source`` "oproepen"; a frame unit never called counts as UH, eligibility
    unknown), else of the frame's ``disposition`` column as the validation report has them; None
    without either."""
    import dataclasses

    from pipeline.errors import InputError
    from pipeline.frame.read import read_frame, register_labels
    from pipeline.validate.framelink import aapor_by_stratum

    frame = read_frame(frame_path, q)
    strata = tuple(q.study.strata)
    labels = {v: register_labels(q, v) for v in strata}
    if calls is None:
        out = aapor_by_stratum(frame, strata, labels)
        if out is not None:
            out["source"] = "frame"
        return out
    final = calls.final()
    ids = np.asarray(list(final), dtype=object)
    row = frame.lookup(ids)
    stray = ids[row < 0]
    if stray.size:
        raise InputError(
            f"{calls.source}: {stray.size} unit(s) of the call records are not in the frame",
            [
                Problem(
                    "unit not in the sample frame",
                    file=calls.source,
                    column=q.study.id_variable,
                    value=str(u),
                    code="bad_call_record",
                )
                for u in stray[:5]
            ],
            code="bad_call_record",
        )
    disp = np.full(frame.n, "UH", dtype=object)
    disp[row] = np.asarray(list(final.values()), dtype=object)
    out = aapor_by_stratum(dataclasses.replace(frame, disposition=disp), strata, labels)
    assert out is not None
    out["source"] = "calls"
    out["never_called"] = int(frame.n - row.size)
    if frame.disposition is not None:
        out["disagree_with_frame"] = int((frame.disposition != disp).sum())
    out["interviewers"] = calls.interviewers()
    out["calls"] = len(calls.calls)
    return out


def _aapor_html(ap: dict[str, Any], lang: str) -> str:
    title = (
        "Responsgraden volgens AAPOR (eindresultaat van de oproepen)"
        if lang == "nl"
        else "AAPOR response rates (final call outcomes)"
    )
    if ap.get("source") == "calls":
        title += (
            " – uit de oproepregistratie van het veldwerkbureau"
            if lang == "nl"
            else " – from the agency's call records"
        )
    note = (
        "RR1 = volledige interviews / alle (mogelijk) in aanmerking komende eenheden; RR2 telt "
        "gedeeltelijke interviews mee; RR3 en RR4 tellen van de eenheden met onbekende "
        "geschiktheid alleen het geschatte aandeel e."
        if lang == "nl"
        else "RR1 = complete interviews / all (possibly) eligible units; RR2 counts partial "
        "interviews too; RR3 and RR4 count only the estimated eligible share e of the units of "
        "unknown eligibility."
    )
    keys = list(ap.get("keys", []))
    head = "".join(f"<th>{html.escape(str(k))}</th>" for k in keys)
    rows = []
    for r in ap.get("rows", []):
        name = f"{r['level']} {r['label']}".strip() or (
            "alle eenheden" if lang == "nl" else "all units"
        )
        rates = "".join(
            "<td>" + ("" if r.get(k) is None else _num(100 * r[k], lang)) + "</td>"
            for k in ("e", "rr1", "rr2", "rr3", "rr4")
        )
        counts = "".join(f"<td>{_int(int(r['counts'][k]), lang)}</td>" for k in keys)
        rows.append(
            f"<tr><td>{html.escape(name)}</td><td>{_int(int(r['sampled']), lang)}</td>"
            f"{counts}{rates}</tr>"
        )
    return (
        f"<h2>{html.escape(title)}</h2><p>{html.escape(note)}</p><table><tr><th></th><th>n</th>"
        f"{head}<th>e</th><th>RR1</th><th>RR2</th><th>RR3</th><th>RR4</th></tr>"
        + "".join(rows)
        + "</table>"
        + _interviewers_html(ap, lang)
    )


def _interviewers_html(ap: dict[str, Any], lang: str) -> str:
    """Calls and final outcomes per interviewer (from the call records)."""
    people = ap.get("interviewers")
    if not people:
        return ""
    nl = lang == "nl"
    rates = [p["interview_rate"] for p in people if p["interview_rate"] is not None]
    spread = f"{_num(100 * min(rates), lang)}–{_num(100 * max(rates), lang)}%" if rates else "–"
    note = (
        f"{_int(int(ap['calls']), lang)} oproepen door {_int(len(people), lang)} interviewers; "
        f"{_int(int(ap.get('never_called', 0)), lang)} eenheden nooit opgebeld (geteld als "
        f"geschiktheid onbekend). Aandeel volledige interviews onder de afgeronde eenheden per "
        f"interviewer: {spread}. Een interviewer rondt een eenheid af bij de laatste oproep."
        if nl
        else f"{_int(int(ap['calls']), lang)} calls by {_int(len(people), lang)} interviewers; "
        f"{_int(int(ap.get('never_called', 0)), lang)} units never called (counted as unknown "
        f"eligibility). Share of complete interviews among the units an interviewer finalised: "
        f"{spread}. An interviewer finalises a unit at its last call."
    )
    head = (
        ("interviewer", "oproepen", "eenheden", "afgerond", "I", "P", "R", "% I")
        if nl
        else ("interviewer", "calls", "units", "finalised", "I", "P", "R", "% I")
    )
    body = "".join(
        f"<tr><td>{html.escape(str(p['interviewer']))}</td>"
        + "".join(
            f"<td>{_int(int(p[k]), lang)}</td>"
            for k in ("calls", "units", "finalised", "I", "P", "R")
        )
        + "<td>"
        + ("" if p["interview_rate"] is None else _num(100 * p["interview_rate"], lang))
        + "</td></tr>"
        for p in people
    )
    title = "Interviewers" if nl else "Interviewers"
    return (
        f"<h3>{title}</h3><p>{html.escape(note)}</p><table><tr>"
        + "".join(f"<th>{html.escape(h)}</th>" for h in head)
        + f"</tr>{body}</table>"
    )


def _mode_truth(frame_path: Path) -> dict[str, Any] | None:
    """The generator's web - paper differences (``truth.json``'s ``mode_effects``) of a synthetic
    wave, shown beside the estimates (None when absent)."""
    import json

    try:
        t = json.loads((frame_path.parent / "truth.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    me = t.get("mode_effects") if isinstance(t, dict) else None
    return me if isinstance(me, dict) and isinstance(me.get("indicators"), dict) else None


def _synthetic(frame_path: Path) -> bool:
    """A frame written by the synthetic generator: its wave.json says ``"synthetic": true``."""
    import json

    meta = frame_path.parent / "wave.json"
    try:
        return bool(json.loads(meta.read_text(encoding="utf-8")).get("synthetic"))
    except (OSError, ValueError, AttributeError):
        return False


# ------------------------------------------------------------------------------------ rendering
def _num(x: float, lang: str, digits: int = 1) -> str:
    s = f"{x:,.{digits}f}"
    if lang == "nl":
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s.replace("-", "\u2212")


def _int(x: int, lang: str) -> str:
    s = f"{x:,d}"
    return s.replace(",", ".") if lang == "nl" else s


def _forest(
    rows: list[tuple[str, float, float, float, str]],
    *,
    title: str,
    unit: str,
    lang: str,
    digits: int = 1,
    marks: dict[int, float] | None = None,
) -> str:
    """A dot-and-whisker chart around zero: (label, estimate, low, high, colour) per row;
    ``marks``: a black tick per row index (e.g. the synthetic truth)."""
    if not rows:
        return ""
    marks = marks or {}
    # the label column grows with the longest label (12 px sans-serif: about 6.6 px a character)
    left = min(max(300.0, 6.6 * max(len(r[0]) for r in rows) + 12), 460.0)
    w, right, rh = left + 380.0, 50.0, 22.0
    lo = min(min(r[2] for r in rows), 0.0, *marks.values())
    hi = max(max(r[3] for r in rows), 0.0, *marks.values())
    pad = (hi - lo) * 0.08 or 1.0
    lo, hi = lo - pad, hi + pad
    h = 30 + rh * len(rows) + 24

    def x(v: float) -> float:
        return left + (v - lo) / (hi - lo) * (w - left - right)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w:.0f} {h:.0f}" role="img" class="chart">',
        f"<title>{html.escape(title)}</title>",
        "<desc>"
        + html.escape(
            "; ".join(
                f"{r[0]}: {_num(r[1], lang)} ({_num(r[2], lang)} tot {_num(r[3], lang)}) {unit}"
                for r in rows
            )
        )
        + "</desc>",
        f'<line x1="{x(0):.1f}" y1="18" x2="{x(0):.1f}" y2="{h - 20:.1f}" stroke="#888" stroke-dasharray="3,3"/>',
    ]
    for i, (label, est, a, b, colour) in enumerate(rows):
        y = 30 + rh * i
        parts.append(
            f'<text x="{left - 8:.0f}" y="{y + 4:.1f}" text-anchor="end" font-size="12">{html.escape(label)}</text>'
        )
        parts.append(
            f'<line x1="{x(a):.1f}" y1="{y:.1f}" x2="{x(b):.1f}" y2="{y:.1f}" stroke="{colour}" stroke-width="2"/>'
        )
        parts.append(f'<circle cx="{x(est):.1f}" cy="{y:.1f}" r="4.5" fill="{colour}"/>')
        if i in marks:
            parts.append(
                f'<line x1="{x(marks[i]):.1f}" y1="{y - 8:.1f}" x2="{x(marks[i]):.1f}" '
                f'y2="{y + 8:.1f}" stroke="#000" stroke-width="2"/>'
            )
        parts.append(
            f'<text x="{w - 4:.0f}" y="{y + 4:.1f}" text-anchor="end" font-size="11" fill="#555">{_num(est, lang, digits)}</text>'
        )
    parts.append(
        f'<text x="{x(0):.1f}" y="{h - 6:.1f}" text-anchor="middle" font-size="11" fill="#555">0 {html.escape(unit)}</text>'
    )
    parts.append("</svg>")
    return "".join(parts)


def _bars(
    rows: list[tuple[str, float, float, float]],
    *,
    chart_id: str,
    title: str,
    lang: str,
    ref: float | None,
) -> str:
    from pipeline.reports.charts import Bar, BarChart, render_bar_chart

    bars = [
        Bar(
            label=lab,
            value=100 * v,
            ci_low=100 * a,
            ci_high=100 * b,
            reference=None if ref is None else 100 * ref,
            value_text=_num(100 * v, lang),
            unit="%",
        )
        for lab, v, a, b in rows
    ]
    desc = "; ".join(f"{lab}: {_num(100 * v, lang)}%" for lab, v, _, _ in rows)
    return render_bar_chart(
        BarChart(
            chart_id=chart_id,
            title=title,
            desc=desc,
            bars=tuple(bars),
            series_label=T[lang]["rate"],
            reference_label="totaal" if lang == "nl" else "total",
            ci_label="95%-BI" if lang == "nl" else "95% CI",
        )
    )


def _contrast_rows(
    c: ModeContrast, t: dict[str, str]
) -> list[tuple[str, float, float, float, str]]:
    out = []
    for what, label, colour in (
        ("raw", t["raw"], "#555555"),
        ("selection", t["selection"], "#3b6ea8"),
        ("adjusted", t["remaining"], "#d9480f"),
    ):
        lo, hi = c.ci(what)
        out.append((label, 100 * getattr(c, what), 100 * lo, 100 * hi, colour))
    return out


def _verdict(c: ModeContrast, t: dict[str, str]) -> str:
    if c.significant("adjusted"):
        return t["verdict_meas"]
    if c.significant("selection") or c.significant("raw"):
        return t["verdict_sel"]
    return t["verdict_none"]


def render_fieldwork(
    res: FieldworkResult,
    q: Questionnaire,
    *,
    lang: str = "nl",
    synthetic: bool = True,
    truth: dict[str, dict[str, float]] | None = None,
    extra: str = "",
    internal: str = "",
) -> str:
    """The HTML report; ``internal``: the id of a policy that protects the reports' figures (the
    report then says at the top that it is internal and not for publication)."""
    from pipeline.reports.labels import domain_label, indicator_label, level_label

    t = T[lang]
    e = html.escape
    overall = res.response[0]
    body = [
        f"<h1>{e(t['title'])} — {e(q.study.title.nl if lang == 'nl' else (q.study.title.en or q.study.title.nl))}</h1>"
    ]
    if internal:
        body.append(
            f'<p class="internal" role="note"><strong>{e(t["internal"])}</strong> '
            + e(t["internal_text"].format(policy=internal)).replace(
                "wbm table", "<code>wbm table</code>"
            )
            + "</p>"
        )
    if synthetic:
        body.append(f'<p class="synthetic"><strong>{e(t["synthetic"])}</strong></p>')
    body.append(
        f"<h2>{e(t['overall'])}</h2><table><tr><th></th><th>{e(t['invited'])}</th><th>{e(t['respondents'])}</th><th>{e(t['rate'])}</th></tr>"
    )
    body.append(
        f"<tr><td>{'totaal' if lang == 'nl' else 'total'}</td><td>{_int(overall.invited, lang)}</td><td>{_int(overall.respondents, lang)}</td><td>{_num(100 * overall.rate, lang)}%</td></tr>"
    )
    for m, k, rate in overall.by_mode:
        body.append(
            f"<tr><td>{e(m)}</td><td></td><td>{_int(k, lang)}</td><td>{_num(100 * rate, lang)}%</td></tr>"
        )
    body.append("</table>")
    body.append(f"<h2>{e(t['by_var'])}</h2>")
    for var in res.variables:
        rows = [
            (
                level_label(q, var, r.level, lang) if var != "origin" else _origin(r.level, lang),
                r.rate,
                r.ci_low,
                r.ci_high,
            )
            for r in res.response
            if r.variable == var
        ]
        body.append(
            f"<h3>{e(domain_label(q, var, lang) if var != 'origin' else ('herkomst' if lang == 'nl' else 'origin'))}</h3>"
        )
        body.append(
            _bars(
                rows,
                chart_id=f"resp-{var}",
                title=f"{t['rate']} {var}",
                lang=lang,
                ref=overall.rate,
            )
        )
    r = res.representativeness
    body.append(f"<h2>{e(t['r_title'])}</h2>")
    body.append(
        f'<p class="big">R = {_num(r.r, lang, 3)} (95%-BI {_num(r.ci_low, lang, 3)} – {_num(r.ci_high, lang, 3)}); {e(t["cv"])} {_num(r.cv, lang, 3)}</p>'
    )
    body.append(f"<p>{e(t['r_text'].format(vars=', '.join(res.variables)))}</p>")
    per_mode = ", ".join(
        f"{m}: R = {_num(x.r, lang, 3)} ({_num(x.ci_low, lang, 3)} – {_num(x.ci_high, lang, 3)})"
        for m, x in res.by_mode_representativeness
    )
    if per_mode:
        body.append(f"<p>{e(per_mode)}</p>")
    body.append(f"<h3>{e(t['partial_var'])}</h3>")

    def vname(var: str) -> str:
        if var == "origin":
            return "herkomst" if lang == "nl" else "origin"
        return domain_label(q, var, lang)

    def cname(var: str, level: str) -> str:
        return _origin(level, lang) if var == "origin" else level_label(q, var, level, lang)

    vrows = []
    for v in r.variables_partial:
        vrows.append(
            (
                f"{vname(v.variable)} (onvoorw.)"
                if lang == "nl"
                else f"{vname(v.variable)} (uncond.)",
                v.unconditional,
                v.unconditional - Z * v.unconditional_se,
                v.unconditional + Z * v.unconditional_se,
                "#3b6ea8",
            )
        )
        vrows.append(
            (
                f"{vname(v.variable)} (voorw.)" if lang == "nl" else f"{vname(v.variable)} (cond.)",
                v.conditional,
                v.conditional - Z * v.conditional_se,
                v.conditional + Z * v.conditional_se,
                "#16365c",
            )
        )
    body.append(_forest(vrows, title=t["partial_var"], unit="", lang=lang, digits=3))
    body.append(f"<h3>{e(t['partial'])}</h3>")
    crows = [
        (
            f"{vname(c.variable)}: {cname(c.variable, c.category)}",
            c.unconditional,
            c.unconditional - Z * c.unconditional_se,
            c.unconditional + Z * c.unconditional_se,
            "#d9480f" if c.unconditional < 0 else "#3b6ea8",
        )
        for c in r.categories_partial
    ]
    body.append(_forest(crows, title=t["partial"], unit="", lang=lang, digits=3))
    me = res.mode_effects
    if me is not None:
        method = t[f"method_{me.method}"]
        body.append(f"<h2>{e(t['modes'])}</h2>")
        for c in me.contrasts:
            body.append(
                f"<p>{e(t['modes_text'].format(mode=c.mode, ref=c.reference, method=method))}</p>"
            )
            break
        orows: list[tuple[str, float, float, float, str]] = []
        omarks: dict[int, float] = {}
        for c in me.contrasts:
            label = indicator_label(q, c.indicator, lang)
            tr = (truth or {}).get(c.indicator)
            for what, key, colour in (
                ("selection", "selection", "#9fb8d6"),
                ("adjusted", "measurement", "#16365c"),
            ):
                lo, hi = c.ci(what)
                if tr is not None:
                    omarks[len(orows)] = 100 * tr[key]
                orows.append(
                    (
                        f"{label}: {t['selection'] if what == 'selection' else t['remaining_short']}",
                        100 * getattr(c, what),
                        100 * lo,
                        100 * hi,
                        colour,
                    )
                )
        body.append(f"<h3>{e(t['overview'] + (' ' + t['truth_mark'] if omarks else ''))}</h3>")
        body.append(
            _forest(
                orows,
                title=t["overview"] + (f" {t['truth_mark']}" if omarks else ""),
                unit=t["points"],
                lang=lang,
                marks=omarks,
            )
        )
        for c in me.contrasts:
            if c.indicator not in WORKABILITY:
                continue
            label = indicator_label(q, c.indicator, lang)
            body.append(f"<h3>{e(label)}: {e(_verdict(c, t))}</h3>")
            body.append(
                _forest(
                    _contrast_rows(c, t),
                    title=f"{label}: {c.mode} − {c.reference}",
                    unit=t["points"],
                    lang=lang,
                )
            )
        body.append(_contrast_table(me.contrasts, q, t, lang, truth))
    if res.paradata is not None:
        body.append(f"<h2>{e(t['paradata'])}</h2>")
        for c in res.paradata.contrasts:
            label = t["inr"] if c.indicator == "item_nonresponse" else t["straight"]
            body.append(f"<h3>{e(label)}: {e(_verdict(c, t))}</h3>")
            body.append(_forest(_contrast_rows(c, t), title=label, unit=t["points"], lang=lang))
    if res.durations:
        body.append(f"<h3>{e(t['duration'])}</h3><ul>")
        for d in res.durations:
            body.append(
                f"<li>{e(d.mode)}: {t['median']} {_num(d.median / 60, lang)} (P10 {_num(d.p10 / 60, lang)}, P90 {_num(d.p90 / 60, lang)}; n = {_int(d.n, lang)})</li>"
            )
        body.append(f"</ul><p>{e(t['no_duration'])}</p>")
    css = ".internal{border:2px solid #b00;padding:.5em}body{font-family:DejaVu Sans,Arial,sans-serif;max-width:760px;margin:2em auto;color:#1f2328}table{border-collapse:collapse}td,th{padding:2px 8px;border-bottom:1px solid #ddd;text-align:right}td:first-child,th:first-child{text-align:left}.big{font-size:1.3em}.synthetic{color:#b00}svg.chart{width:100%;height:auto}"
    if extra:
        body.append(extra)
    robots = '<meta name="robots" content="noindex">' if internal else ""
    return f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">{robots}<title>{e(t["title"])}</title><style>{css}</style></head><body>{"".join(body)}</body></html>\n'


Z = 1.959963984540054


def _origin(level: str, lang: str) -> str:
    from pipeline.frame.model import ORIGIN_CODES

    for c, nl, en in ORIGIN_CODES:
        if str(c) == level:
            return nl if lang == "nl" else en
    return level


def _contrast_table(
    contrasts: tuple[ModeContrast, ...],
    q: Questionnaire,
    t: dict[str, str],
    lang: str,
    truth: dict[str, dict[str, float]] | None = None,
) -> str:
    from pipeline.reports.labels import indicator_label

    extra = f"<th>{t['truth']}</th>" if truth else ""
    rows = [
        f"<table><tr><th></th><th>{t['raw']}</th><th>{t['selection']}</th><th>{t['remaining']}</th>{extra}</tr>"
    ]
    for c in contrasts:
        cells = []
        for what in ("raw", "selection", "adjusted"):
            lo, hi = c.ci(what)
            cells.append(
                f"{_num(100 * getattr(c, what), lang)} [{_num(100 * lo, lang)}; {_num(100 * hi, lang)}]"
            )
        if truth:
            tr = truth.get(c.indicator)
            cells.append(
                ""
                if tr is None
                else f"{_num(100 * tr['selection'], lang)}; {_num(100 * tr['measurement'], lang)}"
            )
        rows.append(
            f"<tr><td>{html.escape(indicator_label(q, c.indicator, lang))}</td>"
            + "".join(f"<td>{x}</td>" for x in cells)
            + "</tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def write_fieldwork(
    run_dir: Path,
    frame_path: Path,
    out_dir: Path,
    q: Questionnaire,
    *,
    lang: str = "nl",
    method: str = "calibration",
    policy: str | Path | None = None,
    calls: Path | None = None,
) -> tuple[FieldworkResult, tuple[Path, ...]]:
    """``calls``: the agency's call records (:mod:`pipeline.fieldwork.callrecords`); the AAPOR
    rates then come from their final dispositions, with a summary per interviewer."""
    from pipeline.fileio import ensure_dir, write_json, write_text
    from pipeline.rundata.layout import FIELDWORK_JSON

    inputs = link_run(run_dir, frame_path, q)
    from pipeline.fieldwork.api import MODEL_VARIABLES

    # the register variables of the response model: the usual ones in their order, then the
    # questionnaire's own (the enterprise survey's sector_group, size_class)
    variables = [*MODEL_VARIABLES, *(v for v in inputs.variables if v not in MODEL_VARIABLES)]
    res = diagnose(inputs.linked, inputs.indicators, method=method, variables=variables)
    truth = _mode_truth(frame_path) if inputs.synthetic else None
    from pipeline.reports.origin import origin_table, render_origin

    origin, origin_notices = origin_table(run_dir, inputs.linked, inputs.indicators, policy=policy)
    from pipeline.fieldwork.callrecords import read_call_records

    records = None if calls is None else read_call_records(calls, id_column=q.study.id_variable)
    aapor = _aapor(frame_path, q, records)
    internal = internal_policy(run_dir, policy)
    ensure_dir(out_dir)
    data = res.to_dict()
    # for the fieldwork team only under a policy that protects the reports (see the module)
    data["internal"] = None if internal is None else {"policy": internal, "publish": False}
    if truth is not None:
        data["synthetic_truth"] = truth
    data["origin"] = None if origin is None else origin.to_dict()
    data["aapor"] = aapor
    data["notices"] = [
        *data["notices"],  # type: ignore[misc]
        *({"code": n.code, "message": n.message} for n in origin_notices),
    ]
    p_json = write_json(out_dir / FIELDWORK_JSON, data)
    p_html = write_text(
        out_dir / f"fieldwork{'' if lang == 'nl' else '.' + lang}.html",
        render_fieldwork(
            res,
            q,
            lang=lang,
            synthetic=inputs.synthetic,
            truth=None if truth is None else truth.get("indicators"),
            extra=("" if aapor is None else _aapor_html(aapor, lang))
            + ("" if origin is None else render_origin(origin, q, lang)),
            internal=internal or "",
        ),
    )
    return res, (p_json, p_html)


def internal_policy(run_dir: Path, policy: str | Path | None) -> str | None:
    """The id of the disclosure policy in force (``policy``, else ``$WBM_POLICY``, else the run's)
    when it protects the reports' figures: the fieldwork report is then an internal document.
    None without such a policy (or without any)."""
    from pipeline.rundata.read import run_manifest
    from pipeline.sdc.policy import find_policy
    from pipeline.tables.source import recorded_policy

    try:
        pol = find_policy(policy, recorded_policy(run_manifest(run_dir, lenient=True), run_dir))
    except UsageError:
        return None
    return pol.policy.id if pol.policy.protect_reports else None
