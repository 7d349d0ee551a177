"""Review finding 8 (issue 13), the attack as written, on the session's demo wave: the public-use and
the scientific-use file of one wave link record by record on the raw answers, and values one file
suppresses come back from the other. Releases go to registered recipients; a second release of the
same wave to the same recipient, or to a recipient of the same organisation, is refused unless the
two files cannot be linked (the release register beside the table ledger)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from pipeline.errors import DisclosureError
from pipeline.release.build import build_release
from pipeline.sdc.publisher import publisher
from pipeline.sdc.register import Delivery, Register, shared_columns


def _build(run: Path, profile: str, out: Path, recipient: str, seed: int | None = None):
    return build_release(
        run, profile, out, pdf=False, seed=seed, recipient=recipient, publisher=publisher()
    )


def _register_lines(policy_file: Path) -> list[str]:
    reg = publisher(policy_file).register_dir
    return [ln for p in sorted(reg.rglob("releases.jsonl")) for ln in p.read_text().splitlines()]


def test_public_and_scientific_files_of_one_wave_link(small_run_dir, tmp_path, policy_file):
    """Why the rule exists: most public-use records find exactly one scientific-use record on the
    columns the two files share."""
    pub = _build(small_run_dir, "public-use", tmp_path / "pub", "instituut-a-team1")
    sci = _build(small_run_dir, "scientific-use", tmp_path / "sci", "instituut-b-team1")
    a, b = pub.table.frame, sci.table.frame
    # the raw answers both files release as they are (same name, same set of values)
    shared = [
        c
        for c in a.columns
        if c in b.columns
        and c != "release_id"
        and set(a[c].dropna().unique()) == set(b[c].dropna().unique())
    ]
    assert len(shared) >= 10
    key_a = pd.util.hash_pandas_object(a[shared].astype(float), index=False)
    key_b = pd.util.hash_pandas_object(b[shared].astype(float), index=False)
    counts = key_b.value_counts()
    unique_links = int((key_a.map(counts) == 1).sum())
    assert unique_links > len(a) // 2, unique_links  # the attack: record-by-record linkage
    # ... and the register now refuses the scientific file to the public file's organisation
    with pytest.raises(DisclosureError) as e:
        _build(small_run_dir, "scientific-use", tmp_path / "sci-a", "instituut-a-team2")
    assert e.value.code == "release_linkable"
    assert not (tmp_path / "sci-a").exists()  # nothing written


def test_second_release_to_same_recipient_or_organisation(small_run_dir, tmp_path, policy_file):
    _build(small_run_dir, "public-use", tmp_path / "one", "instituut-a-team1")
    assert len(_register_lines(policy_file)) == 1
    for recipient in (
        "instituut-a-team1",
        "instituut-a-team2",
    ):  # same recipient, same organisation
        with pytest.raises(DisclosureError) as e:
            _build(small_run_dir, "scientific-use", tmp_path / f"two-{recipient}", recipient)
        assert e.value.code == "release_linkable"
        assert not (tmp_path / f"two-{recipient}").exists()
    # the same profile with other release ids is a different, linkable file too
    with pytest.raises(DisclosureError):
        _build(small_run_dir, "public-use", tmp_path / "reseeded", "instituut-a-team2", seed=99)
    # the same file again is a re-delivery: allowed, registered again, byte for byte the same data
    again = _build(small_run_dir, "public-use", tmp_path / "again", "instituut-a-team2")
    first = pd.read_csv(next((tmp_path / "one").glob("*.csv")))
    assert again.table.frame.shape == first.shape
    assert len(_register_lines(policy_file)) == 2
    # another organisation is not affected by this one's history
    _build(small_run_dir, "scientific-use", tmp_path / "b", "instituut-b-team1")
    assert len(_register_lines(policy_file)) == 3


def test_unregistered_or_missing_recipient_is_refused(small_run_dir, tmp_path):
    with pytest.raises(DisclosureError) as e:
        _build(small_run_dir, "public-use", tmp_path / "x", "someone-else")
    assert e.value.code == "unregistered_requester" and not (tmp_path / "x").exists()
    res = subprocess.run(
        [sys.executable, "-m", "pipeline", "release", "--profile", "public-use"]
        + ["--run", str(small_run_dir), "--out", str(tmp_path / "y"), "--no-pdf"],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 2 and "no_recipient" in res.stderr and "Traceback" not in res.stderr


def _d(columns: tuple[str, ...], seed: int = 1, org: str = "o", sha: str = "x") -> Delivery:
    return Delivery("r", org, "v1", "p", "s", seed, columns, sha, 2023, "study")


def test_files_that_cannot_be_linked_are_allowed(tmp_path):
    reg = Register(tmp_path)
    reg.record(_d(("release_id", "a", "b"), seed=1, sha="f1"))
    # no shared column, and release ids drawn with another seed: cannot be linked
    assert reg.check(_d(("release_id", "c"), seed=2, sha="f2"))
    assert shared_columns(_d(("release_id", "c"), seed=2), _d(("release_id", "a"), seed=1)) == ()
    # the same ids (same seed) link the two files even without a shared answer
    with pytest.raises(DisclosureError):
        reg.check(_d(("release_id", "c"), seed=1, sha="f3"))
    with pytest.raises(DisclosureError):
        reg.check(_d(("release_id", "b"), seed=2, sha="f4"))
    # another organisation's earlier files do not count
    assert reg.check(_d(("release_id", "a", "b"), seed=3, org="other", sha="f5")) == ()
