"""The project guideline (issue 22): versions, the version every span records on every insert
path, native JSONL carrying it, and agreement limited to one version.

Runs on SQLite and on the real PostgreSQL server (tests/conftest.py: BOTH_BACKENDS).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import text as sql

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.model import (
    GOLD_ANNOTATOR,
    AnnotatedDocument,
    Document,
    DocumentStatus,
    NewSpan,
    SpanOrigin,
)
from annotator.core.text import content_hash
from annotator.services import Workspace
from annotator.services.agreement import AgreementQuery
from annotator.services.commands import DeleteSpanCommand
from annotator.storage import bulk, repo
from tests.services.team_data import TEXT_1, TEXT_2, add_document, two_annotators

GUIDE_1 = "# Guideline\n\n## MILITARY\nArmed force, troops, weapons.\n"
GUIDE_2 = GUIDE_1 + "\n## ECONOMIC\nPrices, trade, sanctions. *Sanctions are ECONOMIC.*\n"


def _stored_versions(ws: Workspace, doc: int) -> dict[tuple[int, int, str, str], int | None]:
    """(start, end, label, annotator) -> the version in the row, read with plain SQL."""
    rows = ws.db.read(
        lambda s: s.execute(
            sql(
                'SELECT sp.start, sp."end", l.name, a.name, sp.guideline_version FROM spans sp '
                "JOIN labels l ON l.id = sp.label_id JOIN annotators a ON a.id = sp.annotator_id "
                "WHERE sp.document_id = :d"
            ),
            {"d": doc},
        ).all()
    )
    return {(r[0], r[1], r[2], r[3]): r[4] for r in rows}


def _span(piece: str, label: str, who: str, text: str = TEXT_1) -> NewSpan:
    start = text.index(piece)
    return NewSpan(start, start + len(piece), label, who)


def test_setting_a_guideline_stores_numbered_versions(workspace: Workspace, tmp_path: Path) -> None:
    svc = workspace.guidelines
    assert svc.current() is None and svc.current_version() is None and svc.versions() == []
    f = tmp_path / "guide.md"
    f.write_text(GUIDE_1, encoding="utf-8")
    first = svc.set_from_file(f, author="lena")
    f.write_bytes(GUIDE_2.replace("\n", "\r\n").encode("utf-8"))
    second = svc.set_from_file(f, author="mia")
    third = svc.set("# Short\n", author="lena")
    assert [g.version for g in (first, second, third)] == [1, 2, 3]
    assert svc.current_version() == 3 and svc.current() == third
    # Every version keeps its own text, author and time; CRLF is read as LF.
    one, two, three = svc.versions()
    assert (one.text, one.author) == (GUIDE_1, "lena")
    assert (two.text, two.author) == (GUIDE_2, "mia")
    assert three.text == "# Short\n"
    assert one.created_at is not None and two.created_at is not None
    assert one.created_at <= two.created_at
    assert svc.get(2) == two
    with pytest.raises(
        AnnotatorError, match="No guideline version 7; this project has versions 1 to 3"
    ):
        svc.get(7)


def test_a_bad_guideline_file_is_refused_by_name(workspace: Workspace, tmp_path: Path) -> None:
    svc = workspace.guidelines
    binary = tmp_path / "scan.md"
    binary.write_bytes(b"# Guide\n\x00\x01\x02")
    empty = tmp_path / "empty.md"
    empty.write_bytes(b"  \n")
    latin = tmp_path / "latin.md"
    latin.write_bytes("# Guide\nCaf\xe9 talks\n".encode("latin-1"))
    cases = [
        (tmp_path / "missing.md", "missing.md: no such file"),
        (tmp_path, "is a folder"),
        (binary, "scan.md:2: contains NUL bytes"),
        (empty, "empty.md: the file is empty"),
        (latin, "latin.md:2: is not valid UTF-8"),
    ]
    for path, message in cases:
        with pytest.raises(InputError, match=message.replace(".", r"\.")):
            svc.set_from_file(path, author="lena")
    assert svc.versions() == []  # nothing half-stored


def test_spans_record_the_version_in_force_on_every_insert_path(
    workspace: Workspace, tmp_path: Path
) -> None:
    ws = workspace
    d1 = add_document(ws, TEXT_1, "First")
    n = len(TEXT_1)
    tanks = "Tanks crossed the border at dawn."
    geneva = "Ministers met in Geneva for talks."
    oil = "Oil prices rose sharply."
    shells = "Artillery shelled the city overnight."

    def paths(who: str) -> dict[str, Callable[[], None]]:
        """Each insert path, making one span of its own (distinct label or piece)."""

        def keyboard() -> None:  # the annotation service: write_driver on SQLite
            sp = _span(tanks, "MILITARY", who)
            ws.annotations.add(
                d1, start=sp.start, end=sp.end, label=sp.label, annotator=who, document_length=n
            )
            if ws.db.is_sqlite:  # it was the fast path: two driver statements, no fallback
                assert driver_results[-1] is not None and driver_results[-1].annotator == who

        def tag_in_session() -> None:  # no length known: tag_span in a Session
            sp = _span(geneva, "DIPLOMATIC", who)
            ws.annotations.add(d1, start=sp.start, end=sp.end, label=sp.label, annotator=who)

        def general_insert() -> None:  # storage/spans.add_span
            ws.db.write(lambda s: repo.add_span(s, d1, _span(oil, "ECONOMIC", who)))

        def many() -> None:  # storage/spans.add_spans_bulk
            ws.db.write(lambda s: repo.add_spans_bulk(s, d1, [_span(shells, "MILITARY", who)], n))

        def bulk_import() -> None:  # storage/bulk.store_batch, the importer's path
            item = AnnotatedDocument(
                Document(text=TEXT_1, content_hash=content_hash(TEXT_1)),
                (_span(oil, "MILITARY", who),),
            )
            ws.db.write(lambda s: bulk.store_batch(s, [item]))

        return {
            "keyboard": keyboard,
            "session": tag_in_session,
            "add_span": general_insert,
            "bulk": many,
            "import": bulk_import,
        }

    driver_results: list[object] = []
    real_driver = ws.db.write_driver

    def spy(work: Callable[[object], object]) -> object:
        got = real_driver(work)
        driver_results.append(got)
        return got

    ws.db.write_driver = spy  # type: ignore[method-assign,assignment]
    for who in ("before", "under1", "under2"):  # known annotators: the fast path takes them
        ws.db.write(lambda s, w=who: repo.annotator_id(s, w))
    expected: dict[tuple[int, int, str, str], int | None] = {}
    for who, version in (("before", None), ("under1", 1), ("under2", 2)):
        if version is not None:
            ws.guidelines.set(f"# Guideline v{version}\n", author="lena")
        for run in paths(who).values():
            run()
        for piece, label in (
            (tanks, "MILITARY"),
            (geneva, "DIPLOMATIC"),
            (oil, "ECONOMIC"),
            (shells, "MILITARY"),
            (oil, "MILITARY"),
        ):
            sp = _span(piece, label, who)
            expected[(sp.start, sp.end, label, who)] = version
    assert _stored_versions(ws, d1) == expected
    # What the services hand back says the same as the rows.
    listed = {
        (s.start, s.end, s.label, s.annotator): s.guideline_version
        for s in ws.annotations.spans(d1)
    }
    assert listed == expected
    # A file import through the import service (no versions in the file): the one in force.
    doccano = tmp_path / "d.jsonl"
    doccano.write_text(
        json.dumps({"text": TEXT_2, "label": [[0, 24, "ECONOMIC"]]}) + "\n", encoding="utf-8"
    )
    report = ws.importer.import_paths([doccano], annotator="doccano")
    assert not report.errors
    d2 = repo_doc_id(ws, TEXT_2)
    assert list(_stored_versions(ws, d2).values()) == [2]


def repo_doc_id(ws: Workspace, text: str) -> int:
    found = ws.db.read(lambda s: repo.find_document_id_by_hash(s, content_hash(text)))
    assert found is not None
    return found


def test_gold_and_unanimous_merge_record_the_version_of_the_decision(workspace: Workspace) -> None:
    ws = workspace
    d1, _ = two_annotators(ws)  # made under no guideline
    ws.guidelines.set(GUIDE_1, author="lena")
    ws.guidelines.set(GUIDE_2, author="lena")
    merged = ws.adjudication.merge_unanimous(annotators=("ann", "bob"), decided_by="eve")
    assert merged.created
    item = next(
        d
        for d in ws.adjudication.disagreements(d1, annotators=("ann", "bob"))
        if d.kind == "unmatched"
    )
    ws.adjudication.resolve(item, accept=[c.key for c in item.candidates], decided_by="eve")
    gold = ws.adjudication.gold(d1)
    assert {g.origin for g in gold} == {SpanOrigin.UNANIMOUS, SpanOrigin.ADJUDICATED}
    assert {g.guideline_version for g in gold} == {2}
    versions = _stored_versions(ws, d1)
    assert {v for k, v in versions.items() if k[3] == GOLD_ANNOTATOR} == {2}
    assert {v for k, v in versions.items() if k[3] != GOLD_ANNOTATOR} == {None}


def test_an_undone_delete_puts_the_span_back_with_its_own_version(workspace: Workspace) -> None:
    ws = workspace
    d1 = add_document(ws, TEXT_1, "First")
    ws.guidelines.set(GUIDE_1, author="lena")
    sp = _span("Tanks crossed the border at dawn.", "MILITARY", "ann")
    made, _ = ws.annotations.add(
        d1,
        start=sp.start,
        end=sp.end,
        label="MILITARY",
        annotator="ann",
        document_length=len(TEXT_1),
    )
    assert made.guideline_version == 1
    ws.guidelines.set(GUIDE_2, author="lena")
    cmd = DeleteSpanCommand(ws.annotations, made, actor="ann")
    cmd.do()
    cmd.undo()
    assert list(_stored_versions(ws, d1).values()) == [1]


def test_native_jsonl_carries_the_version_both_ways(workspace: Workspace, tmp_path: Path) -> None:
    ws = workspace
    d1 = add_document(ws, TEXT_1, "First")
    ws.db.write(
        lambda s: repo.add_span(s, d1, _span("Oil prices rose sharply.", "ECONOMIC", "ann"))
    )
    ws.guidelines.set(GUIDE_1, author="lena")
    ws.db.write(
        lambda s: repo.add_span(
            s, d1, _span("Tanks crossed the border at dawn.", "MILITARY", "ann")
        )
    )
    ws.guidelines.set(GUIDE_2, author="lena")
    ws.db.write(
        lambda s: repo.add_span(
            s, d1, _span("Ministers met in Geneva for talks.", "DIPLOMATIC", "bob")
        )
    )
    before = _stored_versions(ws, d1)
    assert sorted(before.values(), key=str) == [1, 2, None]
    out = tmp_path / "out.jsonl"
    ws.exporter.export("jsonl", out)
    (record,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert {(s["label"], s["guideline_version"]) for s in record["spans"]} == {
        ("ECONOMIC", None),
        ("MILITARY", 1),
        ("DIPLOMATIC", 2),
    }
    # Into a project whose guideline is at version 5: the file's versions are kept, not
    # replaced by the one in force; a span without the key records the one in force.
    other = Workspace.open(f"sqlite:///{tmp_path / 'other.sqlite3'}")
    try:
        for i in range(5):
            other.guidelines.set(f"# v{i + 1}\n", author="lena")
        record["spans"].append(
            {"start": 0, "end": 5, "label": "MILITARY", "annotator": "carl"}  # no version
        )
        src = tmp_path / "in.jsonl"
        src.write_text(json.dumps(record) + "\n", encoding="utf-8")
        assert not other.importer.import_paths([src]).errors
        again = _stored_versions(other, repo_doc_id(other, TEXT_1))
        assert again == {**before, (0, 5, "MILITARY", "carl"): 5}
        # Round trip: exporting again writes the same versions.
        out2 = tmp_path / "out2.jsonl"
        other.exporter.export("jsonl", out2)
        (back,) = [json.loads(line) for line in out2.read_text(encoding="utf-8").splitlines()]
        key = lambda s: (s["start"], s["label"], s["annotator"])  # noqa: E731
        assert sorted(
            (key(s), s["guideline_version"]) for s in back["spans"] if s["annotator"] != "carl"
        ) == sorted((key(s), s["guideline_version"]) for s in record["spans"][:3])
        # A teammate's file imported as their layer keeps the versions too.
        layer = Workspace.open(f"sqlite:///{tmp_path / 'layer.sqlite3'}")
        try:
            layer.guidelines.set("# only v1 here\n", author="x")
            assert not layer.layers.import_layers([out]).errors
            assert _stored_versions(layer, repo_doc_id(layer, TEXT_1)) == before
        finally:
            layer.close()
    finally:
        other.close()


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2", "must be a whole number or null, not '2'"),
        (True, "must be a whole number or null, not True"),
        (0, "'guideline_version' 0 is not a guideline version"),
        (2**40, "is not a guideline version"),
    ],
)
def test_a_bad_version_in_jsonl_is_refused_with_file_and_line(
    workspace: Workspace, tmp_path: Path, value: object, message: str
) -> None:
    good = {"text": TEXT_2, "spans": [{"start": 0, "end": 9, "label": "ECONOMIC"}]}
    bad = {
        "text": TEXT_1,
        "spans": [{"start": 0, "end": 5, "label": "MILITARY", "guideline_version": value}],
    }
    src = tmp_path / "mixed.jsonl"
    src.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n", encoding="utf-8")
    report = workspace.importer.import_paths([src])
    assert [str(e) for e in report.errors] and all("mixed.jsonl:2" in str(e) for e in report.errors)
    assert message in str(report.errors[0])
    assert workspace.db.read(repo.count_documents) == 0  # the file is refused whole


def test_a_teammates_database_file_imports_with_its_versions(
    workspace: Workspace, tmp_path: Path
) -> None:
    """import-layer from a teammate's database (schema 0010) keeps their spans' versions; an
    older file (no column) gives None, and it still reads."""
    mate_path = tmp_path / "mate.sqlite3"
    mate = Workspace.open(f"sqlite:///{mate_path}")
    try:
        d = add_document(mate, TEXT_1, "First")
        mate.guidelines.set(GUIDE_1, author="lena")
        mate.guidelines.set(GUIDE_2, author="lena")
        sp = _span("Tanks crossed the border at dawn.", "MILITARY", "bob")
        mate.annotations.add(d, start=sp.start, end=sp.end, label="MILITARY", annotator="bob")
    finally:
        mate.close()
    assert not workspace.layers.import_layers([mate_path]).errors
    assert list(_stored_versions(workspace, repo_doc_id(workspace, TEXT_1)).values()) == [2]
    # The same file as an older Annotator left it: no guideline_version column.
    con = sqlite3.connect(mate_path)
    con.execute("ALTER TABLE spans DROP COLUMN guideline_version")
    con.execute("UPDATE alembic_version SET version_num = '0006'")
    con.commit()
    con.close()
    from annotator.storage.external import read_annotated_documents

    (item,) = list(read_annotated_documents(mate_path))
    assert [s.guideline_version for s in item.spans] == [None]


def _study(ws: Workspace) -> tuple[list[int], list[int]]:
    """Two documents labelled under version 1 with disagreements, then (after a guideline
    change) two labelled under version 2 in full agreement."""
    old = list(two_annotators(ws))  # made under no guideline: set v1 and re-tag
    ws.guidelines.set(GUIDE_1, author="lena")
    texts = {old[0]: TEXT_1, old[1]: TEXT_2}
    for doc in old:  # remake every span under version 1
        for s in ws.annotations.spans(doc):
            ws.annotations.delete(s.id)
            ws.annotations.add(doc, start=s.start, end=s.end, label=s.label, annotator=s.annotator)
    ws.guidelines.set(GUIDE_2, author="lena")
    new = []
    for i, text in enumerate((TEXT_1 + " Again.", TEXT_2 + " Again.")):
        doc = add_document(ws, text, f"New {i}")
        new.append(doc)
        for piece, label in (
            ("Tanks crossed the border at dawn.", "MILITARY"),
            ("Sanctions hit the banks.", "ECONOMIC"),
        ):
            if piece in text:
                for who in ("ann", "bob"):
                    ws.annotations.add(doc, **_args(text, piece, label, who))
        for who in ("ann", "bob"):
            ws.annotations.set_status(doc, who, DocumentStatus.DONE)
    assert texts
    return old, new


def _args(text: str, piece: str, label: str, who: str) -> dict[str, object]:
    start = text.index(piece)
    return {"start": start, "end": start + len(piece), "label": label, "annotator": who}


@pytest.mark.parametrize("level", ["char", "span"])
def test_agreement_limited_to_one_version_gives_the_figures_of_those_spans_only(
    workspace: Workspace, level: str
) -> None:
    ws = workspace
    old, new = _study(ws)
    svc = ws.agreement
    base = {"level": level, "bootstrap": 0}
    everything = svc.report(AgreementQuery(**base))  # type: ignore[arg-type]
    v2 = svc.report(AgreementQuery(guideline_version=2, **base))  # type: ignore[arg-type]
    only_new = svc.report(AgreementQuery(document_ids=tuple(new), **base))  # type: ignore[arg-type]
    v1 = svc.report(AgreementQuery(guideline_version=1, **base))  # type: ignore[arg-type]
    only_old = svc.report(AgreementQuery(document_ids=tuple(old), **base))  # type: ignore[arg-type]
    from annotator.services.agreement_report import render_json

    def figures(r: object) -> object:
        data = json.loads(render_json(r))  # type: ignore[arg-type]
        data.pop("policies")
        return data

    assert figures(v2) == figures(only_new)
    assert figures(v1) == figures(only_old)
    assert figures(v2) != figures(everything) and figures(v1) != figures(v2)
    assert "only guideline version 2" in v2.policies["guideline"]
    assert "every guideline version" in everything.policies["guideline"]
    with pytest.raises(AnnotatorError, match="No guideline version 9"):
        svc.report(AgreementQuery(guideline_version=9))


def test_a_layer_mixing_versions_is_left_out_of_a_version_limited_agreement(
    workspace: Workspace,
) -> None:
    """bob relabelled one span of a version-1 document under version 2: his layer there is
    no longer wholly version 1 nor wholly version 2, so neither limited report counts it."""
    ws = workspace
    old, new = _study(ws)
    (first,) = [s for s in ws.annotations.spans(old[0]) if s.annotator == "bob"][:1]
    ws.annotations.delete(first.id)
    ws.annotations.add(old[0], start=first.start, end=first.end, label=first.label, annotator="bob")
    v1 = {d.key: set(d.spans) for d in ws.agreement.documents(AgreementQuery(guideline_version=1))}
    assert v1 == {str(old[0]): {"ann"}, str(old[1]): {"ann", "bob"}}
    v2 = {d.key: set(d.spans) for d in ws.agreement.documents(AgreementQuery(guideline_version=2))}
    assert v2 == {str(d): {"ann", "bob"} for d in new}  # the mixed layer is in neither
    report = ws.agreement.report(AgreementQuery(guideline_version=1, bootstrap=0))
    assert any(f"document {old[0]}: not covered by bob" in n for n in report.notes)


def test_formats_without_a_place_for_the_version_say_they_lost_it(
    workspace: Workspace, tmp_path: Path
) -> None:
    ws = workspace
    d1 = add_document(ws, TEXT_1, "First")
    ws.db.write(
        lambda s: repo.add_span(s, d1, _span("Oil prices rose sharply.", "ECONOMIC", "ann"))
    )
    ws.guidelines.set(GUIDE_1, author="lena")
    for piece, label in (
        ("Tanks crossed the border at dawn.", "MILITARY"),
        ("Ministers met in Geneva for talks.", "DIPLOMATIC"),
    ):
        ws.db.write(lambda s, p=piece, lab=label: repo.add_span(s, d1, _span(p, lab, "ann")))
    from annotator.services.exporting import LOST_GUIDELINE

    doccano = ws.exporter.export("doccano", tmp_path / "d.jsonl")
    assert doccano.lost[LOST_GUIDELINE] == 2  # the span of no version lost nothing
    assert LOST_GUIDELINE in doccano.summary()
    native = ws.exporter.export("jsonl", tmp_path / "n.jsonl")
    assert LOST_GUIDELINE not in native.lost
