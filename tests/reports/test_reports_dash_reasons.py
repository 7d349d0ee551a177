"""Issue 13: a dash's reason is the true one. Without the publisher's protection the estimate
stage hides only figures on too few respondents ("te weinig respondenten"). Under
``protect_reports: true`` the engine also hides figures to protect another one, and which of the two
it was is not told (it would bound the small figure's n: :mod:`pipeline.tables.reasons`); an earlier
wave's figure that its wave never released says "niet gepubliceerd in die meting"
(tests/archive/test_archive_trend_ledger.py). Before, every dash said "te weinig respondenten"."""

from __future__ import annotations

import re

from pipeline.reports.estimates import (
    DASH_PROTECTED,
    DASH_TOO_FEW,
    DASH_UNRELEASED,
    UNRELEASED,
    dash_reason,
)
from pipeline.reports.overview import render_overview_report
from pipeline.reports.report import render_sector_report
from pipeline.reports.withheld import withheld_context

TITLE = re.compile(r'class="num suppressed"[^>]*><abbr title="([^"]+)"')


def _flanders_hidden(table, indicator: str = "werkstress"):
    t = table.copy()
    hide = (t["by"].fillna("") == "") & (t["indicator"] == indicator)
    t.loc[hide, "flags"] = "suppressed"
    return t


def test_a_protected_report_does_not_say_too_few_for_a_dash(q, ctx, table):
    from .dutch_spelling import html_text, unknown_words

    t = _flanders_hidden(table)
    for html in (
        render_overview_report(t, q, context=withheld_context(ctx)),
        render_sector_report(t, q, 5, context=withheld_context(ctx)),
    ):
        titles = set(TITLE.findall(html))
        assert titles == {DASH_PROTECTED}, titles
        legend = html[html.index('<dl class="legend">') :].split("</dl>")[0]
        assert "om een ander cijfer te beschermen" in legend
        methods = html[html.index('id="methoden"') :]
        assert "een ander, niet gepubliceerd cijfer" in methods
        sentence = methods[methods.rindex("<p>", 0, methods.index("evenmin")) :].split("</p>")[0]
        assert unknown_words(html_text(legend)) == {} == unknown_words(html_text(sentence))


def test_without_the_policy_a_dash_says_too_few(q, ctx, table):
    # the control: the estimate stage's suppression is the minimum n only
    html = render_sector_report(table, q, 3, context=ctx)
    assert set(TITLE.findall(html)) == {DASH_TOO_FEW}
    assert "om een ander cijfer te beschermen" not in html


def test_the_reason_of_a_dash():
    assert dash_reason(False) == DASH_TOO_FEW
    assert dash_reason(True) == DASH_PROTECTED
    assert dash_reason(True, frozenset({"suppressed", UNRELEASED})) == DASH_UNRELEASED
    assert dash_reason(False, ("suppressed", UNRELEASED)) == DASH_UNRELEASED


def test_the_datatool_does_not_say_too_few_for_every_hidden_cell():
    from pipeline.datatool.render import FLAG_TEXT

    assert FLAG_TEXT["nl"]["suppressed"].endswith("of verborgen om een ander cijfer te beschermen)")
    assert "hidden to protect another figure" in FLAG_TEXT["en"]["suppressed"]


def test_the_reasons_are_spelled_right():
    from .dutch_spelling import unknown_words

    for text in (DASH_TOO_FEW, DASH_PROTECTED, DASH_UNRELEASED):
        assert unknown_words(text) == {}
