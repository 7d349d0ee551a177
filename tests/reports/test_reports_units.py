"""The parts under the reports: SVG charts (property tests), which reports a questionnaire gets, the
previous wave's name mapping, reading a run directory leniently, and importing nothing heavy."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import InputError, UsageError
from pipeline.reports.batch import plan_reports
from pipeline.reports.charts import WIDTH, Bar, BarChart, render_bar_chart
from pipeline.reports.context import ReportContext
from pipeline.reports.rundir import context_from_run
from pipeline.reports.waves import from_table
from pipeline.rundata import layout

SVG = "{http://www.w3.org/2000/svg}"
pct = st.floats(0.0, 100.0, allow_nan=False)


@st.composite
def bars(draw: st.DrawFn) -> Bar:
    v = draw(st.one_of(st.none(), pct))
    lo, hi = sorted((draw(pct), draw(pct)))
    return Bar(
        label=draw(
            st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=60)
        ),
        value=v,
        ci_low=lo if v is not None else None,
        ci_high=hi if v is not None else None,
        acute=draw(st.one_of(st.none(), pct)) if v is not None else None,
        reference=draw(st.one_of(st.none(), pct)),
        unreliable=draw(st.booleans()),
        marked=draw(st.booleans()),
        value_text=f"{v:.1f}".replace(".", ",") if v is not None else "",
        unit="%",
        key="x|sector|1",
    )


@settings(max_examples=80, deadline=None)
@given(bs=st.lists(bars(), min_size=1, max_size=20))
def test_any_chart_is_wellformed_deterministic_and_inside_its_box(bs):
    chart = BarChart(chart_id="c", title="t <&>", desc="d", bars=tuple(bs))
    svg = render_bar_chart(chart)
    assert svg == render_bar_chart(chart)
    root = ET.fromstring(svg)  # well-formed XML, whatever the labels hold
    _, _, w, h = (float(x) for x in root.attrib["viewBox"].split())
    assert w == WIDTH
    for el in root.iter():
        for attr in ("x", "x1", "x2"):
            if attr in el.attrib:
                assert -1 <= float(el.attrib[attr]) <= w + 1, (el.tag, el.attrib)
        for attr in ("y", "y1", "y2"):
            if attr in el.attrib:
                assert -12 <= float(el.attrib[attr]) <= h + 1, (el.tag, el.attrib)
        if el.tag == SVG + "rect" and "width" in el.attrib and not el.attrib["width"].endswith("%"):
            assert float(el.attrib["width"]) >= 0
    numbers = [t.text for t in root.iter(SVG + "tspan") if t.attrib.get("data-key")]
    assert numbers == [b.value_text for b in bs if b.value is not None]
    assert root.find(SVG + "title").text == "t <&>"  # escaped on the way in, read back as text


def test_plan_reports(q, q_self, q_oe):
    jobs = plan_reports(q, codes=(5, 3, 5))
    assert [j.code for j in jobs] == [5, 3] and jobs[0].stem == "sector-05-bouw"
    everything = plan_reports(q, all_groups=True)
    assert len(everything) == 17 and everything[-1].kind == "overview"
    assert [j.kind for j in plan_reports(q, overview=True)] == ["overview"]
    assert len(plan_reports(q_self, all_groups=True)) == 8
    assert [j.kind for j in plan_reports(q_oe, all_groups=True)] == ["enterprise"]
    with pytest.raises(UsageError) as err:
        plan_reports(q, codes=(3, 42))
    assert "42" in str(err.value) and err.value.problems


def test_previous_table_names_follow_the_mapping(q, table, previous):
    pw = from_table(table, previous, q, 2019)
    cell = pw.get("werkstress_acuut", "sector:sex", "3:1")  # 2019: stress_acuut by sector:geslacht
    assert (
        cell is not None
        and cell.previous.indicator == "stress_acuut"
        and cell.previous.by == "sector:geslacht"
    )
    assert pw.get("mod_haalbaar_pensioen", "sector", "1") is None  # not measured last wave
    small = pw.get("werkstress_acuut", "sector", "3")
    assert small is not None and small.previous.estimate is None and small.marked() is None
    with pytest.raises(InputError):
        from_table(table, previous.drop(columns=["se"]), q, 2019)


def test_run_directory_read_leniently(tmp_path, q):
    ctx = context_from_run(tmp_path, q)  # nothing there: defaults
    assert (
        ctx.counts_by_mode == ()
        and ctx.weighting.margins == tuple(q.weighting)
        and ctx.wave == 2023
    )
    (tmp_path / "manifest.json").write_text(
        json.dumps({"stages": {"validate": "?"}, "parameters": {"min_n": "x"}})
    )
    (layout.stage_dir(tmp_path, "validate")).mkdir()
    (layout.stage_file(tmp_path, "validate", layout.DIAGNOSTICS)).write_text(
        json.dumps({"counts_by_mode": {"web": 10, "paper": 5}, "frame": {"invited": 60}})
    )
    (layout.stage_dir(tmp_path, "weight")).mkdir()
    (layout.stage_file(tmp_path, "weight", layout.DIAGNOSTICS)).write_text("{not json")
    ctx = context_from_run(tmp_path, q, ReportContext(run_id="r1"))
    assert (
        ctx.counts_by_mode == (("paper", 5), ("web", 10))
        and ctx.min_n_publish == 30
        and ctx.run_id == "r1"
        and ctx.response.invited == 60  # the linked sample frame's units
    )


def test_a_suppressed_cell_shows_no_n() -> None:
    from pipeline.reports.estimates import DASH, Cell
    from pipeline.reports.render import fmt_field

    hidden = Cell("werkstress", "sector", "4", 212, frozenset({"suppressed"}))
    shown = Cell("werkstress", "sector", "4", 2120, frozenset(), estimate=0.3)
    assert [fmt_field(hidden, f) for f in ("n", "estimate", "ci")] == [DASH] * 3
    assert fmt_field(shown, "n") == "2.120"
