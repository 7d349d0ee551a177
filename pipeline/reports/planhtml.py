"""The Dutch/English summary of ``wbm plan`` (``plan.html``): what the plan costs against the
proportional allocation for the same targets, the domains that cannot reach their target and why,
the table per domain, and (on a synthetic wave) the simulated half-widths per domain as an SVG
chart (median and 5-95% range of the replications against the target)."""

from __future__ import annotations

import html
import math
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from pipeline.reports.plan import PlanResult

T: dict[str, dict[str, str]] = {
    "nl": {
        "title": "Steekproefplan voor de volgende meting",
        "synthetic": "SYNTHETISCHE gegevens: geen officiële cijfers",
        "summary": "{inv} uitnodigingen voor {cost} euro (proportionele verdeling voor dezelfde "
        "doelen: {pinv} uitnodigingen, {pcost} euro).",
        "budget": "Budget: {b} euro.",
        "assurance": "Alle doelen samen worden gehaald met een kans van minstens {a}% "
        "(berekend op de respons van de vorige meting).",
        "unreached": "Doel niet haalbaar",
        "reason_population": "te kleine populatie, ook als iedereen wordt uitgenodigd",
        "reason_budget": "past niet binnen het budget",
        "all_reached": "Elk domein haalt zijn doel.",
        "sim": "Simulatie op de synthetische populatie: {r} herhalingen (trekken, respons, weging, "
        "schatting). Alle haalbare doelen samen gehaald in {s}% van de herhalingen.",
        "chart": "Gesimuleerde halve breedte van het 95%-betrouwbaarheidsinterval ({ind}, "
        "procentpunt): mediaan en 5-95%-bereik; streepje = doel",
        "yes": "ja",
        "no": "nee",
    },
    "en": {
        "title": "Sample plan for the next wave",
        "synthetic": "SYNTHETIC data: not official figures",
        "summary": "{inv} invitations for {cost} euros (proportional allocation for the same "
        "targets: {pinv} invitations, {pcost} euros).",
        "budget": "Budget: {b} euros.",
        "assurance": "All targets together are met with a probability of at least {a}% (from the "
        "last wave's response).",
        "unreached": "Target out of reach",
        "reason_population": "population too small, even inviting everybody",
        "reason_budget": "does not fit the budget",
        "all_reached": "Every domain reaches its target.",
        "sim": "Simulation on the synthetic population: {r} replications (draw, respond, weight, "
        "estimate). All reachable targets met together in {s}% of the replications.",
        "chart": "Simulated 95% CI half-width ({ind}, percentage points): median and 5-95% range; "
        "tick = target",
        "yes": "yes",
        "no": "no",
    },
}


COLS: dict[str, tuple[str, ...]] = {
    "nl": (
        "domein",
        "populatie",
        "respons",
        "doel",
        "uitnodigingen",
        "verwachte respondenten",
        "halve breedte",
        "kosten",
        "proportioneel",
        "gehaald in simulatie",
    ),
    "en": (
        "domain",
        "population",
        "response",
        "target",
        "invitations",
        "expected respondents",
        "half-width",
        "cost",
        "proportional",
        "met in simulation",
    ),
}


def num(x: float, lang: str, digits: int = 0) -> str:
    """A number in the reader's format (Dutch: 1.234,5)."""
    if not math.isfinite(x):
        return "\u2013"
    s = f"{x:,.{digits}f}"
    if lang == "nl":
        s = s.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return s.replace("-", "\u2212")


def _target(text: str, lang: str) -> str:
    out = []
    for part in text.split("; "):
        if part.startswith("n>="):
            out.append("n \u2265 " + num(float(part[3:]), lang))
        elif part.startswith("hw<="):
            out.append("\u00bd-breedte \u2264 " if lang == "nl" else "half-width \u2264 ")
            out[-1] += num(float(part[4:]), lang, 1)
    return "; ".join(out)


def _chart(res: PlanResult, lang: str) -> str:
    sim = res.simulation
    assert sim is not None
    ind = res.plan.indicators[0]
    rows = [(s, d) for s, d in zip(res.plan.strata, sim.domains, strict=True)]
    hi = max([d.half_width[ind][2] for _, d in rows if math.isfinite(d.half_width[ind][2])] + [1.0])
    hi = max(
        hi,
        *[
            (s.expected_half_width[ind])
            for s, _ in rows
            if math.isfinite(s.expected_half_width[ind])
        ],
    )
    hi = math.ceil(hi * 1.1)
    left, width, row_h = 230, 420, 18
    h = 30 + row_h * len(rows) + 20
    title = T[lang]["chart"].format(ind=ind)

    def x(v: float) -> float:
        return left + width * min(max(v, 0.0), hi) / hi

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{left + width + 20}" '
        f'height="{h}" viewBox="0 0 {left + width + 20} {h}" font-family="sans-serif" '
        f'font-size="11"><title>{html.escape(title)}</title>'
    ]
    for tick in range(0, hi + 1, max(1, hi // 6)):
        parts.append(
            f'<line x1="{x(tick):.1f}" y1="20" x2="{x(tick):.1f}" y2="{h - 20}" stroke="#ddd"/>'
            f'<text x="{x(tick):.1f}" y="{h - 6}" text-anchor="middle">{num(tick, lang)}</text>'
        )
    for i, (s, d) in enumerate(rows):
        y = 30 + i * row_h
        q5, q50, q95 = d.half_width[ind]
        parts.append(
            f'<text x="{left - 6}" y="{y + 4}" text-anchor="end">{html.escape(s.label)}</text>'
        )
        if math.isfinite(q5) and math.isfinite(q95):
            colour = "#3b6ea8" if s.reached or not s.target else "#d9480f"
            parts.append(
                f'<line x1="{x(q5):.1f}" y1="{y}" x2="{x(q95):.1f}" y2="{y}" stroke="{colour}" '
                f'stroke-width="3"/><circle cx="{x(q50):.1f}" cy="{y}" r="4" fill="{colour}"/>'
            )
        if "hw<=" in s.target:
            t = float(s.target.split("hw<=")[1].split(";")[0])
            parts.append(
                f'<line x1="{x(t):.1f}" y1="{y - 7}" x2="{x(t):.1f}" y2="{y + 7}" '
                'stroke="#000" stroke-width="2"/>'
            )
    parts.append("</svg>")
    return f"<figure>{''.join(parts)}<figcaption>{html.escape(title)}</figcaption></figure>"


def render_plan(res: PlanResult, lang: str) -> str:
    t = T[lang]
    e = html.escape
    p = res.plan
    body = [f"<h1>{e(t['title'])}</h1>"]
    if res.synthetic:
        body.append(f'<p class="synthetic"><strong>{e(t["synthetic"])}</strong></p>')
    body.append(
        "<p>"
        + e(
            t["summary"].format(
                inv=num(p.invitations, lang),
                cost=num(p.cost, lang),
                pinv=num(p.proportional_invitations, lang),
                pcost=num(p.proportional_cost, lang),
            )
        )
        + (" " + e(t["budget"].format(b=num(p.budget, lang))) if p.budget is not None else "")
        + " "
        + e(t["assurance"].format(a=num(100 * p.assurance, lang)))
        + "</p>"
    )
    missed = [s for s in p.strata if s.target and not s.reached]
    if missed:
        body.append(f"<h2>{e(t['unreached'])}</h2><ul>")
        for s in missed:
            body.append(f"<li>{e(s.label)}: {e(t['reason_' + s.reason])}</li>")
        body.append("</ul>")
    else:
        body.append(f"<p>{e(t['all_reached'])}</p>")
    sim = res.simulation
    if sim is not None:
        body.append(
            "<p>"
            + e(
                t["sim"].format(
                    r=num(sim.replications, lang), s=num(100 * sim.all_met_share, lang, 1)
                )
            )
            + "</p>"
        )
        body.append(_chart(res, lang))
    ind = p.indicators[0]
    head = "".join(f"<th>{e(c)}</th>" for c in COLS[lang])
    rows = []
    simd = {d.level: d for d in sim.domains} if sim is not None else {}
    for s in p.strata:
        d = simd.get(s.level)
        met = num(100 * d.met_share, lang, 1) + "%" if d is not None and d.reported else "\u2013"
        rows.append(
            "<tr>"
            + f"<td>{e(s.label)}</td><td>{num(s.population, lang)}</td>"
            + f"<td>{num(100 * s.rate, lang, 1)}%</td><td>{e(_target(s.target, lang))}</td>"
            + f"<td>{num(s.invitations, lang)}</td><td>{num(s.expected_respondents, lang)}</td>"
            + f"<td>{num(s.expected_half_width[ind], lang, 1)}</td><td>{num(s.cost, lang)}</td>"
            + f"<td>{num(s.proportional_invitations, lang)}</td><td>{met}</td></tr>"
        )
    body.append(f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>")
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>'
        f"{e(t['title'])}</title><style>body{{font-family:sans-serif;max-width:60em;margin:2em}}"
        "table{border-collapse:collapse}td,th{border-bottom:1px solid #ccc;padding:2px 6px;"
        "text-align:right}td:first-child,th:first-child{text-align:left}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )
