"""A person's "no label here" on a passage: the only way an untagged passage becomes a negative.

A passage an annotator has not tagged is *unlabelled*, not "none of the labels", until they
judge it: walk past it in passage mode (J, or Enter on a "no label" suggestion), turn a
suggestion down, or mark the whole document done. Each judgement belongs to one annotator
and one passage (code points of the stored text, like spans).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class JudgementKind(str, enum.Enum):  # noqa: UP042 - keep str() of members
    NONE = "none"
    """Walked past: none of the labels applies here."""
    REJECTED = "rejected"
    """A suggestion of ``label`` was turned down here."""
    SKIPPED = "skipped"
    """Skipped in the uncertainty queue: never offered again, and *not* a negative."""

    @property
    def negative(self) -> bool:
        """Whether the passage counts as judged "none of the labels" (unless tagged)."""
        return self is not JudgementKind.SKIPPED


@dataclass(frozen=True, slots=True)
class Judgement:
    document_id: int
    start: int
    end: int
    annotator: str
    kind: JudgementKind = JudgementKind.NONE
    label: str = ""
    """The rejected label (empty for ``none``)."""
    id: int | None = None

    @property
    def key(self) -> tuple[int, int, int, str, str, str]:
        return (self.document_id, self.start, self.end, self.annotator, self.kind.value, self.label)


@dataclass(frozen=True, slots=True)
class NewJudgement:
    """A judgement as a file carries it (native JSONL): its document is the record's."""

    start: int
    end: int
    annotator: str
    kind: JudgementKind = JudgementKind.NONE
    label: str = ""
