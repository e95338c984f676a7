"""Many desktops tagging at once: every tag stored exactly once, no error seen by anyone."""

from __future__ import annotations

import multiprocessing
import traceback
from pathlib import Path

import pytest

from annotator.core.model import Document
from annotator.core.text import content_hash
from annotator.services import Workspace
from annotator.storage import open_database, repo

TAGS = 500
TEXT = " ".join(f"w{i:03d}" for i in range(TAGS + 10))


def _tagger(
    url: str, worker: int, writers: int, doc: int
) -> tuple[list[tuple[int, int]], list[str]]:
    """One desktop: its own Workspace, ``TAGS`` calls to AnnotationService.add.

    Half the workers repeat the other half's tags under the same annotator name, in the
    opposite order, so annotator get-or-create and the span unique key are raced for real.
    """
    ws = Workspace.open(url)
    twin = worker % (writers // 2)
    annotator = f"ann{twin}"
    order = range(TAGS) if worker < writers // 2 else reversed(range(TAGS))
    stored: list[tuple[int, int]] = []
    errors: list[str] = []
    for i in order:
        try:
            sp, _ = ws.annotations.add(
                doc, start=i, end=i + 4 + twin, label="MILITARY", annotator=annotator
            )
            stored.append((sp.id, sp.start))
        except Exception:
            errors.append(traceback.format_exc())
    ws.close()
    return stored, errors


def _hammer(url: str, writers: int) -> None:
    db = open_database(url)
    doc = db.write(
        lambda s: repo.add_document(s, Document(text=TEXT, content_hash=content_hash(TEXT)))
    )
    db.dispose()
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(writers) as pool:
        results = pool.starmap(_tagger, [(url, w, writers, doc) for w in range(writers)])
    errors = [e for _, errs in results for e in errs]
    assert errors == [], errors[0]

    db = open_database(url)
    spans = db.read(lambda s: repo.list_spans(s, doc))
    keys = [(sp.annotator, sp.start, sp.end, sp.label) for sp in spans]
    pairs = writers // 2
    assert len(keys) == len(set(keys)) == pairs * TAGS
    assert set(keys) == {
        (f"ann{t}", i, i + 4 + t, "MILITARY") for t in range(pairs) for i in range(TAGS)
    }
    # Twins got the same row back for the same tag: no duplicate, no lost write.
    ids = {sp.id for sp in spans}
    for stored, _ in results:
        assert len(stored) == TAGS and {sid for sid, _ in stored} <= ids
    assert sorted(a.name for a in db.read(repo.list_annotators)) == [
        f"ann{t}" for t in range(pairs)
    ]
    db.dispose()


@pytest.mark.slow
@pytest.mark.postgres
def test_eight_processes_tag_one_postgresql_database(pg_database: tuple[str, str]) -> None:
    open_database(pg_database[1]).dispose()  # migrate once, before the race
    _hammer(pg_database[1], 8)


@pytest.mark.slow
def test_four_processes_tag_one_sqlite_file(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.sqlite3'}"
    open_database(url).dispose()
    _hammer(url, 4)
