"""Assisted annotation use cases: train on the team's labels, suggest, evaluate, review.

Suggestions are never stored: they live in a ``Suggester`` held by the caller (the window,
the CLI). Only a person's decision writes anything, through the commands in
``services.suggestion_commands``: accepting makes the annotator's own spans (origin
``suggested``), so nothing suggested reaches an export or agreement unless accepted.
The pre-annotation plans are ``services.preannotation``'s; ``preannotation`` and
``accept_all_plan`` here are their entry points.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass

from annotator.core.errors import AnnotatorError
from annotator.core.segment import Passage, PassageKind, passages
from annotator.services.blind import blind_rule, visible_layers
from annotator.services.changes import Changes
from annotator.services.document_passages import document_passages
from annotator.services.preannotation import (
    AcceptAllPlan,
    PreAnnotation,
    accept_all_plan,
    confident_plan,
)
from annotator.storage import Database, Tx, repo
from annotator.storage import judgements as judgement_store
from annotator.storage import suggestions as store
from annotator.suggest.combine import LabelScore as ShownScore
from annotator.suggest.combine import Source, Suggester
from annotator.suggest.data import Example, judged_passages, passage_labels, touched
from annotator.suggest.model import LabelScore
from annotator.suggest.rules import RuleSet, parse_rule, rule_lines

Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class PassageSuggestion:
    """One label for one passage, with its score and where it came from (as the CLI prints it)."""

    document_id: int
    document: str
    """The id a native JSONL export writes (the external id, else the database id)."""
    start: int
    end: int
    label: str
    score: float
    source: Source
    rule: str = ""
    note: str = ""

    def as_json(self) -> dict[str, object]:
        return {
            "document": self.document,
            "document_id": self.document_id,
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "score": round(self.score, 4),
            "source": self.source,
            "rule": self.rule or None,
            **({"note": self.note} if self.note else {}),
        }


@dataclass(frozen=True, slots=True)
class ReviewItem:
    """A passage worth a person's look, with why: uncertain, or model and label disagree."""

    document_id: int
    start: int
    end: int
    text: str
    reason: str
    priority: float
    """Higher first: uncertainty (0-1) or how confidently the model contradicts the label."""
    annotator: str = ""
    label: str = ""
    document: str = ""
    """The document's external id (as a native export writes it), else its database id."""


@dataclass(frozen=True, slots=True)
class EvaluationReport:
    passages: int
    """Judged passages the evaluation learnt from and scored (out of fold)."""
    scores: builtins.list[LabelScore]
    counts: dict[str, tuple[int, int]]
    """Label -> (positives, negatives): judged passages with and without it."""
    notes: dict[str, str]
    """Label -> why it is not learnt (labels missing from ``scores``)."""


class SuggestionService:
    def __init__(self, db: Database) -> None:
        self._db = db

    # --- rules --------------------------------------------------------------------------

    def rules(self) -> dict[str, builtins.list[str]]:
        """Label -> its rule lines."""
        return {k: rule_lines(v) for k, v in self._db.read(store.label_rules).items()}

    def rule_set(self) -> RuleSet:
        return RuleSet.from_rules(self.rules())

    def set_rules(self, label: str, text: str) -> tuple[str, Changes]:
        """Store a label's rules (checked first: a bad pattern stores nothing); returns the old."""
        for n, line in enumerate(text.splitlines(), 1):
            if line.strip() and not line.strip().startswith("#"):
                try:
                    parse_rule(line, check=True)
                except AnnotatorError as exc:
                    raise AnnotatorError(f"Rules of {label}, line {n}: {exc}") from exc
        before = self._db.write(lambda s: store.set_label_rules(s, label, text.strip()))
        return before, Changes(labels=True)

    # --- training data ------------------------------------------------------------------

    def _annotators(self, s: Tx, annotators: Sequence[str]) -> builtins.list[str]:
        return list(annotators) or [a.name for a in repo.list_annotators(s)]

    def examples(
        self,
        *,
        annotators: Sequence[str] = (),
        level: PassageKind = "sentence",
        document_ids: Sequence[int] = (),
        viewer: str | None = None,
    ) -> builtins.list[Example]:
        """Every passage someone has judged, with the labels their spans give it; for a
        ``viewer`` in blind mode, without teammates' labels or judgements on unfinished
        overlap documents.

        Judged means tagged, judged "no label" or rejected (stored judgements), or in a
        document its annotator marked done. An untagged passage of a document in progress
        is unlabelled, not a "none of the labels": it is left out.
        """

        def work(s: Tx) -> builtins.list[Example]:
            names = self._annotators(s, annotators)
            if not names:
                return []
            done = store.done_pairs(s, names)
            rule = blind_rule(s, viewer)
            worked = store.worked_document_ids(s, names)
            if document_ids:
                wanted = set(document_ids)
                worked = [d for d in worked if d in wanted]
            judged: dict[tuple[int, str], builtins.list[tuple[int, int]]] = {}
            by_doc: dict[int, set[str]] = {}
            for j in judgement_store.list_judgements(
                s, annotators=names, document_ids=document_ids
            ):
                if not j.kind.negative or rule.hides(j.document_id, j.annotator):
                    continue  # skipped in the queue, or a teammate's the viewer may not see
                judged.setdefault((j.document_id, j.annotator), []).append((j.start, j.end))
                by_doc.setdefault(j.document_id, set()).add(j.annotator)
            out: builtins.list[Example] = []
            if not worked:
                return out
            for layer in visible_layers(
                rule, store.iter_labelled_documents(s, annotators=names, document_ids=worked)
            ):
                text = layer.text or ""
                items = passages(text, level)
                who = set(layer.annotated) | by_doc.get(layer.id, set())
                for name in sorted(who):
                    spans = [(p.start, p.end, p.label) for p in layer.spans if p.annotator == name]
                    labs = passage_labels(text, items, spans)
                    seen = judged_passages(
                        text,
                        items,
                        labs,
                        judged.get((layer.id, name), ()),
                        done=(layer.id, name) in done,
                    )
                    out.extend(
                        Example(layer.id, p.start, p.end, p.text_in(text), labs[i], name)
                        for i, p in enumerate(items)
                        if seen[i]
                    )
            return out

        return self._db.read(work)

    def train(
        self,
        *,
        annotators: Sequence[str] = (),
        level: PassageKind = "sentence",
        progress: Progress | None = None,
        viewer: str | None = None,
    ) -> Suggester:
        """Read the labels and rules and fit a model: seconds even for thousands of passages.

        Safe to run on a worker thread: it only reads, and returns an immutable suggester.
        """
        return self.train_with_examples(
            annotators=annotators, level=level, progress=progress, viewer=viewer
        )[0]

    def train_with_examples(
        self,
        *,
        annotators: Sequence[str] = (),
        level: PassageKind = "sentence",
        progress: Progress | None = None,
        viewer: str | None = None,
    ) -> tuple[Suggester, builtins.list[Example]]:
        """:meth:`train`, and the examples it learnt from (for updates between trainings)."""
        from annotator.suggest.model import train

        rules = self.rule_set()
        if progress:
            progress(0, 2)
        ex = self.examples(annotators=annotators, level=level, viewer=viewer)
        if progress:
            progress(1, 2)
        try:
            known = self._db.read(lambda s: [lab.name for lab in repo.list_labels(s)])
            model = train([e.text for e in ex], [e.labels for e in ex], rules=rules, known=known)
        except ImportError as exc:  # the desktop bundle leaves scikit-learn out
            raise AnnotatorError(
                f"Suggestions need scikit-learn ({exc.name} is not installed here); "
                "install Annotator with pip to have them."
            ) from exc
        if progress:
            progress(2, 2)
        learned = model if model.labels else None
        return Suggester(learned, rules, dict(model.not_learned)), ex

    # --- suggesting ---------------------------------------------------------------------

    def suggestions(
        self,
        suggester: Suggester,
        *,
        document_ids: Sequence[int] = (),
        annotators: Sequence[str] = (),
        level: PassageKind = "sentence",
        every: bool = False,
    ) -> Iterator[PassageSuggestion]:
        """Suggestions for the named documents, else those the annotators have not tagged.

        ``every``: each passage with every label's score, shown or not.
        """
        for doc_id, doc_name, text, items in document_passages(
            self._db, document_ids, annotators, level
        ):
            rows = suggester.score([p.text_in(text) for p in items])
            for p, row in zip(items, rows, strict=True):
                for ls in row:
                    if every or ls.shown:
                        yield PassageSuggestion(
                            doc_id,
                            doc_name,
                            p.start,
                            p.end,
                            ls.label,
                            ls.score,
                            ls.source,
                            ls.rule,
                            ls.note,
                        )

    # --- evaluation and review ----------------------------------------------------------

    def check_annotators(self, names: Sequence[str]) -> None:
        """Refuse names that are no annotator of this database (say which are)."""
        known = [a.name for a in self._db.read(repo.list_annotators)]
        unknown = [n for n in names if n not in known]
        if unknown:
            raise AnnotatorError(
                f"No annotator named {unknown[0]!r} in this database"
                + (
                    f" (annotators: {', '.join(sorted(known))})."
                    if known
                    else " (it has none yet)."
                )
            )

    def label_notes(self, examples: Sequence[Example]) -> dict[str, str]:
        """Label -> why the model cannot learn it from ``examples`` (labels it can learn are
        left out): every label of the label set, and any label a span carries."""
        from annotator.suggest.model import trainable_labels

        sets = [e.labels for e in examples]
        names = [lab.name for lab in self._db.read(repo.list_labels)]
        names += sorted({lab for labs in sets for lab in labs} - set(names))
        learnable = set(trainable_labels(sets)) if sets else set()
        n = len(sets)
        out: dict[str, str] = {}
        for lab in names:
            if lab in learnable:
                continue
            pos = sum(lab in labs for labs in sets)
            if n == 0:
                out[lab] = "no passage has been judged yet"
            elif pos == 0:
                out[lab] = "never tagged"
            elif pos < 2:
                out[lab] = f"tagged in only {pos} passage; it needs at least 2"
            else:
                out[lab] = (
                    f"tagged in {pos} passages but only {n - pos} judged without it (it needs "
                    f"2): walk past passages that are not {lab} (J in passage mode) or mark "
                    "documents done"
                )
        return out

    def evaluate(
        self, *, annotators: Sequence[str] = (), level: PassageKind = "sentence", folds: int = 5
    ) -> tuple[int, builtins.list[LabelScore]]:
        """Cross-validated precision/recall/F1 per label; returns (passages, scores)."""
        report = self.evaluate_report(annotators=annotators, level=level, folds=folds)
        return report.passages, report.scores

    def evaluate_report(
        self, *, annotators: Sequence[str] = (), level: PassageKind = "sentence", folds: int = 5
    ) -> EvaluationReport:
        """:meth:`evaluate` with how many judged passages carry each label (positives) and
        how many do not (negatives), and why the other labels are not learnt."""
        from annotator.suggest.model import cross_validated, scores

        ex = self.examples(annotators=annotators, level=level)
        gold = [e.labels for e in ex]
        # Each fold's model picks its own thresholds, as the window's model does.
        labels, predicted = cross_validated(
            [e.text for e in ex], gold, rules=self.rule_set(), folds=folds
        )
        counts = {lab: sum(lab in g for g in gold) for lab in labels}
        return EvaluationReport(
            len(ex),
            list(scores(labels, gold, predicted)),
            {lab: (c, len(ex) - c) for lab, c in counts.items()},
            self.label_notes(ex),
        )

    def documents_to_label(self, annotator: str) -> builtins.list[int]:
        """The documents ``annotator`` may label, for the uncertainty queue to draw from.

        The one place an assignment plan plugs in (a study's assignments, blind mode):
        today every document the annotator has not marked done.
        """

        def work(s: Tx) -> builtins.list[int]:
            done = {d for d, _a in store.done_pairs(s, [annotator])}
            return [d for d in repo.document_ids(s) if d not in done]

        return self._db.read(work)

    def uncertain(
        self,
        suggester: Suggester,
        *,
        annotator: str,
        level: PassageKind = "sentence",
        limit: int = 50,
        exclude: Collection[tuple[int, int, int]] = (),
    ) -> builtins.list[ReviewItem]:
        """Passages the annotator has not judged yet, the model's least certain first.

        Left out: what the annotator tagged or judged (any judgement, skips included, also
        one made at another passage level that covers it), ``exclude`` (document id, start,
        end), and documents :meth:`documents_to_label` does not give them.
        """
        return self.uncertain_queue(
            suggester, annotator=annotator, level=level, limit=limit, exclude=exclude
        )[0]

    def uncertain_queue(
        self,
        suggester: Suggester,
        *,
        annotator: str,
        level: PassageKind = "sentence",
        limit: int = 50,
        exclude: Collection[tuple[int, int, int]] = (),
    ) -> tuple[builtins.list[ReviewItem], int]:
        """:meth:`uncertain`, and how many passages are left to judge in all."""
        if suggester.model is None:
            return [], 0
        allowed = self.documents_to_label(annotator)

        def mine(s: Tx) -> tuple[dict[int, builtins.list[tuple[int, int, str]]], set[int]]:
            by_doc: dict[int, builtins.list[tuple[int, int, str]]] = {}
            for j in judgement_store.list_judgements(s, annotators=[annotator]):
                by_doc.setdefault(j.document_id, []).append((j.start, j.end, "judged"))
            return by_doc, set(store.worked_document_ids(s, [annotator]))

        judged_ranges, worked = self._db.read(mine)
        skip = set(exclude)
        cand: builtins.list[tuple[int, Passage, str]] = []
        for doc_id, _name, text, items in document_passages(self._db, allowed, [], level):
            taken: builtins.list[bool] = [False] * len(items)
            if doc_id in worked:

                def my_spans(s: Tx, d: int = doc_id) -> builtins.list[tuple[int, int]]:
                    return [
                        (sp.start, sp.end) for sp in repo.list_spans(s, d, annotators=(annotator,))
                    ]

                spans = self._db.read(my_spans)
                # Any span of mine in a passage, or a judgement covering most of it.
                seen = passage_labels(text, items, judged_ranges.get(doc_id, []))
                taken = [t or bool(j) for t, j in zip(touched(items, spans), seen, strict=True)]
            cand.extend(
                (doc_id, p, p.text_in(text))
                for i, p in enumerate(items)
                if not taken[i] and (doc_id, p.start, p.end) not in skip and p.text_in(text).strip()
            )
        if not cand:
            return [], 0
        # A passage in a language unlike the training data's scores 0: no top place.
        u = suggester.uncertainty([t for _d, _p, t in cand])
        order = sorted(range(len(cand)), key=lambda i: -u[i])[:limit]
        items_out = [
            ReviewItem(
                cand[i][0], cand[i][1].start, cand[i][1].end, cand[i][2], "uncertain", float(u[i])
            )
            for i in order
        ]
        return items_out, len(cand)

    def disagreements(
        self, *, annotators: Sequence[str] = (), level: PassageKind = "sentence", folds: int = 5
    ) -> builtins.list[ReviewItem]:
        """Passages whose label the out-of-fold model confidently contradicts (label issues)."""
        from annotator.suggest.model import label_issues, out_of_fold

        ex = self.examples(annotators=annotators, level=level)
        gold = [e.labels for e in ex]
        labels, probs = out_of_fold([e.text for e in ex], gold, rules=self.rule_set(), folds=folds)
        ext = self._db.read(lambda s: repo.external_ids(s, sorted({e.document_id for e in ex})))
        out = []
        for j, lab in enumerate(labels):
            for i, conf in label_issues([lab in g for g in gold], probs[:, j].tolist()):
                e = ex[i]
                tagged = lab in e.labels
                # The model's confidence in its own verdict, 0.5-1: the scale of the
                # suggestion bar's scores (its probability of L, or of "not L").
                why = (
                    f"tagged {lab}; model says not {lab}, confidence {1 - probs[i, j]:.2f}"
                    if tagged
                    else f"not tagged {lab}; model says {lab}, confidence {probs[i, j]:.2f}"
                )
                out.append(
                    ReviewItem(
                        e.document_id,
                        e.start,
                        e.end,
                        e.text,
                        why,
                        1 - conf,
                        e.annotator,
                        lab,
                        ext.get(e.document_id) or str(e.document_id),
                    )
                )
        return sorted(out, key=lambda r: -r.priority)

    # --- pre-annotation (services/preannotation.py) ---------------------------------------

    def preannotation(
        self,
        suggester: Suggester,
        *,
        annotator: str,
        document_ids: Sequence[int] = (),
        level: PassageKind = "sentence",
        min_precision: float = 0.95,
        whole_passages: bool = True,
    ) -> PreAnnotation:
        """What accepting the confident suggestions would tag (:func:`confident_plan`)."""
        return confident_plan(
            self._db,
            suggester,
            annotator=annotator,
            document_ids=document_ids,
            level=level,
            min_precision=min_precision,
            whole_passages=whole_passages,
        )

    def accept_all_plan(
        self,
        suggester: Suggester,
        *,
        annotator: str,
        document_id: int,
        level: PassageKind = "sentence",
        scored: Sequence[tuple[int, int, Sequence[ShownScore]]] | None = None,
    ) -> AcceptAllPlan:
        """What "Accept all suggestions in this document" stores (:func:`accept_all_plan`)."""
        return accept_all_plan(
            self._db,
            suggester,
            annotator=annotator,
            document_id=document_id,
            level=level,
            scored=scored,
        )
