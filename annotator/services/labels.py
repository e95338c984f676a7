"""Label set use cases."""

from __future__ import annotations

import builtins

from annotator.core.errors import AnnotatorError
from annotator.core.model import Label
from annotator.core.validate import label_problem
from annotator.services.changes import Changes
from annotator.storage import Database, Tx, repo

PALETTE = (
    "#d9534f",
    "#3b82c4",
    "#3fa65b",
    "#e08e0b",
    "#8e5cc4",
    "#1aa3a3",
    "#c4508a",
    "#7a8b2e",
    "#b5651d",
    "#5a6fd6",
)


def default_color(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def validate_label_name(name: str) -> str:
    cleaned = name.strip()
    if not cleaned:
        raise AnnotatorError("A label needs a name.")
    problem = label_problem(cleaned)
    if problem is not None:
        raise AnnotatorError(f"Refused: {problem}.")
    return cleaned


def validate_color(color: str) -> str:
    c = color.strip()
    if not (
        len(c) == 7 and c.startswith("#") and all(ch in "0123456789abcdefABCDEF" for ch in c[1:])
    ):
        raise AnnotatorError(f"Colour {color!r} is not of the form #RRGGBB.")
    return c.lower()


class LabelService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def list(self) -> builtins.list[Label]:
        return self._db.read(repo.list_labels)

    def get(self, name: str) -> Label:
        return self._db.read(lambda s: repo.get_label(s, name))

    def add(
        self, name: str, *, color: str | None = None, shortcut: str = "", description: str = ""
    ) -> tuple[Label, Changes]:
        name = validate_label_name(name)

        def work(s: Tx) -> Label:
            existing = repo.list_labels(s)
            self._check_shortcut(existing, shortcut, None)
            col = validate_color(color) if color else default_color(len(existing))
            return repo.add_label(s, Label(name, col, shortcut, description))

        return self._db.write(work), Changes(labels=True)

    @staticmethod
    def _check_shortcut(
        existing: builtins.list[Label], shortcut: str | None, own: str | None
    ) -> None:
        if not shortcut:
            return
        for lab in existing:
            if lab.shortcut == shortcut and lab.name != own:
                raise AnnotatorError(
                    f"Shortcut {shortcut!r} is already used by label {lab.name!r}."
                )

    def update(
        self,
        name: str,
        *,
        new_name: str | None = None,
        color: str | None = None,
        shortcut: str | None = None,
        description: str | None = None,
    ) -> tuple[Label, Changes]:
        def work(s: Tx) -> Label:
            self._check_shortcut(repo.list_labels(s), shortcut, name)
            return repo.update_label(
                s,
                name,
                name=validate_label_name(new_name) if new_name else None,
                color=validate_color(color) if color else None,
                shortcut=shortcut,
                description=description,
            )

        return self._db.write(work), Changes(labels=True, spans=new_name is not None)

    def remove(self, name: str, *, delete_spans: bool = False) -> tuple[int, Changes]:
        n = self._db.write(lambda s: repo.remove_label(s, name, delete_spans=delete_spans))
        return n, Changes(labels=True, spans=n > 0)

    def install_default_rules(self, shipped: dict[str, str]) -> tuple[builtins.list[str], Changes]:
        """Give each label named in ``shipped`` (label -> rules text: ``paths.seed_rules()``,
        from ``resources/seed_rules/LABEL.txt``) that has no seed rules yet those rules; a
        label with rules of its own is left alone. Returns the labels that got rules. Run
        for a new project (the first run's demo import) and by ``annotator labels
        default-rules``; never on its own otherwise."""
        from annotator.storage import suggestions as store

        def work(s: Tx) -> builtins.list[str]:
            have = store.label_rules(s)
            names = {lab.name for lab in repo.list_labels(s)}
            done = []
            for label, text in shipped.items():
                if label in names and not (have.get(label) or "").strip():
                    store.set_label_rules(s, label, text.strip())
                    done.append(label)
            return done

        done = self._db.write(work)
        return done, Changes(labels=bool(done))

    def usage(self, name: str) -> int:
        return self._db.read(lambda s: repo.count_label_spans(s, name))
