"""Issue 13: under the publisher's protection (``protect_reports: true``) a reader of the reports
must not tell a group without respondents from one with 1 to ``min_n - 1``. Before, a group of a
few respondents was listed in the overview's tables (with dashes), kept its rows in a sector's
breakdowns and got its own "Geen cijfers" report file, while an empty group was absent: its
existence was published. Now a figure the engine did not release is shown exactly as one that does
not exist (:func:`pipeline.reports.withheld.published_rows`), a group gets a report file only where
its figures are published (:func:`pipeline.reports.batch.jobs_with_figures`), and the engine hides
and protects an empty group like a small one (tests/tables/test_table_report_figures.py). Without
the policy nothing changes (the controls)."""

from __future__ import annotations

import pandas as pd
import pytest

from pipeline.reports.batch import jobs_with_figures, plan_reports
from pipeline.reports.overview import render_overview_report
from pipeline.reports.report import render_sector_report
from pipeline.reports.withheld import published_rows, withheld_context

from .reports_fixtures import CROSSES, SUPPRESSED_GROUP, UNRELIABLE_GROUP

SMALL_CROSSED = 5  # the sector whose last level of every crossed breakdown has 12 respondents


def _without(table: pd.DataFrame, keep: pd.Series) -> pd.DataFrame:
    return table[keep].reset_index(drop=True)


@pytest.fixture(scope="module")
def small(table) -> pd.DataFrame:
    """The fixture's table: sector 8 has 21 respondents, and sector 5 a crossed level of 12, all
    flagged suppressed (as the engine flags them)."""
    by = table["by"].fillna("").astype(str)
    level = table["level"].astype(str)
    assert set(table.loc[(by == "sector") & (level == str(SUPPRESSED_GROUP)), "n"]) == {21}
    return table


@pytest.fixture(scope="module")
def empty(table) -> pd.DataFrame:
    """The same table with sector 8 and sector 5's small crossed levels without respondents (no
    rows at all, as the estimate stage writes an empty group)."""
    by = table["by"].fillna("").astype(str)
    level = table["level"].astype(str)
    drop = (by == "sector") & (level == str(SUPPRESSED_GROUP))
    crossed = by.isin([f"sector:{other}" for other in CROSSES])
    drop |= crossed & level.str.startswith(f"{SMALL_CROSSED}:") & (table["n"] == 12)
    assert int((drop & crossed).sum()) > 0 and (table.loc[drop, "flags"] == "suppressed").all()
    return _without(table, ~drop)


def test_protected_reports_do_not_tell_an_empty_group_from_a_small_one(q, ctx, small, empty):
    protected = withheld_context(ctx)
    assert protected.protected
    # the overview: every breakdown's table lists the same groups
    assert render_overview_report(small, q, context=protected) == render_overview_report(
        empty, q, context=protected
    )
    # the group's own report (if asked for by name) and a sector's breakdowns
    for code in (SUPPRESSED_GROUP, SMALL_CROSSED, UNRELIABLE_GROUP):
        assert render_sector_report(small, q, code, context=protected) == render_sector_report(
            empty, q, code, context=protected
        ), code
    # the same report files: neither group gets one
    jobs = plan_reports(q, all_groups=True)
    assert jobs_with_figures(jobs, small, q) == jobs_with_figures(jobs, empty, q)
    kept = {j.code for j in jobs_with_figures(jobs, small, q)}
    assert SUPPRESSED_GROUP not in kept and {SMALL_CROSSED, UNRELIABLE_GROUP} <= kept


def test_the_protected_text_says_nothing_about_respondents(q, ctx, empty):
    html = render_sector_report(empty, q, SUPPRESSED_GROUP, context=withheld_context(ctx))
    lead = html[html.index('id="geen-cijfers"') :].split("</section>")[0]
    assert "geen cijfers gepubliceerd" in lead and "openbaarmakingsbeleid" in lead
    # not "too few filled in" (false for a group of 0 or one hidden for another's sake), nor
    # "their answers count" (there may be none)
    assert "te weinig" not in lead and "De antwoorden van deze" not in lead


def test_a_secondary_suppressed_group_with_figures_is_listed(q, ctx, small):
    # a group is in the lists where any of its figures is published (a function of what is shown)
    t = small.copy()
    by = t["by"].fillna("").astype(str)
    hide = (by == "sector") & (t["level"].astype(str) == "4") & (t["indicator"] == "werkstress")
    t.loc[hide, "flags"] = "suppressed"
    html = render_overview_report(t, q, context=withheld_context(ctx))
    assert 'data-key="werkbaar_werk|sector|4"' in html
    assert 'data-key="werkstress|sector|4"' not in html


def test_published_rows_drops_only_suppressed_rows_of_groups(small):
    t = small.copy()
    t.loc[t["by"].fillna("") == "", "flags"] = "suppressed"  # Flanders: a dash, not left out
    shown = published_rows(t)
    flags = t["flags"].fillna("").astype(str)
    overall = t["by"].fillna("") == ""
    assert len(shown) == int((~flags.str.contains("suppressed") | overall).sum())
    shown = published_rows(small)
    assert not shown["flags"].fillna("").str.contains("suppressed").any()
    assert published_rows(shown) is shown  # nothing to drop: the same table


def test_without_the_policy_the_small_group_is_listed(q, ctx, small, empty):
    # the control (protect_reports: false): the current behaviour, a small group's dashes
    html = render_overview_report(small, q, context=ctx)
    assert f'data-key="werkbaar_werk|sector|{SUPPRESSED_GROUP}"' in html
    assert html != render_overview_report(empty, q, context=ctx)
    own = render_sector_report(small, q, SUPPRESSED_GROUP, context=ctx)
    assert "te weinig werknemers" in own


def test_the_protected_texts_are_spelled_right(q, q_oe, ctx, empty, table_oe):
    from pipeline.reports.enterprise import render_enterprise_report

    from .dutch_spelling import html_text, unknown_words

    protected = withheld_context(ctx)
    nothing = empty.assign(flags="suppressed")  # not a single figure published
    pages = [
        render_sector_report(empty, q, SUPPRESSED_GROUP, context=protected),
        render_overview_report(nothing, q, context=protected),
        render_enterprise_report(table_oe.assign(flags="suppressed"), q_oe, context=protected),
    ]
    for html in pages:
        at = html.index("geen cijfers gepubliceerd")
        text = html[html.rindex("<section", 0, at) :].split("</section>")[0]
        assert unknown_words(html_text(text)) == {}
