"""A publisher (policy + registry) for tests."""

from __future__ import annotations

from pathlib import Path

TEST_ORGANISATIONS = ("fonds-test", "fonds-b", "prop", "r", "woodwize", "demo-fonds")
TEST_RECIPIENTS = {
    "instituut-a": ("instituut-a-team1", "instituut-a-team2"),
    "instituut-b": ("instituut-b-team1",),
}


def make_publisher(directory: Path, *, protect_reports: bool = False, **tables: object) -> Path:
    """A publisher directory for tests: the reference policy (``tables`` overriding its table rules)
    and a registry of the test organisations and recipients; returns the policy file.

    The reports' protection (``protect_reports``, on in the reference policy) is off unless a test
    asks for it: it adds the joint protection of every report figure to each outputs stage, and the
    report tests check the rendering on every figure. The tests of the protection itself switch it
    on (tests/tables/test_table_report_figures.py, tests/reports/test_reports_withheld.py);
    tests/disclosure/test_disclosure_policy.py checks the reference policy keeps it on."""
    import yaml

    from pipeline.paths import PUBLISHER_DIR

    directory.mkdir(parents=True, exist_ok=True)
    policy = yaml.safe_load((PUBLISHER_DIR / "policy.yaml").read_text(encoding="utf-8"))
    policy["tables"].update(tables)
    policy["protect_reports"] = protect_reports
    (directory / "policy.yaml").write_text(yaml.safe_dump(policy), encoding="utf-8")
    orgs: list[dict[str, object]] = [
        {"id": o, "name": o, "kind": "sector-fund"} for o in TEST_ORGANISATIONS
    ]
    orgs += [
        {
            "id": o,
            "name": o,
            "kind": "research-institute",
            "recipients": [{"id": r, "name": r} for r in rs],
        }
        for o, rs in TEST_RECIPIENTS.items()
    ]
    registry = {"kind": "requester-registry", "schema_version": 1, "organisations": orgs}
    (directory / "requesters.yaml").write_text(yaml.safe_dump(registry), encoding="utf-8")
    return directory / "policy.yaml"


def unprotected_demo(out: Path) -> Path:
    """Prepare ``OUT/publisher`` for a demo whose reports a test reads figure by figure: the
    reference policy with the reports' protection off (:func:`pipeline.sdc.publisher.init_publisher`
    keeps a policy already there). The demos run as users run them (reference policy, reports
    protected) are tests/pipeline/test_demo_instruments.py's ``run_demos`` and CLI tests."""
    import yaml

    from pipeline.paths import PUBLISHER_DIR

    directory = out / "publisher"
    directory.mkdir(parents=True, exist_ok=True)
    policy = yaml.safe_load((PUBLISHER_DIR / "policy.yaml").read_text(encoding="utf-8"))
    policy["protect_reports"] = False
    (directory / "policy.yaml").write_text(yaml.safe_dump(policy), encoding="utf-8")
    return directory / "policy.yaml"
