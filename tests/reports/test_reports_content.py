"""What a reader reads: every number of every report kind equals the table row it came from (this
wave's table, or the previous wave's), nothing else looks like a number, suppressed cells never
show, small groups get a report without numbers, and the content follows the questionnaire."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd
import pytest

from pipeline.reports.enterprise import render_enterprise_report
from pipeline.reports.overview import render_overview_report
from pipeline.reports.report import load_estimates, render_domain_report, render_sector_report
from pipeline.reports.rows import module_groups, module_rows

from .reports_fixtures import (
    CTX,
    MODULES,
    SECRET_GROUP,
    SECRET_VALUE,
    SUPPRESSED_GROUP,
    UNRELIABLE_GROUP,
)
from .reports_helpers import (
    allowed_decimals,
    check_traced,
    current_key,
    decimals,
    lookup,
    pct,
    scan,
)

# Kish deff, response rate, alpha; the response per mode (812 and 1588 of 10000 invited)
CONTEXT_DECIMALS = {"1,43", "24,0", "0,05", "8,1", "15,9"}


@pytest.fixture(scope="module")
def est(q, table, ctx):
    return load_estimates(table, q, ctx)  # converted once, previous wave attached


@pytest.fixture(scope="module")
def pages(q, est, ctx) -> dict[int, str]:
    return {
        c: render_sector_report(est, q, c, context=ctx)
        for c in (1, 5, SECRET_GROUP, SUPPRESSED_GROUP, UNRELIABLE_GROUP)
    }


def relevant(table: pd.DataFrame, domain: str, code: int) -> pd.DataFrame:
    by, level = table["by"].fillna(""), table["level"].fillna("").astype(str)
    return table[
        (by == "")
        | ((by == domain) & (level == str(code)))
        | (by.str.startswith(f"{domain}:") & level.str.startswith(f"{code}:"))
    ]


@pytest.mark.parametrize("code", [1, 5, SECRET_GROUP, UNRELIABLE_GROUP])
def test_every_number_of_a_sector_report_equals_its_row(q, pages, table, previous, code):
    n = check_traced(pages[code], table, previous=previous, q=q)
    assert (
        n > 150
    )  # headline, 4 x (problem, acute), 6 risks, modules, breakdowns, previous wave, chart labels


@pytest.mark.parametrize("code", [1, 5, SECRET_GROUP, SUPPRESSED_GROUP, UNRELIABLE_GROUP])
def test_no_other_number_on_a_sector_page(q, pages, table, previous, code):
    prev_rows = previous[
        (previous["by"] == "") | ((previous["by"] == "sector") & (previous["level"] == str(code)))
    ]
    allowed = allowed_decimals(
        relevant(table, "sector", code), q, CONTEXT_DECIMALS
    ) | allowed_decimals(prev_rows)
    found = decimals(pages[code])
    assert found or code == SUPPRESSED_GROUP
    assert found <= allowed, sorted(found - allowed)


def test_previous_wave_beside_this_wave(q, pages, previous, table):
    html = pages[1]
    s = scan(html)
    prev = [(a, t) for a, t in s.traced if a.get("data-source") == "previous"]
    keys = {str(a["data-key"]) for a, _t in prev}
    assert "werkbaar_werk|sector|1" in keys  # the headline of 2019
    assert "stress|sector|1" in keys  # renamed indicator: 2019's name, shown on this wave's row
    assert any(a["data-field"] == "wave_significant" for a, _t in prev)
    assert "mod_haalbaar_pensioen" not in {k.split("|")[0] for k in keys}  # absent last wave ...
    modules = html[html.index('id="modules"') : html.index('id="methoden"')]
    assert "n.b." in modules  # ... so "niet beschikbaar" in its row
    assert current_key(q, "stress|sector|1") == "werkstress|sector|1"
    assert lookup(table, "werkstress|sector|1") is not None


def test_without_previous_wave_it_says_not_available(q, table):
    html = render_sector_report(table, q, 1, context=CTX)
    summary = html[html.index('id="samenvatting"') : html.index('id="risicoprofiel"')]
    assert "niet beschikbaar" in summary and 'data-source="previous' not in html
    assert (
        "niet beschikbaar voor dit rapport" in html
        or "niet beschikbaar" in html[html.index('id="methoden"') :]
    )


def test_previous_wave_from_columns_of_the_table(q, table):
    t = table.copy()
    t["estimate_prev"] = (t["estimate"] * 0.9).where(t["indicator"] != "werkbaar_werk", 0.4321)
    t["ci_low_prev"], t["ci_high_prev"] = t["estimate_prev"] - 0.03, t["estimate_prev"] + 0.03
    t["n_prev"], t["flags_prev"] = t["n"] + 3, t["flags"]
    t["wave_diff"] = t["estimate"] - t["estimate_prev"]
    t["wave_p_value"] = 0.01
    t["wave_significant"] = True
    html = render_sector_report(t, q, 1, context=replace(CTX, previous_wave=2019))
    n = check_traced(html, t)
    assert n > 100 and 'data-source="previous-columns"' in html
    assert "gestegen" in html or "gedaald" in html
    assert pct(0.4321) in html


def test_suppressed_cell_never_appears(pages, table):
    secret = {pct(SECRET_VALUE), pct(0.97531), pct(0.99135)}
    other = table[table["flags"] != "suppressed"]
    assert not secret & {
        pct(v) for v in pd.concat([other["estimate"], other["ci_low"], other["ci_high"]])
    }
    html = pages[SECRET_GROUP]
    visible = " ".join(scan(html).text)
    for text in secret:
        assert text not in html and text.replace(",", ".") not in visible
    cells = [
        (a, t)
        for a, t in scan(html).traced
        if a["data-key"] == f"werkstress_acuut|sector|{SECRET_GROUP}"
    ]
    assert cells and {t for a, t in cells} == {"–"}  # no n either


def test_a_sector_with_too_few_respondents_gets_a_report_without_numbers(pages):
    html = pages[SUPPRESSED_GROUP]
    s = scan(html)
    assert s.traced == [] and "<svg" not in html
    assert "Geen cijfers voor deze sector" in html and "te weinig werknemers" in html
    assert 'id="methoden"' in html  # the methods still explain the threshold


def test_unreliable_numbers_are_marked_everywhere(pages):
    s = scan(pages[UNRELIABLE_GROUP])
    own = [
        (a, t) for a, t in s.traced if str(a["data-key"]).endswith(f"|sector|{UNRELIABLE_GROUP}")
    ]
    est = [(a, t) for a, t in own if a["data-field"] == "estimate"]
    assert est and all(t.startswith("(") and t.endswith(")") for _a, t in est)
    assert "onbetrouwbaar" in pages[UNRELIABLE_GROUP]
    chart_numbers = [t for a, t in own if a["data-field"] == "value" and not a.get("class")]
    assert chart_numbers  # the numbers on the bars, written "(43,2%)" around the traced part
    assert "(<tspan" in pages[UNRELIABLE_GROUP]


def test_breakdowns_where_the_numbers_allow(pages, q):
    html = pages[5]
    part = html[html.index('id="uitsplitsingen"') : html.index('id="modules"')]
    for label in (
        "leeftijdsgroep",
        "geslacht",
        "statuut",
        "beroepsgroep",
        "arbeidsregime",
        "opleidingsniveau",
    ):
        assert f"Naar {label}" in part
    s5 = scan(part)
    small = {t for a, t in s5.traced if str(a["data-key"]).endswith("|sector:statute|5:3")}
    assert small == {"–"}  # one crossed cell below the threshold: a dash, the others shown


def test_risks_marked_and_explained(pages, table):
    html = pages[1]
    risk = html[html.index('id="risicoprofiel"') : html.index('id="uitsplitsingen"')]
    rows = table[
        (table["by"] == "sector")
        & (table["level"] == "1")
        & table["indicator"].str.endswith("_risico")
    ]
    higher = rows[rows["significant"].fillna(False) & (rows["diff"] > 0)]
    lower = rows[rows["significant"].fillna(False) & (rows["diff"] < 0)]
    if len(higher):
        assert "Significant <strong>vaker</strong>" in risk
    if len(lower):
        assert "Significant <strong>minder vaak</strong>" in risk
    assert len(higher) + len(lower) > 0  # the fixture has significant risks for sector 1


def test_module_rows_in_the_modules_section(pages, q):
    html = pages[1]
    part = html[html.index('id="modules"') : html.index('id="methoden"')]
    keys = {str(a["data-key"]).split("|")[0] for a, _t in scan(part).traced}
    assert set(MODULES) <= keys
    assert "langdurig ziekteverzuim" in part and "telewerkt" in part


def test_every_module_theme_has_its_heading_chart_and_table(pages, q, table, previous):
    """The extra modules of the 2019 sector reports, each theme (the questionnaire section its items
    are in) with its own heading, chart and table, every number traced to the estimates table."""
    html = pages[1]
    part = html[html.index('id="modules"') : html.index('id="methoden"')]
    for title in (
        "Telewerk, afwezigheid, opleiding en pensioen",
        "Uw job en uw toekomst",
        "Werktijden en verplaatsing",
        "Grensoverschrijdend gedrag op het werk",
    ):
        assert f">{title}</h3>" in part, title
    assert part.count("<svg") == 4 and part.count("<table") == 4
    for label in (
        "baanonzekerheid",
        "verloopintentie",
        "ploegenarbeid",
        "regelmatig nachtwerk",
        "atypische werktijden",
        "woon-werkverplaatsing langer dan 30 minuten",
        "gepest op het werk",
        "lichamelijk geweld op het werk",
        "ongewenst seksueel gedrag op het werk",
        "grensoverschrijdend gedrag (minstens een vorm)",
    ):
        assert label in part, label
    keys = [str(a["data-key"]) for a, _t in scan(part).traced]
    for name in MODULES:
        assert any(k.startswith(f"{name}|") for k in keys), name
    assert check_traced(part, table, previous=previous, q=q) >= 4 * len(MODULES)  # est., CI, Vl., n


def test_module_labels_from_the_context(q, est, ctx):
    html = render_sector_report(
        est, q, 1, context=replace(ctx, module_labels=(("mod_opleiding", "Opleiding X"),))
    )
    assert "Opleiding X" in html


def test_self_employed_report_by_occupational_group(q_self, table_self):
    html = render_domain_report(table_self, q_self, 2, context=CTX)
    assert check_traced(html, table_self) > 80
    assert "Werkbaarheid in de beroepsgroep bouw" in html and "zelfstandige ondernemers" in html
    risk = html[html.index('id="risicoprofiel"') :]
    risk_rows = {
        str(a["data-key"]).split("|")[0] for a, _t in scan(risk[: risk.index("</section>")]).traced
    }
    assert (
        risk_rows == {i.name for i in q_self.indicators if i.group == "risk"}
        and len(risk_rows) == 4
    )
    assert "autonomie" not in risk[: risk.index("</section>")]
    allowed = allowed_decimals(
        relevant(table_self, "occupation_group", 2), q_self, CONTEXT_DECIMALS
    )
    assert decimals(html) <= allowed


def test_self_employed_small_group(q_self, table_self):
    html = render_domain_report(table_self, q_self, 5, context=CTX)
    assert scan(html).traced == [] and "Geen cijfers voor deze beroepsgroep" in html
    assert "te weinig zelfstandige ondernemers" in html


def test_overview_report(q, table, previous, ctx):
    html = render_overview_report(table, q, context=ctx)
    assert check_traced(html, table, previous=previous, q=q) > 400
    for d in q.domains:
        assert f'id="naar-{d.replace("_", "-")}"' in html
    assert decimals(html) <= allowed_decimals(table, q, CONTEXT_DECIMALS) | allowed_decimals(
        previous
    )
    themes = len(module_groups(module_rows(load_estimates(table, q, ctx), q, "", "", ctx), q))
    assert themes == 4  # absence etc., job and future, working hours, boundary-crossing behaviour
    assert (
        scan(html).count("svg") == 3 + len(q.domains) + themes
    )  # workability, number of problems, risks, one per domain, one per module theme


def test_enterprise_report(q_oe, table_oe):
    html = render_enterprise_report(
        table_oe, q_oe, context=replace(CTX, counts_by_mode=(("cati", 1650),))
    )
    assert check_traced(html, table_oe) > 150
    for d in ("sector-group", "size-class"):
        assert f'id="naar-{d}"' in html
    assert 'id="kruising"' in html and "organisaties" in html and "telefonisch" in html
    cross = html[html.index('id="kruising"') :]
    small = {
        t
        for a, t in scan(cross).traced
        if str(a["data-key"]).endswith("|sector_group:size_class|2:4")
    }
    assert small == {"–"}
    assert decimals(html) <= allowed_decimals(table_oe, q_oe, CONTEXT_DECIMALS)


def test_reports_are_deterministic(q, table, ctx):
    a = render_sector_report(table, q, 3, context=ctx)
    b = render_sector_report(table.sample(frac=1.0, random_state=1), q, 3, context=ctx)
    assert a == b  # row order of the table does not matter


@pytest.mark.parametrize("kind", ["sector", "overview", "self", "oe"])
def test_accessible_and_self_contained(kind, q, q_self, q_oe, table, table_self, table_oe, ctx):
    html = {
        "sector": lambda: render_sector_report(table, q, 5, context=ctx),
        "overview": lambda: render_overview_report(table, q, context=ctx),
        "self": lambda: render_domain_report(table_self, q_self, 2),
        "oe": lambda: render_enterprise_report(table_oe, q_oe),
    }[kind]()
    s = scan(html)
    assert '<html lang="nl">' in html and s.count("h1") == 1
    assert s.count("table") == s.count("caption") > 0
    heads = [t for t, _a in s.tags if t in ("h1", "h2", "h3")]
    assert all(
        int(b[1]) - int(a[1]) <= 1 for a, b in zip(heads, heads[1:], strict=False)
    )  # no skipped level
    svgs = [a for t, a in s.tags if t == "svg"]
    assert svgs and all(a.get("role") == "img" for a in svgs)
    for a in svgs:
        assert all(ref in s.ids for ref in str(a["aria-labelledby"]).split())
    assert len(s.ids) == len(set(s.ids)), "duplicate element ids"
    assert s.count("figure") == len(svgs) == s.count("figcaption")
    assert not any(t in ("script", "link", "img", "iframe") for t, _a in s.tags)
    assert not re.search(r'(href|src)="https?:', html)
    toc = {
        str(a["href"])[1:] for t, a in s.tags if t == "a" and str(a.get("href", "")).startswith("#")
    }
    assert toc <= set(s.ids)  # every table-of-contents link has its target


def test_previous_wave_attached_to_an_already_converted_table(q, table, ctx, pages):
    from pipeline.reports.estimates import estimates_for

    bare = estimates_for(table, q)  # checked without the previous wave
    assert bare.previous is None
    assert (
        render_sector_report(bare, q, 1, context=ctx) == pages[1]
    )  # same page as from the data frame


def test_number_of_problems_distribution_for_the_group_and_flanders(q, pages, table):
    """0 / 1 / 2 / 3-4 problems: a section with the group's share and CI beside Flanders', every
    number traced to the band's row of the estimates table (checked by check_traced above)."""
    html = pages[1]
    assert 'id="aantal-knelpunten"' in html
    part = html[html.index('id="aantal-knelpunten"') :]
    part = part[: part.index("</section>")]
    traced = scan(part).traced
    keys = {(str(a["data-key"]), str(a["data-field"])) for a, _t in traced}
    bands = [
        "aantal_problemen_0",
        "aantal_problemen_1",
        "aantal_problemen_2",
        "aantal_problemen_3_4",
    ]
    for b in bands:
        assert (f"{b}|sector|1", "estimate") in keys
        assert (f"{b}|sector|1", "ci") in keys
        assert (f"{b}||", "estimate") in keys
        assert (f"{b}||", "ci") in keys
    for a, text in traced:
        key = str(a["data-key"])
        if a["data-field"] == "estimate" and key.split("|")[0] in bands:
            assert text.strip() == pct(float(lookup(table, key)["estimate"]))
    for label in ("geen knelpunt", "1 knelpunt", "2 knelpunten", "3 of 4 knelpunten"):
        assert f">{label}</th>" in part
    assert "<svg" in part  # the chart stays with its table (one keep-together block)


def _rp_text(row: pd.Series, field: str) -> str:
    def f(v: float, d: int) -> str:
        t = f"{v:.{d}f}"
        return (t[1:] if t.startswith("-") and float(t) == 0 else t).replace(".", ",")

    text = {
        "pr": f(row["pr"], 2),
        "pr_ci": f"{f(row['pr_low'], 2)}–{f(row['pr_high'], 2)}",
        "paf": f(row["paf"] * 100, 1),
        "paf_ci": f"{f(row['paf_low'] * 100, 1)}–{f(row['paf_high'] * 100, 1)}",
    }[field]
    return f"({text})" if "unreliable" in str(row["flags"]) else text


@pytest.mark.parametrize("code", [1, 5, UNRELIABLE_GROUP, SUPPRESSED_GROUP])
def test_risk_profile_per_problem_equals_its_rows(q, est, table, ctx, code):
    """Per workability problem: each risk factor's share exposed (estimates table), prevalence
    ratio and attributable fraction with CIs (risk-profile table), traced to their rows."""
    from .reports_fixtures import risk_profile_table

    rp = risk_profile_table(q)
    html = render_sector_report(est, q, code, context=replace(ctx, risk_profiles=rp))
    if code == SUPPRESSED_GROUP:
        assert 'id="risico-per-knelpunt"' not in html
        return
    part = html[html.index('id="risico-per-knelpunt"') :]
    part = part[: part.index("</section>")]
    s = scan(part)
    traced = s.rp_traced
    work = [i for i in q.indicators if i.kind == "traffic_light" and i.group == "workability"]
    risk = [i for i in q.indicators if i.kind == "traffic_light" and i.group == "risk"]
    blank = 1 if code == 1 else 0  # the not-estimable row shows dashes
    assert len({str(a["data-rp-key"]) for a, _t in traced}) == len(work) * len(risk) - blank
    for a, text in traced:
        out, exp, by, level = str(a["data-rp-key"]).split("|")
        assert (by, level) == ("sector", str(code))
        hit = rp[
            (rp["outcome"] == out)
            & (rp["exposure"] == exp)
            & (rp["by"] == by)
            & (rp["level"] == level)
        ]
        assert len(hit) == 1
        assert text.strip() == _rp_text(hit.iloc[0], str(a["data-rp-field"])), a
    # the share exposed beside each ratio comes from the estimates table
    exposed = {str(a["data-key"]) for a, _t in s.traced}
    assert {f"{r.name}|sector|{code}" for r in risk} <= exposed
    check_traced(part, table)
    for w in work:
        assert w.label.nl[:1].upper() + w.label.nl[1:] in part


def _higher_good(name: str) -> bool | None:
    """Written here, not imported: werkbaar werk and "no problem" are good, problems and risks bad."""
    if name in ("werkbaar_werk", "aantal_problemen_0"):
        return True
    if name.endswith(("_probleem", "_risico", "_acuut")) or name in (
        "werkstress",
        "leerprobleem",
        "aantal_problemen_1",
        "aantal_problemen_2",
        "aantal_problemen_3_4",
    ):
        return False
    return None


@pytest.mark.parametrize("code", [1, 5, UNRELIABLE_GROUP])
def test_breakdowns_inside_the_sector_with_ci_and_test(q, pages, table, code):
    """Every breakdown inside the sector (age, sex, statute, occupation, part-time/full-time,
    education) shows, for the workability indicators and for the risk factors, each level's
    estimate, CI and test against the rest of the sector, each equal to its crossed row."""
    html = pages[code]
    part = html[html.index('id="uitsplitsingen"') : html.index('id="modules"')]
    traced = scan(part).traced
    got = {(str(a["data-key"]), str(a["data-field"])) for a, _t in traced}
    work = ["werkbaar_werk"] + [
        i.name for i in q.indicators if i.kind == "traffic_light" and i.group == "workability"
    ]
    risk = [i.name for i in q.indicators if i.kind == "traffic_light" and i.group == "risk"]
    assert len(work) == 5 and len(risk) == 6
    crossed = table[
        table["by"].str.startswith("sector:") & table["level"].str.startswith(f"{code}:")
    ]
    assert set(crossed["by"]) == {
        f"sector:{b}"
        for b in ("age_band", "sex", "statute", "occupation", "arbeidsregime", "education")
    }
    checked = 0
    for r in crossed.itertuples():
        if r.indicator not in work + risk:
            continue
        key = f"{r.indicator}|{r.by}|{r.level}"
        assert (key, "estimate") in got, key
        if "suppressed" in str(r.flags):
            assert (key, "ci") not in got and (key, "significant") not in got
            continue
        assert (key, "ci") in got and (key, "significant") in got, key
        checked += 1
    assert checked > 6 * 2 * 11  # at least two levels per breakdown x 11 indicators
    check_traced(part, table)  # every number (estimate, CI, significance) equals its row
    assert "rest van de sector" in part and "oranje streep" in part


def test_significance_coloured_by_what_it_means(q, pages, table):
    """A significant difference is green when it is good for workers and red when it is bad (a
    lower share with a problem is good), never red for any difference; neutral rows no colour."""
    seen = {"gunstig": 0, "ongunstig": 0}
    for code in (1, 5):
        html = pages[code]
        s = scan(html)
        for tag, a in s.tags:
            cls = str(a.get("class") or "")
            if tag != "td" or "sig yes" not in cls:
                continue
            key = str(a.get("data-key") or "")
            if not key:  # a breakdown cell: the key is on the estimate inside
                continue
            row = lookup(table, key)
            good = _higher_good(str(row["indicator"]))
            tone = "gunstig" if (float(row["diff"]) > 0) == good else "ongunstig"
            if good is None:
                assert "gunstig" not in cls, key
            else:
                assert tone in cls.split(), (key, cls)
                seen[tone] += 1
        # breakdown cells: the class of the cell around the traced estimate
        for cls, key in re.findall(
            r'<td class="num[^"]*?sig yes ?([a-z]*)"><span data-key="([^"]+)" data-field="estimate">',
            html,
        ):
            row = lookup(table, key)
            good = _higher_good(str(row["indicator"]))
            assert good is not None and bool(row["significant"])
            assert cls == ("gunstig" if (float(row["diff"]) > 0) == good else "ongunstig"), key
            seen[cls] += 1
    assert seen["gunstig"] > 0 and seen["ongunstig"] > 0
    from pathlib import Path

    css = (Path(__file__).parents[2] / "reports" / "wbm.css").read_text(encoding="utf-8")
    assert "td.sig.yes { color: #b42318; }" not in css  # no longer red for any difference


def test_one_chart_scale_per_report(pages):
    """Every percent chart of a report has the same axis (the same last tick)."""
    for code in (1, 5):
        html = pages[code]
        ticks = []
        for svg in re.findall(r"<svg.*?</svg>", html, flags=re.S):
            marks = re.findall(r'text-anchor="middle" fill="#555555">(\d+)%</text>', svg)
            if marks:
                ticks.append(max(int(m) for m in marks))
        assert len(ticks) >= 8 and len(set(ticks)) == 1, ticks


def test_legend_explains_ci_across_the_flemish_mark(pages):
    part = pages[1][pages[1].index('id="uitsplitsingen"') :]
    assert (
        "een interval over de oranje streep van Vlaanderen kan samengaan met een significant"
        in part
    )
    assert '<span class="gunstig">groen</span>' in part


def test_overview_number_of_problems_and_risk_profile(q, est, table, previous, ctx):
    """The Flanders overview has the distribution of the number of problems (0 / 1 / 2 / 3-4, with
    CI and the previous wave) and the risk profile per problem, every number equal to its row of
    the estimates table ("" rows) or of the risk-profile table."""
    from .reports_fixtures import risk_profile_table

    rp = risk_profile_table(q)
    html = render_overview_report(est, q, context=replace(ctx, risk_profiles=rp))
    assert check_traced(html, table, previous=previous, q=q) > 400
    part = html[html.index('id="aantal-knelpunten"') :]
    part = part[: part.index("</section>")]
    keys = {(str(a["data-key"]), str(a["data-field"])) for a, _t in scan(part).traced}
    for b in ("aantal_problemen_0", "aantal_problemen_1", "aantal_problemen_2"):
        assert {(f"{b}||", "estimate"), (f"{b}||", "ci"), (f"{b}||", "n")} <= keys
    assert ("aantal_problemen_3_4||", "estimate") in keys
    for label in ("geen knelpunt", "1 knelpunt", "2 knelpunten", "3 of 4 knelpunten"):
        assert f">{label}</th>" in part
    assert "<svg" in part
    rp_part = html[html.index('id="risico-per-knelpunt"') :]
    rp_part = rp_part[: rp_part.index("</section>")]
    traced = scan(rp_part).rp_traced
    work = [i for i in q.indicators if i.kind == "traffic_light" and i.group == "workability"]
    risk = [i for i in q.indicators if i.kind == "traffic_light" and i.group == "risk"]
    assert len({str(a["data-rp-key"]) for a, _t in traced}) == len(work) * len(risk)
    for a, text in traced:
        out, exp, by, level = str(a["data-rp-key"]).split("|")
        assert (by, level) == ("", "")
        hit = rp[
            (rp["outcome"] == out)
            & (rp["exposure"] == exp)
            & (rp["by"].fillna("") == "")
            & (rp["level"].fillna("").astype(str) == "")
        ]
        assert len(hit) == 1
        assert text.strip() == _rp_text(hit.iloc[0], str(a["data-rp-field"])), a
    exposed = {str(a["data-key"]) for a, _t in scan(rp_part).traced}
    assert {f"{r.name}||" for r in risk} <= exposed  # the share exposed in Flanders
    assert "in Vlaanderen ermee te maken hebben" in rp_part
    toc = html[: html.index('id="samenvatting"')]
    assert "#aantal-knelpunten" in toc and "#risico-per-knelpunt" in toc


def test_overview_one_chart_scale(q, est, ctx):
    html = render_overview_report(est, q, context=ctx)
    ticks = []
    for svg in re.findall(r"<svg.*?</svg>", html, flags=re.S):
        marks = re.findall(r'text-anchor="middle" fill="#555555">(\d+)%</text>', svg)
        if marks:
            ticks.append(max(int(m) for m in marks))
    assert len(ticks) >= 8 and len(set(ticks)) == 1, ticks


@pytest.mark.parametrize("kind", ["sector", "overview", "oe"])
def test_fieldwork_invited_responses_and_rate(kind, q, q_oe, table, table_oe, ctx):
    """The fieldwork table: per mode the usable responses and their share of everyone invited, and
    the wave's number invited, responses and response rate, equal to the run's fieldwork data (the
    report context), in Dutch number formats; it says only the current wave is shown."""
    html = {
        "sector": lambda: render_sector_report(table, q, 5, context=ctx),
        "overview": lambda: render_overview_report(table, q, context=ctx),
        "oe": lambda: render_enterprise_report(table_oe, q_oe, context=ctx),
    }[kind]()
    part = html[html.index("<h3>Veldwerk</h3>") : html.index("<h3>Weging</h3>")]
    cells = re.findall(r'<th scope="row">([^<]+)</th>((?:<td[^>]*>[^<]*</td>)+)</tr>', part)
    got = {
        label: dict(re.findall(r'data-fieldwork="(\w+)">([^<]*)</td>', tds)) for label, tds in cells
    }
    invited, responded = ctx.response.invited, ctx.response.responded
    assert got["papier"] == {"invited": "", "responded": "812", "rate": pct(812 / invited)}
    assert got["web (online)"] == {"invited": "", "responded": "1.588", "rate": pct(1588 / invited)}
    wave = (q_oe if kind == "oe" else q).study.wave
    assert got[f"meting {wave}, totaal"] == {
        "invited": "10.000",
        "responded": f"{responded // 1000}.{responded % 1000:03d}",
        "rate": pct(responded / invited),
    }
    assert f"Alleen de meting {wave}" in part


def test_fieldwork_without_a_frame(q, table):
    html = render_sector_report(table, q, 5)  # no context: nothing known about the fieldwork
    part = html[html.index("<h3>Veldwerk</h3>") : html.index("<h3>Weging</h3>")]
    assert "niet beschikbaar" in part and "<table" not in part


def test_enterprise_significance_coloured_by_what_it_means(q_oe, table_oe):
    """In the enterprise report too a significant difference with the other organisations is red
    when the indicator is a problem (a traffic light: more organisations with it is bad) and has no
    colour for a neutral condition; the legend names the other organisations as the reference."""
    html = render_enterprise_report(table_oe, q_oe, context=CTX)
    kinds = {i.name: i.kind for i in q_oe.indicators}
    seen = {"gunstig": 0, "ongunstig": 0, "neutraal": 0}
    for tag, a in scan(html).tags:
        cls = str(a.get("class") or "").split()
        if tag != "td" or "sig" not in cls or "yes" not in cls:
            continue
        row = lookup(table_oe, str(a["data-key"]))
        kind = kinds.get(str(row["indicator"]).removesuffix("_acuut"))
        if kind == "traffic_light":
            want = "ongunstig" if float(row["diff"]) > 0 else "gunstig"
            assert want in cls, (a["data-key"], cls)
            seen[want] += 1
        else:
            assert "gunstig" not in cls and "ongunstig" not in cls, (a["data-key"], cls)
            seen["neutraal"] += 1
    assert seen["gunstig"] + seen["ongunstig"] > 0, seen
    assert "significant verschil met de andere organisaties" in html
    assert "significant verschil met de rest van Vlaanderen" not in html
