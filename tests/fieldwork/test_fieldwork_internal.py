"""Issue 13: the fieldwork report under the publisher's policy. Its figures (response by register
group, small groups included; the R-indicators; the estimates by mode) go through no disclosure
engine and no ledger, so under a policy that protects the reports' figures (``protect_reports:
true``) it is an internal document for the fieldwork team: it says so at the top and in its JSON,
and it is not among the public outputs (the outputs stage and the demo never write it). Without
such a policy the report is as before (the control)."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from click.testing import CliRunner

from pipeline.cli import cli as main

NOTE = "Intern document voor het veldwerkteam: niet publiceren."


def _fieldwork(small_demo, policy_file: Path, out: Path, *, protect: bool, lang: str = "nl"):
    data = yaml.safe_load(policy_file.read_text(encoding="utf-8"))
    data["protect_reports"] = protect
    policy_file.write_text(yaml.safe_dump(data), encoding="utf-8")
    result, demo = small_demo
    args = ["fieldwork", "--run", str(result.run_dir), "--wave", str(demo / "wave")]
    r = CliRunner().invoke(
        main, [*args, "--policy", str(policy_file), "--out", str(out), "--lang", lang]
    )
    assert r.exit_code == 0, r.output
    name = "fieldwork.html" if lang == "nl" else f"fieldwork.{lang}.html"
    return (out / name).read_text(encoding="utf-8"), json.loads(
        (out / "fieldwork.json").read_text(encoding="utf-8")
    )


def test_under_the_policy_the_fieldwork_report_is_internal(small_demo, policy_file, tmp_path):
    from tests.reports.dutch_spelling import html_text, unknown_words

    html, data = _fieldwork(small_demo, policy_file, tmp_path / "p", protect=True)
    head = html[: html.index("<h2>")]  # the note comes before the first figure
    assert NOTE in head and "openbaarmakingsbeleid" in head and "wbm table" in head
    assert '<meta name="robots" content="noindex">' in html
    assert data["internal"] == {"policy": "referentie", "publish": False}
    note = head[head.index('<p class="internal"') :]
    assert unknown_words(html_text(note)) == {}


def test_the_english_report_says_so_too(small_demo, policy_file, tmp_path):
    html, _ = _fieldwork(small_demo, policy_file, tmp_path / "en", protect=True, lang="en")
    assert "Internal document for the fieldwork team: do not publish." in html


def test_without_the_policy_the_report_is_as_before(small_demo, policy_file, tmp_path):
    # the control: protect_reports false (internal drafts): no note
    html, data = _fieldwork(small_demo, policy_file, tmp_path / "u", protect=False)
    assert NOTE not in html and "noindex" not in html and data["internal"] is None


def test_the_public_outputs_hold_no_fieldwork_report(small_run_dir: Path):
    # the outputs stage (and so the demo) writes the public outputs; the fieldwork report is a
    # tool's folder of its own (RUN/06_fieldwork), written only by `wbm fieldwork`
    from pipeline.rundata.layout import STAGE_DIRS, TOOL_DIRS

    outputs = STAGE_DIRS["outputs"]
    names = [p.name for p in (small_run_dir / outputs).rglob("*")]
    assert names and not [n for n in names if n.startswith("fieldwork")]
    assert TOOL_DIRS["fieldwork"] != outputs
