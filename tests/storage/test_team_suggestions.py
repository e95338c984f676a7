"""Suggestions on the team server: each desktop trains on what its role may read, only leads
edit seed rules, and an annotator's accepted suggestion is their own span under the server's
row-level security."""

from __future__ import annotations

import pytest

from annotator.core.errors import PermissionDeniedError
from annotator.core.model import SpanOrigin
from annotator.services.suggestion_commands import AcceptSuggestionCommand
from tests.storage.test_team_server import TEXT, Team, team  # noqa: F401 - the fixture

pytestmark = pytest.mark.postgres


def test_annotators_train_and_accept_leads_edit_rules(team: Team) -> None:  # noqa: F811
    alice, lena = team.open("alice"), team.open("lena")
    try:
        with pytest.raises(PermissionDeniedError):
            alice.suggestions.set_rules("ECONOMIC", "sanction*")
        lena.suggestions.set_rules("ECONOMIC", "sanction*")
        assert alice.suggestions.rules() == {"ECONOMIC": ["sanction*"]}
        sug = alice.suggestions.train()
        (row,) = list(alice.suggestions.suggestions(sug))  # the one untagged document
        assert (row.label, row.source, row.document_id) == ("ECONOMIC", "rule", team.doc)
        assert (row.start, row.end) == (0, len(TEXT))
        AcceptSuggestionCommand(
            alice.annotations, team.doc, row.start, row.end, (row.label,), "alice"
        ).do()
        (span,) = alice.annotations.spans(team.doc)
        assert (span.annotator, span.origin) == ("alice", SpanOrigin.SUGGESTED)
        # Bob's desktop learns from alice's label: the server lets everyone read all spans.
        examples = team.open("bob").suggestions.examples()
        assert [(e.annotator, e.labels) for e in examples] == [("alice", frozenset({"ECONOMIC"}))]
        with pytest.raises(PermissionDeniedError):  # but cannot accept in alice's name
            AcceptSuggestionCommand(
                team.open("bob").annotations, team.doc, 0, 6, ("MILITARY",), "alice"
            ).do()
    finally:
        alice.close()
        lena.close()
