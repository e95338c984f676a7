"""Agreement use case: load the chosen layers from the database and build one report.

The report itself is :func:`annotator.agreement.build_report`; this module only decides
which documents and spans go in, and who *covers* which document. By default (coverage
``"done"``) an annotator covers a document they marked done: there, having no span of a
label is a real "no". With coverage ``"touched"`` any status other than todo, or a single
span, is enough. An annotator who does not cover a document is missing there: left out of
every pair and of Fleiss' kappa for it, never counted as disagreeing, and the report lists
the document. Only passage level loads document text. Document level compares the labels
annotators gave whole documents (one unit per document); there a document label counts as
touching the document.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from annotator.agreement import AgreementDocument, AgreementReport, SpanTuple, build_report
from annotator.agreement.bootstrap import Bootstrap
from annotator.agreement.report import ReportLevel
from annotator.agreement.spans import MatchMode
from annotator.core.errors import AnnotatorError
from annotator.core.model import AnnotatorKind
from annotator.core.team import DocumentLayers
from annotator.storage import Database, Tx, repo, study, team

ProgressFn = Callable[[int, int], None]
"""progress(steps done, steps): documents loaded, then pairs matched and labels computed."""

Coverage = Literal["done", "touched"]
COVERAGE_RULES: dict[str, str] = {
    "done": "an annotator covers a document they marked done; documents a pair does not both"
    " cover are left out of that pair",
    "touched": "an annotator covers a document they touched (a status other than todo, or a"
    " span); documents a pair does not both cover are left out of that pair",
}


@dataclass(frozen=True, slots=True)
class AgreementQuery:
    """What to compare; empty tuples mean "all" (all human annotators, labels used, documents)."""

    annotators: tuple[str, ...] = ()
    labels: tuple[str, ...] = ()
    document_ids: tuple[int, ...] = ()
    only_done: bool = False
    level: ReportLevel = "char"
    mode: MatchMode = "overlap"
    threshold: float = 0.5
    coverage: Coverage = "done"
    diagnose: bool = False
    """Keep one diagnosis line per span (always matched at span level; at char and passage
    level spans are matched only for this)."""
    bootstrap: int = 1000
    """Resamples of the documents for the intervals; 0 turns them off."""
    seed: int = 0
    guideline_version: int | None = None
    """Only layers made under this guideline version (see :func:`guideline_policy`)."""
    all_documents: bool = False
    """Take every document even when a study plan has an overlap set (by default agreement
    is computed on the planned overlap set, when there is one)."""
    viewer: str = ""
    """Whose window asks: in blind mode, documents hidden from them are left out."""


def guideline_policy(version: int | None) -> str:
    """The report's policy line on guideline versions."""
    if version is None:
        return (
            "spans made under every guideline version count (--guideline-version N limits"
            " agreement to one)"
        )
    return (
        f"only guideline version {version}: an annotator's spans on a document count when"
        f" every one of them there was made under version {version}; other layers are left"
        " out as not covered, and documents with no such layer are left out"
    )


def agreement_document(layers: DocumentLayers, coverage: Coverage = "done") -> AgreementDocument:
    """Adapt one document's layers; the key is the document id (titles are not unique),
    and only annotators who cover the document (see the module docstring) take part."""
    covering = layers.done if coverage == "done" else layers.annotated
    spans: dict[str, list[SpanTuple]] = {name: [] for name in covering}
    for sp in layers.spans:
        if sp.annotator in covering:
            spans[sp.annotator].append((sp.start, sp.end, sp.label))
    for who, plain in layers.plain_spans.items():
        if who in covering:
            spans[who] = plain
    return AgreementDocument(
        key=str(layers.id),
        length=layers.length,
        spans={k: tuple(v) for k, v in spans.items()},
        text=layers.text,
        name=layers.external_id,
        title=layers.title,
    )


def _with_doc_labels(
    s: Tx, docs: list[AgreementDocument], names: Sequence[str], coverage: Coverage
) -> list[AgreementDocument]:
    """``docs`` with each annotator's document labels; with coverage "touched" a document
    label makes its annotator cover the document (as a span would)."""
    found = repo.document_labels(s, [int(d.key) for d in docs], names)
    out = []
    for d in docs:
        given = found.get(int(d.key), {})
        spans = dict(d.spans)
        if coverage == "touched":
            for who in given:
                spans.setdefault(who, ())
        labels = {who: frozenset(v) for who, v in given.items() if who in spans}
        out.append(replace(d, spans=spans, doc_labels=labels))
    return out


NO_COVERAGE = "no document is covered by two of the chosen annotators, so every figure is n/a"
NO_COVERAGE_DONE = (
    ": a document counts for an annotator once they mark it done; mark documents done, or"
    " count the documents they touched (--coverage touched; in the window, 'Count documents"
    " they have touched')"
)


def covered_by_two(report: AgreementReport) -> list[str]:
    """The report's documents that two or more of its annotators cover."""
    missing = dict(report.uncovered)
    n = len(report.annotators)
    return [d for d in report.documents if n - len(missing.get(d, ())) >= 2]


class AgreementService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def annotators(self) -> list[str]:
        """Everyone agreement compares by default: human annotators, not the gold layer."""
        return [
            a.name for a in self._db.read(repo.list_annotators) if a.kind is AnnotatorKind.HUMAN
        ]

    def scoped(self, query: AgreementQuery) -> tuple[AgreementQuery, str | None]:
        """``query`` limited to the planned overlap set when it names no documents and a
        study plan has one (unless ``all_documents``), and the policy line saying which."""
        scope: str | None = None
        if not query.document_ids and not query.all_documents:
            overlap = tuple(self._db.read(study.overlap_document_ids))
            if overlap:
                query = replace(query, document_ids=overlap)
                scope = (
                    f"the planned overlap set ({len(overlap)} document(s) assigned to several "
                    "annotators); choose documents or all documents to compare others"
                )
        if query.viewer:
            from annotator.services.blind import blind_rule

            hidden = self._db.read(lambda s: blind_rule(s, query.viewer)).documents
            if hidden:
                ids = query.document_ids or tuple(self._db.read(lambda s: repo.document_ids(s)))
                left = tuple(i for i in ids if i not in hidden)
                if not left:  # () would mean every document
                    raise AnnotatorError(
                        f"Blind mode: {query.viewer} has not finished any of these documents "
                        "yet; agreement on them shows once they are marked done."
                    )
                query = replace(query, document_ids=left)
                note = (
                    f"blind mode: {len(hidden)} overlap document(s) {query.viewer} has not "
                    "finished are left out"
                )
                scope = f"{scope}; {note}" if scope else note
        return query, scope

    def documents(
        self, query: AgreementQuery, *, progress: ProgressFn | None = None
    ) -> list[AgreementDocument]:
        """The agreement input for ``query``, read in one transaction, in batches."""
        query, _ = self.scoped(query)
        names = query.annotators or tuple(self.annotators())
        with_text = query.level == "passage"

        def work(s: Tx) -> list[AgreementDocument]:
            known = {a.name for a in repo.list_annotators(s)}
            unknown = [n for n in names if n not in known]
            if unknown:
                raise AnnotatorError(f"No annotator named {', '.join(map(repr, unknown))}.")
            labels = {lab.name for lab in repo.list_labels(s)}
            missing = [lab for lab in query.labels if lab not in labels]
            if missing:
                raise AnnotatorError(f"No label named {', '.join(map(repr, missing))}.")
            wanted = query.guideline_version
            if wanted is not None and repo.get_guideline(s, wanted) is None:
                newest = repo.current_version(s)
                raise AnnotatorError(
                    f"No guideline version {wanted}; "
                    + (
                        f"this project has versions 1 to {newest}."
                        if newest
                        else "this project has no guideline yet (annotator guideline set FILE)."
                    )
                )
            total = len(query.document_ids) or repo.count_documents(s)
            out: list[AgreementDocument] = []
            rows = team.iter_document_layers(
                s,
                annotators=names,
                labels=query.labels,
                document_ids=query.document_ids,
                only_done=query.only_done,
                with_text=with_text,
                plain=True,
                guideline_version=wanted,
            )
            for seen, layers in enumerate(rows, 1):
                doc = agreement_document(layers, query.coverage)
                # Limited to one guideline version: a document nobody labelled under it was
                # not part of that round, so it is left out rather than listed as uncovered.
                if wanted is None or doc.spans:
                    out.append(doc)
                if progress is not None:
                    progress(seen, total)
            if query.level == "document":
                out = _with_doc_labels(s, out, names, query.coverage)
            if progress is not None:
                progress(total, total)
            return out

        return self._db.read(work)

    def report(
        self, query: AgreementQuery | None = None, *, progress: ProgressFn | None = None
    ) -> AgreementReport:
        """The agreement report for ``query``: the same object the CLI and the GUI render."""
        q, scope = self.scoped(query or AgreementQuery())
        names = q.annotators or tuple(self.annotators())
        if len(names) < 2:
            raise AnnotatorError(
                "Agreement needs at least two annotators"
                + (f"; this project has only {', '.join(names)}." if names else ".")
            )
        docs = self.documents(q, progress=progress)
        loaded = len(docs)

        def computing(done: int, steps: int) -> None:
            if progress is not None:
                progress(loaded + done, loaded + steps)

        try:
            report = build_report(
                docs,
                level=q.level,
                annotators=names,
                labels=q.labels or None,
                mode=q.mode,
                threshold=q.threshold,
                diagnose=q.diagnose,
                bootstrap=Bootstrap(resamples=q.bootstrap, seed=q.seed),
                policies={
                    "coverage": COVERAGE_RULES[q.coverage],
                    "guideline": guideline_policy(q.guideline_version),
                }
                | ({"documents": scope} if scope else {}),
                progress=computing,
            )
        except ValueError as exc:
            raise AnnotatorError(str(exc)) from exc
        if not covered_by_two(report):
            note = NO_COVERAGE + (NO_COVERAGE_DONE if q.coverage == "done" else "")
            report = dataclasses.replace(report, notes=(note, *report.notes))
        return report

    def document_info(self, keys: Iterable[str]) -> dict[str, tuple[str, str]]:
        """Report document key -> (title, text), for excerpts in reports and views."""
        ids = [int(k) for k in keys]
        found = self._db.read(lambda s: team.document_texts(s, ids))
        return {str(k): v for k, v in found.items()}

    def titles(self, keys: Sequence[str]) -> dict[str, str]:
        return {k: title for k, (title, _) in self.document_info(keys).items()}
