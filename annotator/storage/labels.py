"""Labels and annotators (the names spans refer to).

Data functions take the session first and never commit: the caller owns the transaction.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from annotator.core.errors import AnnotatorError, NotFoundError
from annotator.core.model import (
    Annotator,
    AnnotatorKind,
    Label,
)
from annotator.storage import tallies
from annotator.storage.orm import (
    AnnotatorRow,
    DocumentLabelRow,
    JudgementRow,
    LabelRow,
    PredictionRow,
    SpanRow,
)
from annotator.storage.rows import _insert_or_find, _label

# --- labels ---------------------------------------------------------------------


def list_labels(s: Session) -> list[Label]:
    return [_label(r) for r in s.scalars(select(LabelRow).order_by(LabelRow.position, LabelRow.id))]


def _label_row(s: Session, name: str) -> LabelRow | None:
    return s.scalar(select(LabelRow).where(LabelRow.name == name))


def get_label(s: Session, name: str) -> Label:
    row = _label_row(s, name)
    if row is None:
        raise NotFoundError(f"No label named {name!r}.")
    return _label(row)


def add_label(s: Session, label: Label) -> Label:
    if _label_row(s, label.name) is not None:
        raise AnnotatorError(f"A label named {label.name!r} already exists.")
    pos = (s.scalar(select(func.max(LabelRow.position))) or 0) + 1
    row = LabelRow(
        name=label.name,
        color=label.color,
        shortcut=label.shortcut,
        description=label.description,
        position=pos,
    )
    s.add(row)
    s.flush()
    return _label(row)


def existing_label_names(s: Session, names: Collection[str]) -> set[str]:
    """Which of ``names`` are labels already (chunked ``IN``: no scan of all labels)."""
    wanted = sorted(set(names))
    found: set[str] = set()
    for i in range(0, len(wanted), 500):
        q = select(LabelRow.name).where(LabelRow.name.in_(wanted[i : i + 500]))
        found.update(s.scalars(q))
    return found


def count_labels(s: Session) -> int:
    return int(s.scalar(select(func.count()).select_from(LabelRow)) or 0)


def add_labels(s: Session, labels: Sequence[Label]) -> None:
    """Add new ``labels`` at the end of the label order in one statement: the position is
    read once, not once per label (20,000 labels of an import held the lock 42 s)."""
    if not labels:
        return
    pos = s.scalar(select(func.max(LabelRow.position))) or 0
    rows = [
        {
            "name": lab.name,
            "color": lab.color,
            "shortcut": lab.shortcut,
            "description": lab.description,
            "position": pos + i,
            "rules": "",
        }
        for i, lab in enumerate(labels, 1)
    ]
    s.execute(insert(LabelRow.__table__), rows)  # type: ignore[arg-type]


def update_label(s: Session, current: str, /, **changes: Any) -> Label:
    """Change the label called ``current``; ``changes`` may hold a new ``name``."""
    row = _label_row(s, current)
    if row is None:
        raise NotFoundError(f"No label named {current!r}.")
    new_name = changes.get("name")
    if new_name and new_name != current and _label_row(s, new_name) is not None:
        raise AnnotatorError(f"A label named {new_name!r} already exists.")
    for key in ("name", "color", "shortcut", "description"):
        if changes.get(key) is not None:
            setattr(row, key, changes[key])
    if new_name and new_name != current and _may_update_judgements(s):
        # A rejected suggestion names its label: it follows the rename.
        s.execute(
            update(JudgementRow)
            .where(JudgementRow.kind == "rejected", JudgementRow.label == current)
            .values(label=new_name)
        )
    s.flush()
    return _label(row)


def _may_update_judgements(s: Session) -> bool:
    conn = s.connection()
    if conn.dialect.name != "postgresql":
        return True
    # A server upgraded without re-running ``server init`` grants nothing on the table yet.
    return bool(conn.exec_driver_sql("SELECT has_table_privilege('judgements', 'UPDATE')").scalar())


def count_label_spans(s: Session, name: str) -> int:
    if tallies.kept(s):  # SQLite, schema 0016: the counts kept by triggers, one row an annotator
        t = tallies.BY_LABEL
        kept = select(func.sum(t.c.n)).join(LabelRow, LabelRow.id == t.c.label_id)
        return int(s.scalar(kept.where(LabelRow.name == name)) or 0)
    return s.scalar(select(func.count(SpanRow.id)).join(LabelRow).where(LabelRow.name == name)) or 0


def remove_label(s: Session, name: str, *, delete_spans: bool = False) -> int:
    """Remove a label; refuses while spans use it unless ``delete_spans``. Returns spans deleted."""
    row = _label_row(s, name)
    if row is None:
        raise NotFoundError(f"No label named {name!r}.")
    n = count_label_spans(s, name)
    whole = s.scalar(
        select(func.count())
        .select_from(DocumentLabelRow)
        .where(DocumentLabelRow.label_id == row.id)
    )
    if (n or whole) and not delete_spans:
        used = f"{n} span(s)" + (f" and {whole} document label(s)" if whole else "")
        raise AnnotatorError(
            f"Label {name!r} is used by {used}; remove them too, or rename the label instead."
        )
    s.execute(delete(DocumentLabelRow).where(DocumentLabelRow.label_id == row.id))
    # A model's predictions of the label go with it: suggestions, no one's work.
    s.execute(delete(PredictionRow).where(PredictionRow.label_id == row.id))
    s.execute(delete(SpanRow).where(SpanRow.label_id == row.id))
    s.delete(row)
    s.flush()
    return n


# --- annotators -----------------------------------------------------------------


def list_annotators(s: Session) -> list[Annotator]:
    return [
        Annotator(id=r.id, name=r.name, kind=AnnotatorKind(r.kind))
        for r in s.scalars(select(AnnotatorRow).order_by(AnnotatorRow.name))
    ]


def annotator_id(
    s: Session, name: str, *, create: bool = True, kind: AnnotatorKind = AnnotatorKind.HUMAN
) -> int:
    found = s.scalar(select(AnnotatorRow.id).where(AnnotatorRow.name == name))
    if found is not None:
        return found
    if not create:
        raise NotFoundError(f"No annotator named {name!r}.")
    got = _insert_or_find(
        s,
        AnnotatorRow(name=name, kind=kind.value),
        lambda: s.scalar(select(AnnotatorRow).where(AnnotatorRow.name == name)),
    )
    return got.id


def set_annotator_role(s: Session, name: str, role_name: str | None, *, kind: AnnotatorKind) -> int:
    """Create or update annotator ``name`` and map it to a database login role (team server)."""
    ann = annotator_id(s, name, kind=kind)
    row = s.get(AnnotatorRow, ann)
    assert row is not None
    if row.role_name is not None and role_name is not None and row.role_name != role_name:
        # Re-mapping would hand every span of ``name`` to another login.
        raise AnnotatorError(
            f"Annotator {name!r} already belongs to role {row.role_name!r}; "
            "choose another annotator name."
        )
    row.role_name = role_name
    row.kind = kind.value
    s.flush()
    return ann
