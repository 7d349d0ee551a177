"""The risk report's before/after tables agree with each other (issue 19: "the risk report does not
show contradictory before/after tables"), in the handed-out JSON and in the page, for the public-use
release (English) and the outputs stage's scientific-use release (Dutch, the default):

- the stages count on the same key variables, and what violates k or is unique only goes down;
- the attacker combinations' table is shown, and its "after" is not above its "before";
- the suppressed values add up, split into the step on the key variables and the combinations;
- an information-loss row never has more records after than before;
- the weight-linkage rows (original and released weights) count the same protected values;
- when the largest stated change lies in a row the report does not show, the page says so.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.release.build import ReleaseBuild
from pipeline.sdc.microdata.report import hidden_largest
from pipeline.sdc.microdata.words import WORDS


@pytest.fixture(params=["pub", "sci_dir"])
def release(request) -> tuple[Path, str]:
    value = request.getfixturevalue(request.param)
    if isinstance(value, ReleaseBuild):
        return value.out_dir, "en"
    return value, "nl"


def _check_json(d: dict) -> None:
    stages = {s["stage"]: s for s in d["stages"]}
    assert list(stages) == ["original", "recoded", "released"]
    assert all(s["keys"] == d["keys"] for s in d["stages"])
    for a, b in (("original", "recoded"), ("recoded", "released")):
        assert stages[b]["violating"] <= stages[a]["violating"], (a, b)
        assert stages[b]["unique"] <= stages[a]["unique"], (a, b)
    for s in d["stages"]:
        assert s["unique"] <= s["violating"] <= d["n"]
    sup = d["suppression"]
    assert sum(sup["cells"].values()) == sup["total"]
    c = d["combinations"]
    if c is not None:
        assert (
            c["records_after"] <= c["records_before"] and c["uniques_after"] <= c["uniques_before"]
        )
        assert c["uniques_before"] <= c["records_before"]
        assert 0 <= c["cells"] <= sup["total"]
    for e in d["information_loss"]["estimates"]:
        assert e["n_after"] <= e["n_before"], e
    orig, rel = d["weight_linkage_original"], d["weight_linkage"]
    if orig is not None and rel is not None:
        for k in ("suppressed_cells", "perturbed_cells", "unreleased_cells", "protected_cells"):
            assert orig[k] == rel[k], k


def test_the_before_and_after_tables_agree(release):
    out, lang = release
    d = json.loads((out / "risk_report.json").read_text(encoding="utf-8"))
    _check_json(d)
    page = (out / "risk_report.html").read_text(encoding="utf-8")
    w = WORDS[lang]
    assert f'<html lang="{lang}">' in page and w["stages"] in page
    assert (w["combinations"] in page) == (d["combinations"] is not None)
    hidden = hidden_largest(d["information_loss"])
    said = w["loss_hidden"].split("{")[0]
    assert (said in page) == (hidden is not None and bool(d["information_loss"]["estimates"]))


def test_the_public_use_release_explains_its_extra_suppression_and_hidden_change(pub):
    """The demo's public-use release suppresses values beyond the key variables (the attacker
    combinations) and its largest change is in a protected domain: both are said, not left as an
    apparent contradiction."""
    d = json.loads((pub.out_dir / "risk_report.json").read_text(encoding="utf-8"))
    assert d["combinations"] is not None and d["combinations"]["cells"] > 0
    assert hidden_largest(d["information_loss"]) is not None
    page = (pub.out_dir / "risk_report.html").read_text(encoding="utf-8")
    total = d["suppression"]["total"]
    keys = total - d["combinations"]["cells"]
    assert f"Of the {total:,} suppressed values, {keys:,} come from the step on the key" in page
    assert "The largest difference is in a domain not shown here" in page


def test_hidden_largest():
    rows = [{"diff": 0.001}, {"diff": -0.004}, {"diff": None}]
    assert hidden_largest({"estimates": rows, "max_abs_diff": 0.004}) is None
    assert hidden_largest({"estimates": rows, "max_abs_diff": 0.05}) == pytest.approx(0.4)
    assert hidden_largest({"estimates": [], "max_abs_diff": 0.0}) is None
