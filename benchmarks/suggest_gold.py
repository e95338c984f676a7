"""The labelled demo sentences (``data/demo_sentences.gold.jsonl``): loading, and a database
holding them as one annotator's spans. Shared by ``bench_suggest.py`` and the tests."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from annotator.core.model import Document, DocumentStatus, NewSpan
from annotator.core.text import content_hash, normalize_text
from annotator.services import Workspace
from annotator.storage import repo

HERE = Path(__file__).resolve().parent
GOLD = HERE / "data" / "demo_sentences.gold.jsonl"
CORPUS = HERE.parent / "corpus"
LABELS = ("MILITARY", "DIPLOMATIC", "ECONOMIC")


@dataclass(frozen=True, slots=True)
class GoldSentence:
    file: str
    start: int
    end: int
    labels: frozenset[str]
    text: str


def load_gold() -> list[GoldSentence]:
    out = []
    with GOLD.open(encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            out.append(
                GoldSentence(r["file"], r["start"], r["end"], frozenset(r["labels"]), r["text"])
            )
    return out


def corpus_texts() -> dict[str, str]:
    return {
        p.name: normalize_text(p.read_text(encoding="utf-8")) for p in sorted(CORPUS.glob("*.txt"))
    }


def fill_workspace(
    ws: Workspace,
    *,
    annotator: str = "ann",
    tagged_files: tuple[str, ...] | None = None,
    done: bool = True,
) -> dict[str, int]:
    """Store the demo articles; ``annotator`` tags the gold labels of ``tagged_files`` (all
    by default) as whole-sentence spans and marks those documents done. Returns file -> id."""
    texts = corpus_texts()
    gold = load_gold()
    ids: dict[str, int] = {}
    for name, text in texts.items():
        doc = Document(text=text, title=name, content_hash=content_hash(text), external_id=name)
        ids[name] = ws.db.write(lambda s, d=doc: repo.add_document(s, d))
    for name, doc_id in ids.items():
        if tagged_files is not None and name not in tagged_files:
            continue
        spans = [
            NewSpan(g.start, g.end, lab, annotator)
            for g in gold
            if g.file == name
            for lab in sorted(g.labels)
        ]
        n = len(texts[name])
        ws.db.write(lambda s, d=doc_id, sp=spans, n=n: repo.add_spans_bulk(s, d, sp, n))
        if done:
            ws.annotations.set_status(doc_id, annotator, DocumentStatus.DONE)
    return ids
