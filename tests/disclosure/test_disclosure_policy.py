"""The publisher's policy file and requester registry: checked with located errors; a request may
only be stricter."""

from __future__ import annotations

import pytest

from pipeline.errors import DisclosureError, SpecError, UsageError
from pipeline.paths import PUBLISHER_DIR
from pipeline.sdc.policy import effective_rules, find_policy, load_policy
from pipeline.sdc.registry import load_registry


def test_the_shipped_reference_policy_and_registry_load():
    pol = load_policy(PUBLISHER_DIR / "policy.yaml")
    assert pol.rules.min_n_percent == 30 and pol.rules.min_n_count == 5
    assert pol.policy.tables.weighted_n_base == 100 and pol.policy.tables.breakdowns_allowed == ()
    assert pol.ledger_dir == (PUBLISHER_DIR / "ledger").resolve()
    reg = load_registry(pol.registry_file)
    assert reg.organisation("woodwize").kind == "sector-fund"
    recipient, org = reg.recipient("instituut-a-team2")
    assert org.id == "onderzoeksinstituut-a" and recipient.name
    assert reg.organisation("public").kind == "publisher"


def test_the_reports_are_protected_unless_the_publisher_says_otherwise(tmp_path):
    # finding 5: the reference policy protects the reports' figures, and so does a policy that
    # does not mention them (only the publisher can switch it off, never a request)
    assert load_policy(PUBLISHER_DIR / "policy.yaml").policy.protect_reports is True
    # the exact check of the whole space of figures costs minutes per wave: the publisher's choice
    assert load_policy(PUBLISHER_DIR / "policy.yaml").policy.exact_reports is False
    # so does the datatool's (80 s per full-size wave for the demo's subset, over 30 min for a whole space)
    assert load_policy(PUBLISHER_DIR / "policy.yaml").policy.exact_datatool is False
    (tmp_path / "p.yaml").write_text(
        "kind: disclosure-policy\nschema_version: 1\nid: x\n", encoding="utf-8"
    )
    assert load_policy(tmp_path / "p.yaml").policy.protect_reports is True
    assert load_policy(tmp_path / "p.yaml").policy.exact_datatool is False


@pytest.mark.parametrize(
    ("text", "path"),
    [
        (
            "kind: disclosure-policy\nschema_version: 1\nid: x\ntables: {min_n_percent: 0}\n",
            "tables.min_n_percent",
        ),
        (
            "kind: disclosure-policy\nschema_version: 1\nid: x\ntables: {unknown: 1}\n",
            "tables.unknown",
        ),
        ("kind: disclosure-policy\nschema_version: 1\nid: X Y\n", "id"),
    ],
)
def test_a_broken_policy_is_a_located_error(tmp_path, text, path):
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(SpecError) as err:
        load_policy(tmp_path / "p.yaml")
    assert err.value.code == "bad_policy" and path in [p.path for p in err.value.problems]


def test_no_policy_no_publication(monkeypatch):
    monkeypatch.delenv("WBM_POLICY", raising=False)
    with pytest.raises(UsageError) as err:
        find_policy()
    assert err.value.code == "no_policy"


def test_explicit_then_environment_then_recorded(tmp_path, monkeypatch):
    from ..publisher_helpers import make_publisher

    a = make_publisher(tmp_path / "a")
    b = make_publisher(tmp_path / "b")
    c = make_publisher(tmp_path / "c")
    monkeypatch.setenv("WBM_POLICY", str(b))
    assert find_policy(a, recorded=c).file == a.resolve()
    assert find_policy(None, recorded=c).file == b.resolve()
    monkeypatch.delenv("WBM_POLICY")
    assert find_policy(None, recorded=c).file == c.resolve()


def test_stricter_only():
    pol = load_policy(PUBLISHER_DIR / "policy.yaml")
    rules, on = effective_rules(pol, {"min_n_percent": 40, "on_disclosure": "refuse"})
    assert rules.min_n_percent == 40 and rules.unreliable_below == 50 and on == "refuse"
    rules, _ = effective_rules(pol, {"min_n_percent": 80})
    assert rules.unreliable_below == 80  # never below the minimum
    for looser in (
        {"min_n_count": 2},
        {"dominance_k": 95},
        {"dominance_n": 1},
        {"p_percent": 5},
    ):
        with pytest.raises(SpecError) as err:
            effective_rules(pol, looser)
        assert err.value.code == "looser_than_policy"


def test_registry_ids_are_unique_and_unknown_names_refused(tmp_path):
    (tmp_path / "r.yaml").write_text(
        "kind: requester-registry\nschema_version: 1\norganisations:\n"
        "  - {id: a, name: A, recipients: [{id: a, name: also a}]}\n",
        encoding="utf-8",
    )
    with pytest.raises(SpecError) as err:
        load_registry(tmp_path / "r.yaml")
    assert err.value.code == "bad_registry"
    reg = load_registry(PUBLISHER_DIR / "requesters.yaml")
    with pytest.raises(DisclosureError) as refused:
        reg.organisation("woodwise")
    assert refused.value.code == "unregistered_requester"
    assert "did you mean 'woodwize'?" in refused.value.render()
    with pytest.raises(DisclosureError):
        reg.recipient("woodwize")  # an organisation is not a recipient
