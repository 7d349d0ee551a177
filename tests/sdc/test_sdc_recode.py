"""Release recodes (bands, top codes, code maps) and merging of small categories."""

from __future__ import annotations

import math

import numpy as np
import pytest

from pipeline.errors import InputError
from pipeline.questionnaire.model import ReleaseRecode, Text
from pipeline.sdc.microdata.profile import MergeRule
from pipeline.sdc.microdata.recode import (
    apply_release_recode,
    base_labels,
    merge_small,
    recode_columns,
)

NAN = math.nan


def test_age_bands_from_the_questionnaire(q):
    rule = q.item("age").release
    x = np.array([18, 29, 30, 45, 54, 55, 67, -9, NAN])
    new, rec = apply_release_recode("age", x, rule)
    np.testing.assert_array_equal(new[:7], [1, 1, 2, 3, 4, 5, 5])
    assert new[7] == -9 and math.isnan(new[8])  # missing values pass through
    assert rec.kind == "bands" and rec.changed == 7
    assert (18.0, 1.0, 1) in rec.transitions and (67.0, 5.0, 1) in rec.transitions
    assert [c for c, _ in rec.labels] == [1, 2, 3, 4, 5]
    assert rec.log_lines()[0] == "age: bands, 7 value(s) changed"


def test_sector_map_counts_every_change(q):
    rule = q.item("sector").release
    x = np.array([1, 2, 5, 6, 6, 14, 16, -8])
    new, rec = apply_release_recode("sector", x, rule)
    assert new.tolist() == [1, 1, 2, 3, 3, 4, 3, -8]
    # 1 -> 1 is not a change; 2->1, 5->2, 6->3 (x2), 14->4, 16->3
    assert rec.changed == 6
    assert dict(((a, b), c) for a, b, c in rec.transitions)[(6.0, 3.0)] == 2
    assert dict(rec.labels)[4].en == "public and social services"


def test_hours_top_code(q):
    new, rec = apply_release_recode(
        "hours", np.array([38.0, 50.0, 50.5, 72.0, -9.0]), q.item("hours").release
    )
    assert new.tolist() == [38.0, 50.0, 50.0, 50.0, -9.0]
    assert rec.changed == 2 and rec.transitions == ((50.5, 50.0, 1), (72.0, 50.0, 1))
    assert dict(rec.labels)[50].en == "50 or more"


def test_a_value_outside_the_bands_is_an_error_with_its_row(q):
    with pytest.raises(InputError) as exc:
        apply_release_recode("age", np.array([30.0, 120.0]), q.item("age").release)
    assert exc.value.code == "release_recode_gap"
    assert exc.value.problems[0].row == 2 and exc.value.problems[0].value == 120.0


def test_an_unmapped_code_is_an_error():
    rule = ReleaseRecode(map=((1, 1), (2, 1)))
    with pytest.raises(InputError) as exc:
        apply_release_recode("x", np.array([1.0, 3.0, 3.0]), rule)
    assert exc.value.code == "release_recode_gap" and len(exc.value.problems) == 2


def test_merge_small_into_a_code():
    x = np.array([1] * 10 + [2] * 3 + [3] * 2 + [4] * 12 + [-9], dtype=float)
    labels = {1: Text(nl="a"), 2: Text(nl="b"), 3: Text(nl="c"), 4: Text(nl="d")}
    new, rec, notices = merge_small(
        "occ", x, MergeRule(variable="occ", min_count=5, into=9, label=Text(nl="overig")), labels
    )
    assert np.sum(new == 9) == 5 and new[-1] == -9
    assert rec.changed == 5 and dict(rec.labels)[9].nl == "overig" and 2 not in dict(rec.labels)
    assert notices == []


def test_merge_small_into_a_code_that_stays_small_gives_a_notice():
    x = np.array([1] * 10 + [2] * 1 + [3] * 1, dtype=float)
    _, _, notices = merge_small("occ", x, MergeRule(variable="occ", min_count=5, into=9), {})
    assert [n.code for n in notices] == ["merged_category_small"]


def test_merge_small_ordinal_merges_with_the_smaller_neighbour():
    # counts: 1:20, 2:2, 3:4, 4:30 -> 2 (smallest) merges with 3 (smaller neighbour) -> 2+3 = 6
    x = np.array([1] * 20 + [2] * 2 + [3] * 4 + [4] * 30, dtype=float)
    labels = {
        1: Text(nl="<30", en="<30"),
        2: Text(nl="30-39"),
        3: Text(nl="40-49"),
        4: Text(nl="50+"),
    }
    new, rec, _ = merge_small("age", x, MergeRule(variable="age", min_count=5), labels)
    assert sorted(set(new.tolist())) == [1.0, 2.0, 4.0]
    assert np.sum(new == 2) == 6
    assert dict(rec.labels)[2].nl == "30-39 + 40-49"


def test_recode_columns_applies_recodes_then_merges(q):
    cols = {
        "age": np.array([20.0, 35, 45, 60]),
        "sector": np.array([1.0, 5, 6, 12]),
        "sex": np.array([1.0, 2, 1, 2]),
    }
    rec = recode_columns(cols, q, ["age", "sector"], [MergeRule(variable="age", min_count=2)])
    assert rec.columns["sector"].tolist() == [1, 2, 3, 4]
    assert [a.kind for a in rec.applied] == ["bands", "map", "merge_small"]
    assert set(rec.labels) == {"age", "sector"}
    assert cols["age"].tolist() == [20.0, 35, 45, 60]  # inputs are not modified
    assert (
        base_labels(q, "sex")[2].nl == "vrouw" and base_labels(q, "age_band")[5].en == "55 and over"
    )


def test_notices_are_worded_in_dutch_without_a_withheld_count():
    """Issue 19: the risk report words a notice in Dutch from what its English message shows (the
    variable, the merged code, the minimum), never the count the report withholds."""
    from pipeline.sdc.microdata.words import notice_text

    x = np.array([1] * 10 + [2] * 1 + [3] * 1, dtype=float)
    _, _, notices = merge_small("occ", x, MergeRule(variable="occ", min_count=5, into=9), {})
    (n,) = notices
    said = notice_text(n.code, n.details, "nl")
    assert said == (
        "<code>occ</code>: de samengevoegde categorie 9 heeft nog minder dan 5 respondenten"
    )
    assert str(n.details["n"]) not in said.replace("5", "")
    assert notice_text(n.code, n.details, "en") is None  # English: the engine's message
    y = np.array([1] * 2 + [2] * 1, dtype=float)
    _, _, (m,) = merge_small("occ", y, MergeRule(variable="occ", min_count=5), {})
    assert notice_text(m.code, m.details, "nl") == (
        "<code>occ</code>: alle categorieën samengevoegd en nog altijd minder dan 5 respondenten"
    )
    assert notice_text("a_new_code", {}, "nl") is None
