"""Document labels as a user meets them: given and taken back on the desk (one undoable
step, only one's own), and compared by ``annotator agree --level document``: a passage level
of one passage per document, with kappa and alpha checked against figures worked by hand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.core.errors import NotYoursError
from annotator.services import Workspace
from annotator.services.commands import SetDocumentLabelCommand
from tests.test_cli import run

# MILITARY as a document label, alice / bob, four documents both marked done:
#   d1 yes/yes, d2 yes/no, d3 no/no, d4 no/no.
# Cohen: p_o = 3/4, p_e = (2/4)(1/4) + (2/4)(3/4) = 1/2, kappa = (3/4 - 1/2) / (1/2) = 0.5.
# Krippendorff (nominal): o_11 = 2, o_01 = o_10 = 1, o_00 = 4; n_1 = 3, n_0 = 5, n = 8;
#   alpha = 1 - (n - 1) o_01 / (n_0 n_1) = 1 - 7/15 = 8/15.
# DIPLOMATIC: only bob on d4 -> kappa 0 (p_o 3/4 = p_e 3/4), alpha 1 - 7*1/(7*1) = 0.
_GIVEN = [
    {"alice": ["MILITARY"], "bob": ["MILITARY"]},
    {"alice": ["MILITARY"]},
    {},
    {"bob": ["DIPLOMATIC"]},
]


def _corpus(tmp_path: Path) -> str:
    path = tmp_path / "in.jsonl"
    lines = [
        {
            "id": f"d{i}",
            "text": f"Document {i}. The navy sailed.",
            "spans": [],
            "status": {"alice": "done", "bob": "done"},
            "doc_labels": given,
        }
        for i, given in enumerate(_GIVEN, 1)
    ]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), "utf-8")
    url = f"sqlite:///{tmp_path / 'a.sqlite3'}"
    ws = Workspace.open(url)
    try:
        assert not ws.importer.import_paths([path], create_labels=True).errors
    finally:
        ws.close()
    return url


def test_agree_at_document_level_gives_the_hand_worked_figures(tmp_path: Path) -> None:
    url = _corpus(tmp_path)
    out = run(
        "--db",
        url,
        "agree",
        "--level",
        "document",
        "--bootstrap",
        "0",
        "--json",
        env_dir=tmp_path,
    ).stdout
    data = json.loads(out)
    labels = {r["label"]: r for r in data["label_rows"]}
    pairs = {r["label"]: r for r in data["pairs"]}
    assert set(labels) == {"DIPLOMATIC", "MILITARY"}
    assert pairs["MILITARY"]["kappa"] == pytest.approx(0.5)
    assert labels["MILITARY"]["alpha"] == pytest.approx(8 / 15)
    assert labels["MILITARY"]["units"] == 4
    assert labels["MILITARY"]["positives"] == {"alice": 2, "bob": 1}
    assert pairs["DIPLOMATIC"]["kappa"] == pytest.approx(0.0)
    assert labels["DIPLOMATIC"]["alpha"] == pytest.approx(0.0)
    text = run("--db", url, "agree", "--level", "document", env_dir=tmp_path).stdout
    assert "documents" in text and "document level" in text


def test_a_document_label_is_given_taken_back_and_undone_as_one_step(tmp_path: Path) -> None:
    url = _corpus(tmp_path)
    ws = Workspace.open(url)
    try:
        doc = ws.documents.list()[2].id  # d3: nobody's labels yet
        svc = ws.annotations
        with pytest.raises(Exception, match="NO SUCH"):  # no such label: nothing written
            SetDocumentLabelCommand(svc, doc, "alice", "NO SUCH", True).do()
        assert svc.document_labels(doc) == {}
        cmd = SetDocumentLabelCommand(svc, doc, "alice", "ECONOMIC", True)
        assert cmd.do().doc_labels
        assert svc.document_labels(doc) == {"alice": ["ECONOMIC"]}
        cmd.undo()
        assert svc.document_labels(doc) == {}
        cmd.do()  # redo
        take = SetDocumentLabelCommand(svc, doc, "alice", "ECONOMIC", False)
        take.do()
        assert svc.document_labels(doc) == {}
        take.undo()
        assert svc.document_labels(doc) == {"alice": ["ECONOMIC"]}
        # Only one's own: a step for alice never touches bob's labels.
        d1 = ws.documents.list()[0].id
        with pytest.raises(NotYoursError):
            svc.set_document_label(d1, "bob", "MILITARY", False, actor="alice")
        assert svc.document_labels(d1)["bob"] == ["MILITARY"]
        # Giving a label already given changes nothing, so its undo takes nothing back.
        again = SetDocumentLabelCommand(svc, d1, "alice", "MILITARY", True)
        again.do()
        again.undo()
        assert svc.document_labels(d1)["alice"] == ["MILITARY"]
    finally:
        ws.close()
