"""Every item model passes qtmodeltester; edits arrive as row inserts/removes."""

from __future__ import annotations

from annotator.app import import_demo_corpus
from annotator.gui.models.document_list_model import DocumentListModel
from annotator.gui.models.label_list_model import LabelListModel
from annotator.gui.models.span_list_model import SpanListModel
from annotator.gui.widgets.corpus_panel import CorpusFilterModel


def test_document_list_model(qtmodeltester, ws):
    import_demo_corpus(ws)
    model = DocumentListModel(ws.documents, "alice")
    model.reload()
    assert model.rowCount() == 5
    qtmodeltester.check(model)
    doc_id = model.index(0, 0).data(DocumentListModel.IdRole)
    ws.annotations.add(doc_id, start=0, end=5, label="MILITARY", annotator="alice")
    model.refresh([doc_id])
    assert model.index(0, DocumentListModel.SPANS).data() == "1"
    assert model.index(0, DocumentListModel.STATUS).data() == "in progress"
    model.set_annotator("bob")
    assert model.index(0, DocumentListModel.SPANS).data() == "0"
    qtmodeltester.check(model)


def test_corpus_filter_model(qtmodeltester, ws):
    import_demo_corpus(ws)
    model = DocumentListModel(ws.documents, "alice")
    model.reload()
    proxy = CorpusFilterModel()
    proxy.setSourceModel(model)
    qtmodeltester.check(proxy)
    first = model.index(0, 0).data(DocumentListModel.IdRole)
    proxy.set_ids({first})
    assert proxy.rowCount() == 1
    proxy.set_ids(None)
    proxy.setFilterFixedString("zzzz-no-such-title")
    assert proxy.rowCount() == 0


def test_span_list_model(qtmodeltester, ws):
    import_demo_corpus(ws)
    doc = ws.documents.list()[0]
    text = ws.documents.get(doc.id).text
    a, _ = ws.annotations.add(doc.id, start=10, end=20, label="MILITARY", annotator="alice")
    b, _ = ws.annotations.add(doc.id, start=0, end=5, label="ECONOMIC", annotator="alice")
    model = SpanListModel()
    model.set_document(doc.id, text, ws.annotations.spans(doc.id))
    qtmodeltester.check(model)
    assert [model.index(r, 0).data() for r in range(2)] == ["ECONOMIC", "MILITARY"]
    c, _ = ws.annotations.add(doc.id, start=6, end=8, label="DIPLOMATIC", annotator="alice")
    model.apply_edit((c,), ())
    assert [model.index(r, 0).data() for r in range(3)] == ["ECONOMIC", "DIPLOMATIC", "MILITARY"]
    model.apply_edit((), (a,))
    assert model.rowCount() == 2
    assert model.label_counts() == {"ECONOMIC": 1, "DIPLOMATIC": 1}
    qtmodeltester.check(model)
    del b


def test_label_list_model(qtmodeltester, ws):
    model = LabelListModel(ws.labels)
    model.reload()
    qtmodeltester.check(model)
    names = [model.index(r, 0).data() for r in range(model.rowCount())]
    assert names[:3] == ["MILITARY", "DIPLOMATIC", "ECONOMIC"]
    assert [model.index(r, 1).data() for r in range(3)] == ["1", "2", "3"]
    model.set_counts({"MILITARY": 4})
    assert model.index(0, 2).data() == "4"
    assert model.index(0, 0).data(0x3) or model.index(0, 0).data(3)  # ToolTipRole: guideline
