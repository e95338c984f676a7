"""Writing validated files in short transactions, releasing the lock between them.

Small files are grouped into one transaction (one SAVEPOINT each, so a file the
database refuses rolls back alone); a big file is written in bounded batches, and
if a later batch fails or the import is cancelled, what its earlier batches stored
is deleted again, so an import leaves whole files only. Between two write
transactions the writer leaves the lock free for at least ``PAUSE_S``: longer than
the longest sleep of SQLite's busy handler (100 ms), so a teammate's waiting tag
gets in at the next gap instead of racing the importer for it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence

from annotator.core.errors import AnnotatorError, InputError
from annotator.core.model import AnnotatedDocument
from annotator.services import import_parsed
from annotator.services.import_parsed import FileResult, LabelGate, ParsedFile
from annotator.storage import Database, Tx, import_journal
from annotator.storage.bulk import BatchOutcome, data_version, store_batch
from annotator.storage.import_journal import (
    TakenBack,
    end_journal,
    journal,
    new_journal_token,
    renew_lease,
    take_back_token,
)

BATCH_ROWS = 4_000
"""Documents plus spans per write transaction to start with; then sized to the time."""
MIN_ROWS, MAX_ROWS = 500, 100_000
TARGET_LOCK_S = 0.15
CONTENDED_LOCK_S = 0.08
"""The target while another connection writes too: its waits stay short on a busy machine."""
"""How long one write transaction should hold the lock: batches are resized after each
one from the rows per second measured, so a slow or busy machine writes smaller ones."""
PAUSE_S = 0.12
"""Lock-free time between two write transactions while another connection is writing
too: longer than the longest sleep of SQLite's busy handler (100 ms)."""
SHORT_PAUSE_S = 0.06
"""The pause while nobody else has written lately: a writer that started waiting during
our last batch is still in the busy handler's short sleeps (50 ms at most) and gets in."""
CONTENTION_S = 5.0
"""How long after another connection's commit the long pause stays on."""

FIRST_GROUP_FILES = 25
"""Small files in the first group, before the time per file is known."""
MIN_GROUP_FILES = 2

LABEL_CHUNK = 5_000
"""New labels created per transaction when a file brings many."""

IDENTICAL = "identical span(s), already stored or repeated in the file: kept once"
REPEATED_PREDICTION = "prediction(s) already stored or repeated in the file: kept once"

CancelFn = Callable[[], bool]
log = logging.getLogger(__name__)


def _apply(
    result: FileResult,
    outcome: BatchOutcome,
    created: list[str],
    items: Sequence[AnnotatedDocument],
) -> None:
    result.documents_added += sum(outcome.added)
    result.documents_matched += len(outcome.added) - sum(outcome.added)
    result.spans_added += sum(outcome.spans_added)
    result.doc_labels_added += outcome.doc_labels_added
    result.predictions_added += len(outcome.prediction_ids)
    if outcome.predictions_repeated:
        result.skipped[REPEATED_PREDICTION] = (
            result.skipped.get(REPEATED_PREDICTION, 0) + outcome.predictions_repeated
        )
    if outcome.identical:
        result.skipped[IDENTICAL] = result.skipped.get(IDENTICAL, 0) + outcome.identical
    result.labels_created += created
    for item, added in zip(items, outcome.added, strict=True):
        if not added and not item.spans:
            doc = item.document
            result.duplicates.append(doc.title or doc.source_path or doc.content_hash[:12])


class BatchWriter:
    def __init__(self, db: Database, *, annotator: str, create_labels: bool) -> None:
        self._db = db
        self._annotator = annotator
        self._create = create_labels
        self._pending: list[ParsedFile] = []
        self._rows = 0
        self._last_commit = 0.0
        self._versions: dict[int, int] = {}
        self._contended_until = 0.0
        self.batch_rows = BATCH_ROWS
        self.batch_files = min(FIRST_GROUP_FILES, _batch_files())
        """Small files per transaction: sized after each group to the lock budget."""
        self._held = 0.0
        self.cancelled = False

    def add(self, parsed: ParsedFile, cancel: CancelFn | None) -> None:
        if parsed.rows > self.batch_rows:
            self.flush()
            self._write_big(parsed, cancel)
            return
        self._pending.append(parsed)
        self._rows += parsed.rows
        if self._rows >= self.batch_rows or len(self._pending) >= self.batch_files:
            self.flush()

    def _write(self, work: Callable[[Tx], object], rows: int = 0) -> object:
        pause = PAUSE_S if time.monotonic() < self._contended_until else SHORT_PAUSE_S
        wait = pause - (time.monotonic() - self._last_commit)
        if wait > 0:
            time.sleep(wait)

        held = [0.0]

        def watched(s: Tx) -> object:
            got = data_version(s)  # the first statement: the lock is ours from here
            held[0] = time.monotonic()
            if got is not None:
                conn, version = got
                before = self._versions.get(conn)
                if before is not None and before != version:
                    # Someone else committed since this connection's last batch.
                    self._contended_until = time.monotonic() + CONTENTION_S
                self._versions[conn] = version
            return work(s)

        try:
            return self._db.write(watched, retry_integrity=True)
        finally:
            self._last_commit = time.monotonic()
            # Time holding the lock, not waiting for it: a busy teammate must not shrink
            # the batches to nothing.
            took = self._last_commit - held[0] if held[0] else 0.0
            self._held = took
            log.debug("import batch of %d rows held the write lock %.3f s", rows, took)
            if rows >= MIN_ROWS and took > 0:
                contended = time.monotonic() < self._contended_until
                fit = int(rows / took * (CONTENDED_LOCK_S if contended else TARGET_LOCK_S))
                self.batch_rows = max(MIN_ROWS, min(MAX_ROWS, fit))

    def flush(self) -> None:
        """Write the pending small files in one transaction, one SAVEPOINT each."""
        pending, rows, self._pending, self._rows = self._pending, self._rows, [], 0
        if not pending:
            return

        Done = tuple[BatchOutcome, list[str], list[AnnotatedDocument]] | AnnotatorError

        def work(s: Tx) -> list[Done]:
            done: list[Done] = []
            for parsed in pending:
                created: list[str] = []
                try:
                    with s.begin_nested():
                        gate = LabelGate(s, create=self._create, created=created)
                        gate.admit_names(parsed.labels)
                        gate.check(parsed.path)
                        items = list(parsed.records(self._annotator))
                        done.append((store_batch(s, items), created, items))
                except AnnotatorError as exc:
                    done.append(_named(exc, parsed.result.path))
            return done

        try:
            outcomes = self._write(work, rows)
        except AnnotatorError as exc:
            for parsed in pending:
                parsed.result.error = exc
            return
        finally:
            self._size_groups(len(pending))
        for parsed, got in zip(pending, outcomes, strict=True):  # type: ignore[call-overload]
            if isinstance(got, AnnotatorError):
                parsed.result.error = got
            else:
                _apply(parsed.result, *got)

    def _size_groups(self, files: int) -> None:
        """Fit the next group of small files to the lock budget: 200 files held the lock
        0.38-0.67 s on a busy machine, not the ~0.1 s the README promises."""
        if self._held <= 0 or files <= 0:
            return
        contended = time.monotonic() < self._contended_until
        budget = CONTENDED_LOCK_S if contended else TARGET_LOCK_S
        fit = int(files * budget / self._held)
        self.batch_files = max(MIN_GROUP_FILES, min(_batch_files(), fit))

    def _write_big(self, parsed: ParsedFile, cancel: CancelFn | None) -> None:
        """Bounded batches, one transaction each; the file is taken back if one fails.

        Each batch renews the import's lease and journals what it stored; a take-back
        (a failure, Cancel, or the next open after a kill) keeps every document someone
        else worked on meanwhile and says so.
        """
        result = FileResult(parsed.result.path)
        if self._create and len(parsed.labels) > LABEL_CHUNK:
            # Many new labels: created first, a chunk per transaction, so that no single
            # write holds the lock for long (the first batch then finds them all).
            try:
                self._create_labels(parsed, result)
            except AnnotatorError as exc:
                parsed.result.error = exc
                parsed.result.labels_created = result.labels_created
                return
        token = new_journal_token()
        owner = f"{self._annotator}: {parsed.result.path}"
        wrote = False
        try:
            for first, batch in enumerate(self._batches(parsed.records(self._annotator))):
                if first and cancel is not None and cancel():
                    self.cancelled = True
                    raise _Cancelled
                created: list[str] = []

                def work(
                    s: Tx,
                    batch: list[AnnotatedDocument] = batch,
                    first: int = first,
                    created: list[str] = created,
                ) -> BatchOutcome:
                    created.clear()
                    renew_lease(s, token, owner, first=first == 0)
                    if first == 0:
                        gate = LabelGate(s, create=self._create, created=created)
                        gate.admit_names(parsed.labels)
                        gate.check(parsed.path)
                    out = store_batch(s, batch)
                    journal(s, token, out)
                    return out

                outcome = self._write(
                    work, sum(1 + len(it.spans) + len(it.predictions) for it in batch)
                )
                assert isinstance(outcome, BatchOutcome)
                wrote = True
                _apply(result, outcome, created, batch)
            self._write(lambda s: end_journal(s, token))
        except (AnnotatorError, OSError, _Cancelled) as exc:
            error = None
            if isinstance(exc, AnnotatorError):
                error = _named(exc, parsed.result.path)
            elif not isinstance(exc, _Cancelled):
                error = AnnotatorError(f"{parsed.result.path}: {exc}")
            parsed.result.error = error
            if wrote:
                self._take_back(result, parsed, token, error)
            return
        parsed.result.documents_added = result.documents_added
        parsed.result.documents_matched = result.documents_matched
        parsed.result.spans_added = result.spans_added
        parsed.result.doc_labels_added = result.doc_labels_added
        parsed.result.predictions_added = result.predictions_added
        parsed.result.labels_created = result.labels_created
        parsed.result.duplicates = result.duplicates
        for why, n in result.skipped.items():
            parsed.result.skipped[why] = parsed.result.skipped.get(why, 0) + n

    def _create_labels(self, parsed: ParsedFile, result: FileResult) -> None:
        names = sorted(parsed.labels)
        for i in range(0, len(names), LABEL_CHUNK):
            chunk = {n: parsed.labels[n] for n in names[i : i + LABEL_CHUNK]}

            def work(s: Tx, chunk: dict[str, int] = chunk) -> list[str]:
                created: list[str] = []
                LabelGate(s, create=True, created=created).admit_names(chunk)
                return created

            made = self._write(work)
            assert isinstance(made, list)
            result.labels_created += made

    def _batches(self, records: Iterator[AnnotatedDocument]) -> Iterator[list[AnnotatedDocument]]:
        """Records in lists of at most ``batch_rows`` documents plus spans (one at least)."""
        batch: list[AnnotatedDocument] = []
        rows = 0
        for item in records:
            cost = 1 + len(item.spans) + len(item.predictions)
            if batch and rows + cost > self.batch_rows:
                yield batch
                batch, rows = [], 0
            batch.append(item)
            rows += cost
        if batch:
            yield batch

    def _take_back(
        self,
        stored: FileResult,
        parsed: ParsedFile,
        token: str,
        error: AnnotatorError | None,
    ) -> None:
        """Take back what the committed batches stored, keeping others' work; the file's
        result then says exactly what stayed in the database."""
        out = parsed.result
        try:
            got = self._write(lambda s: take_back_token(s, token))
        except (AnnotatorError, OSError) as exc:
            # Nothing was removed: say exactly what stayed, and that the next open (once
            # the lease has run out) takes it back.
            out.documents_added = stored.documents_added
            out.documents_matched = stored.documents_matched
            out.spans_added = stored.spans_added
            out.labels_created = stored.labels_created
            out.stayed = True
            out.notes.append(
                f"stopped part way; {stored.documents_added} new document(s) and "
                f"{stored.spans_added} span(s) of it stayed in the database: taking them back "
                f"failed too ({_reason(exc) if isinstance(exc, AnnotatorError) else exc}). The "
                f"next open, once the import's lease has run out "
                f"({import_journal.LEASE_S:.0f} s), takes them back, keeping what others did on "
                "them meanwhile."
            )
            if error is not None:
                out.error = _with_suffix(
                    error,
                    f"; {stored.documents_added} document(s) and {stored.spans_added} span(s) "
                    "of it stayed in the database (see the summary)",
                    out.path,
                )
            return
        assert isinstance(got, TakenBack)
        kept = got.kept_documents
        if kept:
            titles = got.kept_titles
            more = f" and {len(kept) - len(titles)} more" if len(kept) > len(titles) else ""
            out.documents_added = len(kept)
            out.stayed = True
            out.notes.append(
                f"took back {got.documents} document(s) and {got.spans} span(s) "
                f"of it; kept {len(kept)} document(s) of it that others had worked on "
                f"meanwhile: {', '.join(titles)}{more}"
            )
        kept_spans = got.kept_spans
        if kept_spans:
            out.stayed = True
            out.notes.append(f"kept {kept_spans} of its span(s) that others had changed")


def _named(error: AnnotatorError, path: str) -> AnnotatorError:
    """A record's problem found while writing, with the file named (the line it has)."""
    if isinstance(error, InputError) and error.path is None:
        return InputError(error.reason, path=path, line=error.line)
    return error


def _reason(error: AnnotatorError) -> str:
    return error.reason if isinstance(error, InputError) else str(error)


def _with_suffix(error: AnnotatorError, suffix: str, path: str) -> AnnotatorError:
    """``error`` with ``suffix`` added to its message, still naming the file (and line)."""
    if isinstance(error, InputError):
        return InputError(error.reason + suffix, path=error.path or path, line=error.line)
    text = str(error)
    return AnnotatorError((text if path in text else f"{path}: {text}") + suffix)


class _Cancelled(Exception):
    pass


def _batch_files() -> int:
    return import_parsed.BATCH_FILES  # read at each call: tests change it


__all__ = ["BATCH_ROWS", "BatchWriter"]
