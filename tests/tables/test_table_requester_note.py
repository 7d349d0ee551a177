"""The notes say who asked for a table in words a reader understands: the registered organisation's
name (with its id), and the publisher's own publications as such, never the bare id ``public``."""

from __future__ import annotations

from pipeline.sdc.registry import PUBLIC
from pipeline.tables.notes import requester_text


def test_the_publishers_own_publications_are_named_in_words():
    assert (
        requester_text(PUBLIC, "publisher", "nl") == "publiek (eigen publicatie van de stichting)"
    )
    assert requester_text(PUBLIC, "publisher", "en") == "public (the foundation's own publication)"


def test_a_registered_organisation_is_named_with_its_id():
    assert requester_text("woodwize", "Woodwize (PC 126)", "nl") == "Woodwize (PC 126) (woodwize)"
    assert requester_text("fonds-test", "fonds-test", "en") == "fonds-test"
    assert requester_text("fonds-test", "", "nl") == "fonds-test"
