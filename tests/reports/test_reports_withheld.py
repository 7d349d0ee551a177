"""Review finding 5 (issue 13): every figure a report publishes is a logged, protected release. The
estimates table's figures go through the disclosure engine (tests/tables/test_table_report_figures.py);
the figures the reports take from elsewhere (risk-profile ratios, means and medians of numeric
indicators, an organisation survey's shares of employees and totals, earlier waves) are not seen by
that engine, so under ``protect_reports: true`` they are left out (fail closed), and the methods
section says so (:mod:`pipeline.reports.withheld`), unless the caller passes them as their
protection made them (numeric and the risk-profile ratios, :mod:`pipeline.tables.riskfigures`:
here; shares of employees and totals: tests/reports/test_reports_employment_protected.py).
Without the policy nothing changes."""

from __future__ import annotations

import re
from dataclasses import replace

import pandas as pd

from pipeline.reports.context import ReportContext
from pipeline.reports.overview import render_overview_report
from pipeline.reports.report import render_sector_report
from pipeline.reports.withheld import (
    EMPLOYMENT,
    NUMERIC,
    PREVIOUS,
    RISK_RATIOS,
    protect_report_inputs,
    withheld_context,
)

from .reports_fixtures import numeric_table, risk_profile_table

NOTE = "Volgens het openbaarmakingsbeleid van de uitgever toont dit rapport alleen cijfers"


def _full(q, ctx: ReportContext) -> ReportContext:
    return replace(ctx, risk_profiles=risk_profile_table(q), numeric=numeric_table(q))


def test_the_unprotected_reports_show_every_figure_and_no_note(q, table, ctx) -> None:
    # the control: with the figures in the context, both kinds are printed (the attack surface)
    html = render_sector_report(table, q, 5, context=_full(q, ctx))
    assert 'data-rp-field="pr"' in html and re.search(r'data-numeric="[^"]+" data-value=', html)
    assert 'data-source="previous' in html and NOTE not in html


def test_protected_reports_leave_out_what_the_engine_does_not_protect(q, table, ctx) -> None:
    est, protected = protect_report_inputs(table, _full(q, ctx))
    assert protected.withheld == (RISK_RATIOS, NUMERIC, PREVIOUS)
    assert protected.risk_profiles is None and protected.numeric is None
    assert protected.previous is None and protected.trend is None
    for render in (
        lambda c: render_sector_report(est, q, 5, context=c),
        lambda c: render_overview_report(est, q, context=c),
    ):
        html = render(protected)
        # no prevalence ratio, attributable fraction, mean, median or earlier wave's figure
        assert "data-rp-field" not in html and 'id="risico-per-knelpunt"' not in html
        assert "data-numeric" not in html and "gemiddelde en mediaan" not in html
        assert 'data-source="previous' not in html
        methods = html[html.index('id="methoden"') :]
        assert NOTE in methods
        for words in ("prevalentieratio", "medianen", "vorige meting"):
            assert words in methods[methods.index(NOTE) :].split("</p>")[0]
        # the estimates table's own figures are still there (protected by the engine)
        assert 'data-key="werkbaar_werk||"' in html


def test_the_estimates_own_previous_wave_columns_are_left_out(q, table) -> None:
    t = table.copy()
    t["estimate_prev"] = t["estimate"] * 0.9
    t["n_prev"] = t["n"]
    base = ReportContext()
    assert render_sector_report(t, q, 1, context=base).count('data-source="previous-columns"')
    est, protected = protect_report_inputs(t, base)
    assert "estimate_prev" not in est and "n_prev" not in est
    assert protected.withheld == (PREVIOUS,)
    html = render_sector_report(est, q, 1, context=protected)
    assert 'data-source="previous' not in html and NOTE in html
    assert "niet beschikbaar" not in html[html.index('id="methoden"') :].split(NOTE)[0][-400:]


def test_an_empty_context_is_left_as_it_is(q, table) -> None:
    # nothing to leave out: no note (a protected report of a run without these figures)
    ctx = withheld_context(ReportContext())
    assert ctx.withheld == ()
    est, same = protect_report_inputs(table, ReportContext())
    assert est is table and same == ReportContext(protected=True)  # protected, nothing withheld
    assert NOTE not in render_sector_report(table, q, 5, context=same)


def test_the_enterprise_shares_of_employees_and_totals_are_left_out(q_oe, table_oe) -> None:
    from pipeline.estimation.employment import BASIS_COLUMN, ORGANISATIONS
    from pipeline.reports.enterprise import render_enterprise_report

    emp = pd.DataFrame(
        [
            {
                "indicator": "employees",
                "by": "",
                "level": "",
                BASIS_COLUMN: ORGANISATIONS,
                "n": 400,
                "estimate": 123456.0,
                "ci_low": 120000.0,
                "ci_high": 127000.0,
                "flags": "",
            }
        ]
    )
    ctx = replace(ReportContext(), employment=emp)
    shown = render_enterprise_report(table_oe, q_oe, context=ctx)
    assert "123.456" in shown  # the control: the unprotected report prints the total
    _, protected = protect_report_inputs(table_oe, ctx)
    assert protected.withheld == (EMPLOYMENT,)
    html = render_enterprise_report(table_oe, q_oe, context=protected)
    assert "123.456" not in html and 'id="werknemers"' not in html
    assert "aandelen werknemers" in html[html.index(NOTE) :]


def test_the_note_is_spelled_right(q, table, ctx) -> None:
    from .dutch_spelling import html_text, unknown_words

    est, protected = protect_report_inputs(table, _full(q, ctx))
    html = render_sector_report(est, q, 5, context=protected)
    note = html[html.index(NOTE) :].split("</p>")[0]
    assert unknown_words(html_text(f"<p>{note}</p>")) == {}


def test_wbm_report_refuses_figures_it_cannot_check(table, tmp_path, policy_file) -> None:
    """Estimates without the run's scored data cannot be checked by the engine: under
    ``protect_reports: true`` they are refused (fail closed), not shown unchecked."""
    import pytest
    import yaml

    from pipeline.commands.report import _protected
    from pipeline.errors import UsageError

    run = tmp_path / "estimates-only"
    run.mkdir()
    assert _protected(table, run, str(policy_file), 30, 50) is table  # the reference policy
    data = yaml.safe_load(policy_file.read_text(encoding="utf-8"))
    data["protect_reports"] = True
    policy_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    with pytest.raises(UsageError) as err:
        _protected(table, run, str(policy_file), 30, 50)
    assert err.value.code == "no_scored_data" and "protect_reports" in str(err.value)


def test_protected_numeric_figures_are_shown_with_the_median_rule(q, table, ctx) -> None:
    """Given the numeric estimates as their protection made them (a row hidden: flagged
    suppressed, no numbers, no n), the reports show them instead of leaving them out: the
    protected means, a dash (and no n) where hidden, and the methods note's rule for medians."""
    import numpy as np

    full = _full(q, ctx)
    numeric = full.numeric
    assert numeric is not None
    protected_table = numeric.copy()
    hide = (protected_table["by"] == "sector") & (protected_table["level"] == "5")
    protected_table["flags"] = np.where(hide, "suppressed", protected_table["flags"])
    for c in ("estimate", "ci_low", "ci_high", "n"):
        protected_table[c] = protected_table[c].astype(float).where(~hide)
    est, protected = protect_report_inputs(table, full, protected_table, 5)
    assert protected.withheld == (RISK_RATIOS, PREVIOUS)  # numeric no longer left out
    assert protected.numeric is protected_table and protected.median_min_equal == 5
    html = render_sector_report(est, q, 5, context=protected)
    assert "data-numeric" in html and "data-rp-field" not in html
    # sector 5's line: dashes, no n; Flanders' line: its mean (27,4) and n (2.400)
    line = html[html.index('data-numeric="mod_woonwerk_minuten|mean|sector|5"') :]
    line = line[: line.index("</tr>")]
    assert "27,9" not in line and "310" not in line and "–" in line
    assert 'data-numeric="mod_woonwerk_minuten|mean||"' in html and "2.400" in html
    methods = html[html.index('id="methoden"') :]
    note = methods[methods.index('class="median-note"') :].split("</p>")[0]
    assert "minstens 5 respondenten" in note
    from .dutch_spelling import html_text, unknown_words

    assert unknown_words(html_text(f"<p>{note}</p>")) == {}
    # the unprotected report has no such note (and shows sector 5's figures)
    plain = render_sector_report(table, q, 5, context=full)
    assert 'class="median-note"' not in plain and "27,9" in plain
    # a caller that did not protect them: left out, as before (fail closed)
    _, closed = protect_report_inputs(table, full)
    assert NUMERIC in closed.withheld and closed.numeric is None and closed.median_min_equal == 0


def _risk_protected(q) -> pd.DataFrame:
    """The fixture's risk profiles as their protection could make them
    (:func:`pipeline.tables.riskfigures.protected_risk`): group 5's first ratio not released."""
    from pipeline.tables.riskfigures import RATIO_NUMBERS

    risk = risk_profile_table(q)
    hide = (risk["by"] != "") & (risk["level"] == "5")
    hide &= (risk["outcome"] == risk["outcome"].iloc[0]) & (
        risk["exposure"] == risk["exposure"].iloc[0]
    )
    assert int(hide.sum()) == 1
    out = risk.copy()
    out.loc[hide, list(RATIO_NUMBERS)] = float("nan")
    out.loc[hide, "flags"] = "suppressed"
    return out


def test_protected_risk_ratios_are_shown_where_released(q, table, ctx) -> None:
    """Under ``protect_reports: true`` with the risk profiles protected
    (:mod:`pipeline.tables.riskfigures`): a released ratio is shown as the unprotected report shows
    it, one not released is a dash with its true reason, and the methods section no longer lists
    the ratios as withheld but states the rule."""
    from pipeline.reports.estimates import DASH, DASH_PROTECTED

    risk = _risk_protected(q)
    full = _full(q, ctx)
    plain = render_sector_report(table, q, 5, context=full)
    est, protected = protect_report_inputs(table, full, risk=risk, risk_min_count=7)
    assert RISK_RATIOS not in protected.withheld and id(protected.risk_profiles) == id(risk)
    html = render_sector_report(est, q, 5, context=protected)
    row = risk[(risk["by"] != "") & (risk["level"] == "5")].iloc[1]  # released
    key = f"{row['outcome']}|{row['exposure']}|{row['by']}|5"

    def field(page: str, k: str, f: str) -> str:
        m = re.search(rf'data-rp-key="{re.escape(k)}" data-rp-field="{f}">([^<]*)<', page)
        assert m is not None, (k, f)
        return m.group(1)

    for f in ("pr", "pr_ci", "paf", "paf_ci"):
        assert field(html, key, f) == field(plain, key, f)  # the unprotected value
    hidden = risk[risk["flags"] == "suppressed"].iloc[0]
    hidden_key = f"{hidden['outcome']}|{hidden['exposure']}|{hidden['by']}|5"
    assert f'data-rp-key="{hidden_key}"' in plain and f'data-rp-key="{hidden_key}"' not in html
    assert f'<abbr title="{DASH_PROTECTED}">{DASH}</abbr>' in html
    methods = html[html.index('id="methoden"') :]
    if NOTE in methods:  # other figures may still be withheld (the previous wave)
        assert "prevalentieratio" not in methods[methods.index(NOTE) :].split("</p>")[0]
    assert "minstens 7 respondenten" in methods.split('class="risk-note"')[1].split("</p>")[0]
    assert "minstens 7 respondenten" in html[html.index('id="risico-per-knelpunt"') :]


def test_the_risk_notes_are_spelled_right(q, table, ctx) -> None:
    from .dutch_spelling import html_text, unknown_words

    est, protected = protect_report_inputs(
        table, _full(q, ctx), risk=_risk_protected(q), risk_min_count=5
    )
    html = render_sector_report(est, q, 5, context=protected)
    notes = [
        html.split('class="risk-note"')[1].split("</p>")[0],
        html[html.index('id="risico-per-knelpunt"') :]
        .split('class="small-note"')[1]
        .split("</p>")[0],
    ]
    for note in notes:
        assert unknown_words(html_text(f"<p{note}</p>")) == {}
