"""Issue 24: the files the peers' own tools write import whole, with exact counts, or are
refused by name. Each fixture was made for these tests in the shape its tool's writer
produces (Label Studio's current task export, doccano 1.x, CoNLL-2003's ``train.txt``,
Prodigy's textcat and span review, brat with events); the Label Studio JSON-MIN and CSV
files are made here by Label Studio's own converter from our export."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from annotator.core.errors import InputError
from annotator.formats.base import ExportItem
from annotator.formats.registry import detect_importer, get_importer
from annotator.services import Workspace
from annotator.services.importing import ImportReport
from annotator.storage.doc_labels import document_labels

from .conftest import export

FIXTURES = Path(__file__).parent / "fixtures"
# Label Studio's labelling config for the `layered` sample, as a project would have it.
CONFIG = """<View>
  <Labels name="label" toName="text">
    <Label value="KEY EVENT"/><Label value="PLACE"/><Label value="REACTION"/>
    <Label value="MILITARY"/><Label value="MOVE"/><Label value="DIPLOMATIC"/>
  </Labels>
  <Text name="text" value="$text"/>
</View>"""
EMAILS = (("alice", "alice@example.org"), ("bob", "bob@example.org"))

Stored = dict[str, Counter[tuple[str, str]]]
"""document text -> Counter of (annotator, label) of its stored spans."""
WHOLE: dict[str, dict[str, list[str]]] = {}
"""document text -> {annotator: [document label]} of the last import_into."""


def import_into(tmp_path: Path, path: Path, **kw: object) -> tuple[ImportReport, Stored]:
    """Import ``path`` with --create-labels into a fresh SQLite file, as `annotator import`
    does, and read back what is stored."""
    ws = Workspace.open(f"sqlite:///{tmp_path}/peers.sqlite3")
    try:
        report = ws.importer.import_paths([path], create_labels=True, **kw)  # type: ignore[arg-type]
        assert not report.errors, report.errors
        stored: Stored = {}
        ids = [d.id for d in ws.documents.list()]
        whole = ws.db.read(lambda s: document_labels(s, ids))
        WHOLE.clear()
        for summary in ws.documents.list():
            text = ws.documents.get(summary.id).text
            WHOLE[text] = whole.get(summary.id, {})
            got = stored.setdefault(text, Counter())
            for s in ws.annotations.spans(summary.id):
                assert text[s.start : s.end].strip() == text[s.start : s.end]
                got[(s.annotator, text[s.start : s.end] + "/" + s.label)] += 1
        return report, stored
    finally:
        ws.close()


def per_annotator(stored: Stored) -> dict[str, int]:
    out: Counter[str] = Counter()
    for spans in stored.values():
        for (who, _), n in spans.items():
            out[who] += n
    return dict(out)


def skipped(report: ImportReport) -> dict[str, int]:
    out: dict[str, int] = {}
    for f in report.files:
        out.update(f.skipped)
    return out


# --- doccano 1.x ------------------------------------------------------------------------


def test_doccano_1x_with_users_and_label_ids(tmp_path: Path) -> None:
    """doccano 1.x JSONL (doccano-transformer's input): spans in `annotations` with an
    integer `user` and an integer label id; a line without spans must not make the file
    look like Label Studio."""
    report, stored = import_into(tmp_path, FIXTURES / "doccano_v1_users.jsonl")
    assert (report.documents_added, report.spans_added) == (3, 6)
    assert per_annotator(stored) == {"doccano-user-1": 3, "doccano-user-2": 3}
    first = stored["Troops crossed the border near Kharkiv."]
    assert first == Counter(
        {
            ("doccano-user-1", "Troops/label-3"): 1,
            ("doccano-user-2", "Troops/label-3"): 1,  # two people, two spans: not merged
            ("doccano-user-1", "Kharkiv/label-4"): 1,
        }
    )
    assert stored["No spans in this one."] == Counter()


def test_doccano_1x_with_label_names(tmp_path: Path) -> None:
    report, stored = import_into(tmp_path, FIXTURES / "doccano_v1_text_labels.jsonl")
    assert (report.documents_added, report.spans_added) == (1, 3)
    assert stored["Sanctions hit the rouble as NATO ships sailed."] == Counter(
        {
            ("doccano-user-4", "Sanctions hit the rouble/ECONOMIC"): 1,
            ("doccano-user-4", "NATO ships/MILITARY"): 1,
            ("doccano-user-7", "NATO ships/MILITARY"): 1,
        }
    )


def test_doccano_1x_as_label_studio_json_is_refused_by_name(tmp_path: Path) -> None:
    """The same records in a .json list are read by the Label Studio reader, which must
    not take annotations without `result` as empty: it names doccano 1.x."""
    records = [json.loads(line) for line in (FIXTURES / "doccano_v1_users.jsonl").open()]
    bad = tmp_path / "export.json"
    bad.write_text(json.dumps(records), "utf-8")
    with pytest.raises(InputError, match=r"doccano 1\.x export.*--format doccano"):
        list(get_importer("label-studio").read(bad, default_annotator="x"))


def test_label_studio_annotation_without_result_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "tasks.json"
    ann = {"label": "MILITARY", "start_offset": 0, "end_offset": 6, "user": 1}
    bad.write_text(json.dumps([{"data": {"text": "Troops."}, "annotations": [ann]}]), "utf-8")
    with pytest.raises(InputError, match=r"annotation 1 has no 'result'.*doccano 1\.x"):
        list(get_importer("label-studio").read(bad, default_annotator="x"))


# --- CoNLL-2003 train.txt ---------------------------------------------------------------


def test_conll2003_train_txt_is_read_as_conll(tmp_path: Path) -> None:
    path = FIXTURES / "conll2003_txt" / "train.txt"
    imp = detect_importer(path)
    assert imp is not None and imp.NAME == "conll"
    report, stored = import_into(tmp_path, path)
    assert (report.documents_added, report.spans_added) == (3, 7)
    spans = Counter(key for doc in stored.values() for key in doc)
    assert spans == Counter(
        {
            ("imported", "JAPAN/LOC"): 1,
            ("imported", "CHINA/PER"): 1,
            ("imported", "Nadim Ladki/PER"): 1,
            ("imported", "AL-AIN/LOC"): 1,
            ("imported", "United Arab Emirates/LOC"): 1,
            ("imported", "Japan/LOC"): 1,
            ("imported", "Asian Cup/MISC"): 1,
        }
    )


def test_an_article_that_ends_lines_in_capitals_stays_an_article(tmp_path: Path) -> None:
    article = tmp_path / "notes.txt"
    article.write_text(
        "Talks resumed in Geneva on Monday.\nThe agenda: item O\nand item B-2 of the list.\n",
        "utf-8",
    )
    imp = detect_importer(article)
    assert imp is not None and imp.NAME == "text"


# --- Label Studio ---------------------------------------------------------------------


def test_label_studio_integer_users_predictions_choices_relations(tmp_path: Path) -> None:
    """A current Label Studio export: `completed_by` is a user id, tasks carry a model's
    predictions, a choice, a relation and a cancelled annotation."""
    report, stored = import_into(tmp_path, FIXTURES / "label_studio_predictions.json")
    assert (report.documents_added, report.spans_added) == (2, 6)
    assert per_annotator(stored) == {"ls-user-1": 2, "ls-user-2": 4}
    first = stored["Troops crossed the border near Kharkiv.\nArtillery fire followed."]
    assert first[("ls-user-1", "Troops/MILITARY")] == first[("ls-user-2", "Troops/MILITARY")] == 1
    assert skipped(report) == {
        "Label Studio relation results (not text spans)": 1,
        "cancelled Label Studio annotations": 1,
    }
    # The choice is user 1's label of the whole document.
    assert WHOLE[next(iter(stored))] == {"ls-user-1": ["Conflict"]}
    assert report.files[0].doc_labels_added == 1
    # The model's predictions are suggestions of the documents, no one's spans (schema 0015).
    assert report.files[0].predictions_added == 3
    assert "3 prediction(s) stored as suggestions (origin predicted)" in report.summary()


def _json_min(layered: list[ExportItem], tmp_path: Path, **options: object) -> Path:
    from label_studio_converter import Converter

    tasks = tmp_path / "tasks.json"
    export("label-studio", layered, tasks, **options)
    conv = Converter(CONFIG, project_dir=None, download_resources=False)
    conv.convert_to_json_min(str(tasks), str(tmp_path / "min"), is_dir=False)
    return tmp_path / "min" / "result.json"


def test_json_min_from_label_studio_converter_imports_every_span(
    layered: list[ExportItem], tmp_path: Path
) -> None:
    """Our export with annotators mapped to Label Studio e-mails, converted by Label
    Studio's converter to JSON-MIN (one record per annotation), imports every span under
    its annotator, each task once."""
    path = _json_min(layered, tmp_path, emails=EMAILS)
    records = json.loads(path.read_text("utf-8"))
    assert len(records) == 4 and all("label" in r for r in records)  # 3 tasks, 4 annotations
    report, stored = import_into(tmp_path, path)
    assert (report.documents_added, report.spans_added) == (3, 12)
    email = dict(EMAILS)
    want = {
        d.text: Counter(
            (email[s.annotator], d.text[s.start : s.end] + "/" + s.label) for s in spans
        )
        for d, spans in layered
    }
    assert stored == want
    assert "ner" not in report.summary() and not skipped(report)


def test_json_min_without_user_names_keeps_the_spans(
    layered: list[ExportItem], tmp_path: Path
) -> None:
    """Without e-mails JSON-MIN names no annotator: the spans come in under the import's
    annotator, none lost (two annotations of one task are not duplicates)."""
    path = _json_min(layered, tmp_path)
    assert {r["annotator"] for r in json.loads(path.read_text("utf-8"))} == {None}
    report, stored = import_into(tmp_path, path, annotator="ls")
    assert (report.documents_added, report.spans_added) == (3, 12)
    assert per_annotator(stored) == {"ls": 12}


# --- Prodigy --------------------------------------------------------------------------


def test_prodigy_span_review_rejects_are_not_positives(tmp_path: Path) -> None:
    report, stored = import_into(tmp_path, FIXTURES / "prodigy_span_review.jsonl")
    assert (report.documents_added, report.spans_added) == (2, 3)
    assert stored["Troops moved east while envoys met in Geneva."] == Counter(
        {("review-carol", "Troops/MILITARY"): 1, ("review-carol", "envoys/DIPLOMATIC"): 1}
    )
    assert stored["Sanctions hit exports."] == Counter({("review-carol", "exports/ECONOMIC"): 1})
    assert skipped(report) == {
        "spans answered reject inside accepted tasks": 2,
        "reject answers (only accept is imported)": 1,
    }


def test_prodigy_textcat_labels_are_stored_as_document_labels(tmp_path: Path) -> None:
    report, _ = import_into(tmp_path, FIXTURES / "prodigy_textcat.jsonl")
    assert (report.documents_added, report.spans_added) == (3, 0)
    assert report.files[0].doc_labels_added == 4
    assert "4 document label(s)" in report.summary()
    assert skipped(report) == {
        "reject answers (only accept is imported)": 1,
        "ignore answers (only accept is imported)": 1,
    }
    assert WHOLE == {
        "Navy drills resumed off the coast.": {"news-alice": ["MILITARY"]},
        "Envoys met in Geneva.": {"news-bob": ["DIPLOMATIC"]},
        "Tariffs and troop moves dominated the summit.": {"news-bob": ["ECONOMIC", "MILITARY"]},
    }


def test_document_labels_round_trip_through_native_jsonl(tmp_path: Path) -> None:
    """Stored document labels go out in native JSONL (`doc_labels`) and come back; other
    formats report them as not carried; a label in use by them is not removed silently."""
    from annotator.core.errors import AnnotatorError

    ws = Workspace.open(f"sqlite:///{tmp_path}/a.sqlite3")
    try:
        ws.importer.import_paths([FIXTURES / "prodigy_textcat.jsonl"], create_labels=True)
        out = tmp_path / "out.jsonl"
        ws.exporter.export("jsonl", out)
        recs = {r["text"]: r for r in map(json.loads, out.read_text("utf-8").splitlines())}
        assert recs["Envoys met in Geneva."]["doc_labels"] == {"news-bob": ["DIPLOMATIC"]}
        from annotator.services.exporting import LOST_DOC_LABELS

        rep = ws.exporter.export("conll", tmp_path / "d.conll")
        assert rep.lost[LOST_DOC_LABELS] == 4
        with pytest.raises(AnnotatorError, match="1 document label"):
            ws.labels.remove("DIPLOMATIC")
    finally:
        ws.close()
    (tmp_path / "b").mkdir()
    report, _ = import_into(tmp_path / "b", out)
    assert report.files[0].doc_labels_added == 4
    assert WHOLE["Tariffs and troop moves dominated the summit."] == {
        "news-bob": ["ECONOMIC", "MILITARY"]
    }


# --- brat -----------------------------------------------------------------------------


def test_brat_events_relations_attributes_counted_per_kind(tmp_path: Path) -> None:
    report, stored = import_into(tmp_path, FIXTURES / "brat_events")
    assert (report.documents_added, report.spans_added) == (1, 6)
    assert per_annotator(stored) == {"imported": 6}
    kept = " (kept as document metadata)"
    assert skipped(report) == {
        "brat events" + kept: 2,
        "brat relations" + kept: 2,
        "brat attributes" + kept: 2,
        "brat normalisations" + kept: 1,
        "brat equivalences" + kept: 1,
        "brat notes on relations or events" + kept: 1,
    }


def test_brat_export_names_what_it_cannot_write_back(tmp_path: Path) -> None:
    items = list(get_importer("brat").read(FIXTURES / "brat_events", default_annotator="x"))
    export_items: list[ExportItem] = []
    from annotator.core.model import Span

    for n, item in enumerate(items, 1):
        doc = item.document
        object.__setattr__(doc, "id", n)
        spans = [
            Span(i, n, s.start, s.end, s.label, s.annotator, s.note)
            for i, s in enumerate(item.spans, 1)
        ]
        export_items.append((doc, spans))
    report = export("brat", export_items, tmp_path / "out")
    assert report.lost == {
        "document title or metadata (brat keeps only the text)": 1,  # the title
        "brat relation, event, attribute or normalisation line kept from an import (not "
        "written back: the spans it points to are numbered anew)": 9,
    }


# --- Label Studio CSV / TSV -----------------------------------------------------------


def _ls_csv(layered: list[ExportItem], tmp_path: Path, sep: str, **options: object) -> Path:
    from label_studio_converter import Converter

    tasks = tmp_path / "tasks.json"
    export("label-studio", layered, tasks, **options)
    conv = Converter(CONFIG, project_dir=None, download_resources=False)
    out = tmp_path / ("result.tsv" if sep == "\t" else "result.csv")
    conv.convert_to_csv(str(tasks), str(out.with_suffix(".csv")), is_dir=False, sep=sep)
    if sep == "\t":
        out.with_suffix(".csv").rename(out)
    return out


@pytest.mark.parametrize("sep", [",", "\t"])
def test_label_studio_csv_from_the_converter_imports_every_span(
    layered: list[ExportItem], tmp_path: Path, sep: str
) -> None:
    """Label Studio's CSV / TSV export of our tasks (form feeds, U+2028, U+0085 and emoji
    in the text, JSON-string `label` column) imports every span under its annotator."""
    path = _ls_csv(layered, tmp_path, sep, emails=EMAILS)
    header = path.read_text("utf-8").splitlines()[0]
    assert {"annotator", "annotation_id", "text", "label"} <= set(
        h.strip('"') for h in header.split(sep)
    )
    imp = detect_importer(path)
    assert imp is not None and imp.NAME == "label-studio-csv"
    report, stored = import_into(tmp_path, path)
    assert (report.documents_added, report.spans_added) == (3, 12)
    email = dict(EMAILS)
    assert stored == {
        d.text: Counter(
            (email[s.annotator], d.text[s.start : s.end] + "/" + s.label) for s in spans
        )
        for d, spans in layered
    }


def test_label_studio_csv_integer_users(tmp_path: Path) -> None:
    """Label Studio's own export (integer `completed_by`) as CSV: one annotator per id."""
    from label_studio_converter import Converter

    config = CONFIG.replace(
        '<Label value="MOVE"/>', '<Label value="MOVE"/><Label value="ECONOMIC"/>'
    )
    conv = Converter(config, project_dir=None, download_resources=False)
    out = tmp_path / "export.csv"
    conv.convert_to_csv(
        str(FIXTURES / "label_studio_predictions.json"), str(out), is_dir=False, sep=","
    )
    report, stored = import_into(tmp_path, out)
    assert (report.documents_added, report.spans_added) == (2, 6)
    assert per_annotator(stored) == {"ls-user-1": 2, "ls-user-2": 4}


def test_a_csv_that_is_not_label_studio_is_not_taken_for_it(tmp_path: Path) -> None:
    other = tmp_path / "sheet.csv"
    other.write_text("title,text\nA,Troops moved.\n", "utf-8")
    assert detect_importer(other) is None
    with pytest.raises(InputError, match="not a Label Studio CSV export: no column annotation_id"):
        list(get_importer("label-studio-csv").read(other, default_annotator="x"))


# --- refusals and export reports ------------------------------------------------------


def test_spacy_v2_training_json_is_refused_as_what_it_is(tmp_path: Path) -> None:
    """spaCy v2's `spacy train` JSON (documents, paragraphs, sentences, tokens with BILUO
    `ner`), as `spacy convert` of spaCy 2 wrote it."""
    path = tmp_path / "train.json"
    tokens = [
        {"id": 0, "orth": "Troops", "tag": "NNS", "head": 1, "dep": "nsubj", "ner": "U-MIL"},
        {"id": 1, "orth": "moved", "tag": "VBD", "head": 0, "dep": "ROOT", "ner": "O"},
    ]
    doc = {"id": 0, "paragraphs": [{"raw": "Troops moved", "sentences": [{"tokens": tokens}]}]}
    path.write_text(json.dumps([doc], indent=2), "utf-8")
    ws = Workspace.open(f"sqlite:///{tmp_path}/a.sqlite3")
    try:
        report = ws.importer.import_paths([path], create_labels=True)
    finally:
        ws.close()
    (err,) = report.errors
    assert "spaCy v2 training JSON" in str(err) and "spacy convert" in str(err)
    assert "Label Studio" not in str(err).replace("not Label Studio tasks", "")
    assert str(path) in str(err) and report.documents_added == 0


def _item(text: str, n: int, *spans: tuple[str, str, str]) -> ExportItem:
    from .conftest import doc, find

    d = doc(text, n)
    return d, sorted((find(d, w, lab, who) for w, lab, who in spans), key=lambda s: s.start)


def test_doccano_export_counts_the_file_and_warns_about_overlaps(tmp_path: Path) -> None:
    items = [
        _item(
            "Troops shelled the port; talks stalled.",
            1,
            ("Troops", "MILITARY", "alice"),
            ("Troops", "MILITARY", "bob"),  # the same span twice: once in the file
            ("Troops shelled the port", "KEY EVENT", "bob"),  # overlaps Troops
            ("port", "PLACE", "alice"),  # inside the event
            ("talks", "DIPLOMATIC", "alice"),
        )
    ]
    out = tmp_path / "d.jsonl"
    report = export("doccano", items, out)
    (rec,) = [json.loads(line) for line in out.open()]
    assert report.spans == len(rec["label"]) == 4
    assert report.spans_per_label == {"MILITARY": 1, "KEY EVENT": 1, "PLACE": 1, "DIPLOMATIC": 1}
    assert report.warnings == {
        "span overlapping an earlier one: doccano drops it on import unless the project "
        "allows overlapping spans (project settings: 'Allow overlapping spans')": 1
    }  # Troops is kept first; the event overlaps it; port overlaps only the event
    assert "warnings:" in report.summary() and "4 span(s) written" in report.summary()


def test_doccano_relations_are_counted_and_kept_by_their_spans(tmp_path: Path) -> None:
    """doccano 2.x relation export: `entities` with ids and `relations` between them."""
    text = "Troops shelled the port."
    rec = {
        "id": 7,
        "text": text,
        "entities": [
            {"id": 41, "label": "MILITARY", "start_offset": 0, "end_offset": 6},
            {"id": 42, "label": "PLACE", "start_offset": 19, "end_offset": 23},
        ],
        "relations": [
            {"id": 3, "from_id": 41, "to_id": 42, "type": "attacks"},
            {"id": 4, "from_id": 41, "to_id": 99, "type": "near"},  # no entity 99
        ],
        "Comments": [],
    }
    path = tmp_path / "rel.jsonl"
    path.write_text(json.dumps(rec) + "\n", "utf-8")
    imp = get_importer("doccano")
    (item,) = list(imp.read(path, default_annotator="x"))
    assert len(item.spans) == 2
    assert dict(imp.skipped) == {
        "doccano relations (kept as document metadata 'doccano_relations', by their spans)": 1,
        "doccano relations pointing at no entity of their record (dropped)": 1,
    }
    assert item.document.meta == {
        "doccano_relations": [
            {"type": "attacks", "from": [0, 6, "MILITARY"], "to": [19, 23, "PLACE"]}
        ]
    }
    spans = {(s.start, s.end, s.label) for s in item.spans}
    for rel in item.document.meta["doccano_relations"]:
        assert tuple(rel["from"]) in spans and tuple(rel["to"]) in spans


def test_passages_csv_reports_the_cells_the_formula_guard_changed(tmp_path: Path) -> None:
    items = [_item("=SUM(A1) troops.\n\n+1 talks.\n\nPlain text.", 1, ("troops", "MILITARY", "a"))]
    out = tmp_path / "p.csv"
    report = export("passages-csv", items, out, unit="paragraph")
    text = out.read_text("utf-8")
    assert "'=SUM(A1)" in text and "'+1 talks." in text
    (why,) = report.warnings
    assert report.warnings[why] == 2 and "formula guard" in why
    raw = export(
        "passages-csv", items, tmp_path / "r.csv", unit="paragraph", neutralize_formulas=False
    )
    assert not raw.warnings


def test_conll_counts_a_span_two_annotators_drew_once(tmp_path: Path) -> None:
    items = [
        _item(
            "Troops moved east.",
            1,
            ("Troops", "MILITARY", "alice"),
            ("Troops", "MILITARY", "bob"),
            ("east", "PLACE", "bob"),
        )
    ]
    out = tmp_path / "o.conll"
    report = export("conll", items, out)
    tags = [ln.split()[-1] for ln in out.read_text("utf-8").splitlines() if ln and " " in ln]
    assert sum(t.startswith("B-") for t in tags) == report.spans == 2


# --- brat's verifier rules on our export ------------------------------------------------
# brat's verifier (server/src/verify_annotations.py) is not on PyPI: the PyPI "brat" is
# another project and "brat-tools" holds only brat's tools/ folder. These checks are
# written from brat's documented annotation.conf semantics (configuration.html): every
# textbound type must be declared under [entities], an attribute value under its
# [attributes] line, and two textbounds may overlap only as an <OVERLAP> line of
# [relations] allows (<OVL-TYPE> equal, contain - Arg1 contains Arg2 -, cross, or <ANY>;
# with no such line no overlap is allowed).


def _sections(conf: str) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    current = ""
    for raw in conf.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
            out.setdefault(current, [])
        else:
            out.setdefault(current, []).append(raw.rstrip("\n"))
    return out


def _args(spec: str) -> dict[str, list[str]]:
    out = {}
    for part in spec.split(","):
        key, _, value = part.strip().partition(":")
        out[key] = value.split("|")
    return out


def brat_verifier_errors(folder: Path) -> list[str]:
    sections = _sections((folder / "annotation.conf").read_text("utf-8"))
    entities = {line.strip() for line in sections.get("entities", [])}
    rules = []
    for line in sections.get("relations", []):
        name, _, spec = line.strip().partition("\t")
        if name == "<OVERLAP>":
            a = _args(spec)
            rules.append((a["Arg1"], a["Arg2"], a["<OVL-TYPE>"]))
    values: dict[str, set[str]] = {}
    for line in sections.get("attributes", []):
        name, _, spec = line.strip().partition("\t")
        values[name] = set(_args(spec).get("Value", []))

    def matches(allowed: list[str], typ: str) -> bool:
        return typ in allowed or ("<ENTITY>" in allowed and typ in entities)

    def allowed(kind: str, a: tuple[str, int, int], b: tuple[str, int, int]) -> bool:
        for arg1, arg2, ovl in rules:
            if ("<ANY>" in ovl or kind in ovl) and matches(arg1, a[0]) and matches(arg2, b[0]):
                return True
        return False

    errors = []
    for ann in sorted(folder.glob("*.ann")):
        spans: dict[str, tuple[str, int, int]] = {}
        for line in ann.read_text("utf-8").splitlines():
            tid, _, rest = line.partition("\t")
            if tid.startswith("T"):
                typ, _, offsets = rest.split("\t")[0].partition(" ")
                pieces = [tuple(map(int, p.split())) for p in offsets.split(";")]
                spans[tid] = (typ, pieces[0][0], pieces[-1][1])
                if typ not in entities:
                    errors.append(f"{ann.name}: {tid} type {typ} not in [entities]")
            elif tid.startswith("A"):
                name, _, tail = rest.partition(" ")
                target, _, value = tail.partition(" ")
                if name not in values or (value and value not in values[name]):
                    errors.append(f"{ann.name}: {tid} attribute {name}={value} not declared")
                if target not in spans:
                    errors.append(f"{ann.name}: {tid} points at {target}, no textbound")
        items = sorted(spans.items(), key=lambda kv: (kv[1][1], -kv[1][2]))
        for i, (id1, a) in enumerate(items):
            for id2, b in items[i + 1 :]:
                if b[1] >= a[2]:
                    break
                if (a[1], a[2]) == (b[1], b[2]):
                    ok = allowed("equal", a, b) or allowed("equal", b, a)
                elif a[1] <= b[1] and b[2] <= a[2]:
                    ok = allowed("contain", a, b)
                else:
                    ok = allowed("cross", a, b) or allowed("cross", b, a)
                if not ok:
                    errors.append(f"{ann.name}: {id1} and {id2} overlap")
    return errors


def test_brat_export_passes_the_verifier_rules(
    sample: list[ExportItem], layered: list[ExportItem], tmp_path: Path
) -> None:
    """Crossing (Troops moved east / moved east), containing (NATO ... troops / troops)
    and same-start spans of two annotators, in one corpus."""
    out = tmp_path / "brat"
    export("brat", sample + layered, out)
    assert brat_verifier_errors(out) == []
    # The check can fail: without the <OVERLAP> line the same export breaks the rules,
    # as brat's own verifier reported (issue 24: 24 errors on a real export).
    conf = out / "annotation.conf"
    conf.write_text(
        "".join(
            line + "\n"
            for line in conf.read_text("utf-8").splitlines()
            if not line.startswith("<OVERLAP>")
        ),
        "utf-8",
    )
    assert brat_verifier_errors(out) == [
        "1.ann: T1 and T2 overlap",  # NATO 👨‍👩‍👧 troops contains troops
        "11.ann: T1 and T2 overlap",  # Troops moved east crosses moved east 🇫🇷
        "2.ann: T2 and T1 overlap",  # troops inside troops.\nLine two (T2 is longer)
    ]


# --- --label-studio-users ---------------------------------------------------------------


def test_label_studio_users_option_names_user_ids(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from annotator import cli

    url = f"sqlite:///{tmp_path}/cli.sqlite3"
    args = ["--db", url, "import", "--create-labels", "--label-studio-users", "1=alice, 2=bob"]
    assert cli.main([*args, str(FIXTURES / "label_studio_predictions.json")]) == 0
    assert "3 prediction(s) stored as suggestions" in capsys.readouterr().out
    ws = Workspace.open(url)
    try:
        who = Counter(s.annotator for d in ws.documents.list() for s in ws.annotations.spans(d.id))
    finally:
        ws.close()
    assert who == {"alice": 2, "bob": 4}
    # A mapping is scoped to its import: the next one reads ids as ls-user-<id> again.
    items = list(
        get_importer("label-studio").read(
            FIXTURES / "label_studio_predictions.json", default_annotator="x"
        )
    )
    assert {s.annotator for i in items for s in i.spans} == {"ls-user-1", "ls-user-2"}
    bad = [*args[:4], "--label-studio-users", "alice=1", str(FIXTURES / "prodigy_textcat.jsonl")]
    assert cli.main(bad) == 1
    assert "--label-studio-users takes ID=NAME" in capsys.readouterr().err


def test_label_studio_csv_with_a_long_article(tmp_path: Path) -> None:
    """A 300,000-character article is one CSV cell (Python's csv refuses 128 KiB cells
    unless told otherwise)."""
    import csv as csvmod

    text = ("Troops moved east. " * 16000).strip()
    region = [{"start": 0, "end": 6, "text": "Troops", "labels": ["MILITARY"]}]
    path = tmp_path / "long.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csvmod.writer(fh, quoting=csvmod.QUOTE_NONNUMERIC)
        w.writerow(["annotation_id", "annotator", "id", "label", "text"])
        w.writerow([1, "7", 1, json.dumps(region), text])
    (item,) = list(get_importer("label-studio-csv").read(path, default_annotator="x"))
    assert len(item.document.text) == len(text) > 300_000
    assert [(s.start, s.end, s.label, s.annotator) for s in item.spans] == [
        (0, 6, "MILITARY", "ls-user-7")
    ]


def test_spacy_and_jsonl_cats_become_document_labels(tmp_path: Path) -> None:
    """spaCy's textcat data: `doc.cats` in a DocBin, `cats` in JSONL ({label: score})."""
    spacy = pytest.importorskip("spacy")
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    sdoc = nlp("Navy drills resumed off the coast.")
    sdoc.cats = {"MILITARY": 1.0, "ECONOMIC": 0.0, "DIPLOMATIC": 0.0}
    DocBin(docs=[sdoc], store_user_data=True).to_disk(tmp_path / "cats.spacy")
    report, _ = import_into(tmp_path, tmp_path / "cats.spacy", annotator="textcat")
    assert WHOLE == {"Navy drills resumed off the coast.": {"textcat": ["MILITARY"]}}
    assert skipped(report) == {"cats scored below 0.5 (not a label of the document)": 2}

    line = {"text": "Tariffs rose.", "cats": {"ECONOMIC": 1.0, "MILITARY": 0.0}}
    (tmp_path / "j").mkdir()
    (tmp_path / "j" / "cats.jsonl").write_text(json.dumps(line) + "\n", "utf-8")
    report, _ = import_into(tmp_path / "j", tmp_path / "j" / "cats.jsonl", annotator="gold-cats")
    assert WHOLE == {"Tariffs rose.": {"gold-cats": ["ECONOMIC"]}}
    assert report.files[0].doc_labels_added == 1
