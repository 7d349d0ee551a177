"""``wbm plan``: the allocation engine (targets, budget, proportional comparison) and the command on
the small demo, with the plan simulated on the generator's population."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.cli import cli as main
from pipeline.errors import SpecError
from pipeline.fieldwork.allocation import Costs, StratumInput, Target, allocate
from pipeline.fieldwork.targets import read_targets

TARGETS = """\
kind: wbm-plan-targets
schema_version: 1
domain: sector
indicators: [werkbaar_werk]
assurance: 0.95
domains:
  default: {min_respondents: 60, max_half_width: 9}
  levels:
    "16": {report: false}
overall: {max_half_width: 2.5}
budget:
  per_invitation: 1.10
  per_response: {paper: 2.40, web: 0.25}
"""


def stratum(
    level: str, big_n: float, rate: float, p: float = 0.5, deff: float = 1.3
) -> StratumInput:
    return StratumInput(
        level=level,
        label=f"s{level}",
        population=big_n,
        invited=2000,
        respondents=int(2000 * rate),
        rate=rate,
        rate_se=math.sqrt(rate * (1 - rate) / 2000),
        rate_by_mode={"paper": 0.6 * rate, "web": 0.4 * rate},
        p={"ww": p},
        p_se={"ww": 0.02},
        deff=deff,
    )


COSTS = Costs(1.0, {"paper": 2.0, "web": 0.2})


def test_domain_targets_alone_give_each_domain_its_own_minimum() -> None:
    strata = [stratum("1", 50_000, 0.2), stratum("2", 400_000, 0.1), stratum("3", 9_000, 0.3)]
    plan = allocate(strata, [Target(200, None)] * 3, ["ww"], COSTS)
    for s in plan.strata:
        assert s.reached and s.reason == ""
        # the lower quantile of the respondents reaches the target, the expectation is above it
        assert s.assured_respondents >= 200 - 1e-6
        assert s.expected_respondents > 200
    # respondents needed are the same, so the low-response stratum needs the most invitations
    assert plan.strata[1].invitations > plan.strata[0].invitations > plan.strata[2].invitations
    assert plan.cost <= plan.proportional_cost


def test_half_width_target_uses_the_design_effect() -> None:
    a = allocate([stratum("1", 1e6, 0.2, deff=1.0)], [Target(None, 4.0)], ["ww"], COSTS)
    b = allocate([stratum("1", 1e6, 0.2, deff=2.0)], [Target(None, 4.0)], ["ww"], COSTS)
    assert b.strata[0].required_respondents == pytest.approx(2 * a.strata[0].required_respondents)
    # z^2 deff p q / h^2 with p = 1/2: 1.96^2 * 0.25 / 0.04^2
    assert a.strata[0].required_respondents == pytest.approx(600.2, abs=0.1)


def test_overall_target_is_met_at_least_cost_and_beats_proportional() -> None:
    strata = [
        stratum(str(h), n, r) for h, (n, r) in enumerate([(3e5, 0.3), (1e5, 0.1), (6e5, 0.2)])
    ]
    plan = allocate(strata, [None] * 3, ["ww"], COSTS, overall_half_width=1.0)
    assert plan.overall_reached
    assert plan.overall_half_width["ww"] <= 1.0 + 1e-6
    assert plan.cost <= plan.proportional_cost


def test_budget_gives_up_the_costliest_domain_first() -> None:
    strata = [stratum("1", 50_000, 0.2), stratum("2", 50_000, 0.05), stratum("3", 50_000, 0.25)]
    full = allocate(strata, [Target(300, None)] * 3, ["ww"], COSTS)
    budget = full.cost - 1.0
    plan = allocate(strata, [Target(300, None)] * 3, ["ww"], Costs(1.0, COSTS.per_response, budget))
    reasons = {s.level: (s.reached, s.reason) for s in plan.strata}
    assert reasons == {"1": (True, ""), "2": (False, "budget"), "3": (True, "")}
    assert plan.within_budget and plan.cost <= budget


def test_a_domain_too_small_is_named() -> None:
    plan = allocate([stratum("1", 500, 0.2)], [Target(200, None)], ["ww"], COSTS)
    s = plan.strata[0]
    assert not s.reached and s.reason == "population" and s.invitations == 500


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.floats(2_000, 500_000), st.floats(0.05, 0.6), st.floats(0.1, 0.9), st.floats(1, 2.5)
        ),
        min_size=1,
        max_size=8,
    ),
    st.integers(20, 400),
    st.one_of(st.none(), st.floats(0.8, 5.0)),
)
def test_plan_never_costs_more_than_proportional(rows, m, overall) -> None:
    strata = [stratum(str(i), n, r, p, d) for i, (n, r, p, d) in enumerate(rows)]
    plan = allocate(
        strata, [Target(m, None)] * len(strata), ["ww"], COSTS, overall_half_width=overall
    )
    assert plan.cost <= plan.proportional_cost + 1e-6
    for s in plan.strata:
        assert 1 <= s.invitations <= s.population + 1
        if s.reached:
            assert s.assured_respondents >= m - 1e-6


def test_targets_file_problems_are_located(tmp_path: Path) -> None:
    p = tmp_path / "t.yaml"
    p.write_text(TARGETS.replace("min_respondents: 60", "min_respondent: 60"), encoding="utf-8")
    with pytest.raises(SpecError) as err:
        read_targets(p)
    assert err.value.code == "plan_targets_invalid"
    assert any(pr.line == 7 for pr in err.value.problems)


# ------------------------------------------------------------------------------------ the command
@pytest.fixture(scope="module")
def plan_out(small_demo, tmp_path_factory: pytest.TempPathFactory) -> Path:
    result, out = small_demo
    dest = tmp_path_factory.mktemp("plan")
    targets = dest / "targets.yaml"
    targets.write_text(TARGETS, encoding="utf-8")
    args = [
        "plan",
        "--run",
        str(result.run_dir),
        "--wave",
        str(out / "wave"),
        "--targets",
        str(targets),
        "--replications",
        "100",
    ]
    r = CliRunner().invoke(main, [*args, "--out", str(dest / "a")])
    assert r.exit_code == 0, r.output
    r2 = CliRunner().invoke(main, [*args, "--out", str(dest / "b")])
    assert r2.exit_code == 0, r2.output
    return dest


def test_simulated_plan_meets_targets_and_costs_less_than_proportional(plan_out: Path) -> None:
    d = json.loads((plan_out / "a" / "plan.json").read_text(encoding="utf-8"))
    sim, plan = d["simulation"], d["plan"]
    assert d["synthetic"] is True
    assert sim["replications"] == 100 and sim["failed_replications"] == 0
    # every reachable target met together in at least 95% of the replications
    assert sim["all_met_share"] >= 0.95
    assert plan["overall_reached"] and sim["overall_met_share"] >= 0.95
    assert plan["cost"] <= plan["proportional"]["cost"]
    # the unreported level has no target, every other one is reached
    reported = {s["level"]: s["target"] for s in plan["strata"]}
    assert reported["16"] == "" and all(v for k, v in reported.items() if k != "16")
    # the simulated estimates are unbiased for the generator's truth (within 4 simulation SEs)
    for dom in sim["domains"]:
        hw = dom["half_width"]["werkbaar_werk"][1]
        se_mean = hw / 1.96 / math.sqrt(sim["replications"])
        assert abs(dom["estimate_bias"]["werkbaar_werk"]) <= 4 * se_mean + 0.05


def test_plan_files_are_identical_on_rerun_and_summarised_in_dutch(plan_out: Path) -> None:
    for name in ("plan.json", "plan.csv", "plan.html"):
        assert (plan_out / "a" / name).read_bytes() == (plan_out / "b" / name).read_bytes()
    text = (plan_out / "a" / "plan.html").read_text(encoding="utf-8")
    assert "uitnodigingen" in text and "<svg" in text and "SYNTHETISCHE" in text


def test_unknown_domain_is_refused_with_every_problem(small_demo, tmp_path: Path) -> None:
    from pipeline.fieldwork.targets import check_names

    result, out = small_demo
    t = tmp_path / "t.yaml"
    t.write_text(
        TARGETS.replace("domain: sector", "domain: sectr").replace("[werkbaar_werk]", "[nope]"),
        encoding="utf-8",
    )
    r = CliRunner().invoke(
        main,
        [
            "plan",
            "--run",
            str(result.run_dir),
            "--wave",
            str(out / "wave"),
            "--targets",
            str(t),
            "--out",
            str(tmp_path / "o"),
            "--replications",
            "0",
        ],
    )
    assert isinstance(r.exception, SpecError) and r.exception.exit_code == 2
    assert r.exception.code == "plan_targets_invalid"
    values = {p.value for p in r.exception.problems}
    assert {"sectr", "nope"} <= values
    assert check_names is not None


def test_falling_response_needs_more_invitations(small_demo, tmp_path: Path) -> None:
    result, out = small_demo
    counts = {}
    for f in ("1.0", "0.8"):
        t = tmp_path / f"t{f}.yaml"
        t.write_text(
            TARGETS.replace("assurance: 0.95", f"assurance: 0.95\nresponse_change: {f}"),
            encoding="utf-8",
        )
        dest = tmp_path / f
        r = CliRunner().invoke(
            main,
            [
                "plan",
                "--run",
                str(result.run_dir),
                "--wave",
                str(out / "wave"),
                "--targets",
                str(t),
                "--replications",
                "0",
                "--out",
                str(dest),
            ],
        )
        assert r.exit_code == 0, r.output
        counts[f] = json.loads((dest / "plan.json").read_text(encoding="utf-8"))
    a, b = counts["1.0"], counts["0.8"]
    assert b["plan"]["invitations"] > a["plan"]["invitations"]
    for x, y in zip(a["last_wave"], b["last_wave"], strict=True):
        assert y["rate"] == pytest.approx(0.8 * x["rate"])
