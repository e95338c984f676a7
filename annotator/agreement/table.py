"""A coders x units table of binary judgements, with the documents its units came from.

Character level and passage level both reduce to this: per label, each unit (a character or a
sentence) is 1 if the annotator put it in that label, 0 if not, -1 if the annotator did not
annotate the document. Documents are concatenated, never averaged: a coefficient over the
whole table weighs each unit once, so a long document counts for more than a short one, as
it should when the unit is the character. ``bounds`` keeps the per-document breakdown cheap.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np
import numpy.typing as npt

from annotator.agreement._encode import Codes
from annotator.agreement.coefficients import alpha_from_codes, cohen_kappa

MISSING = -1
BINARY_DOMAIN: tuple[object, ...] = (0, 1)


@dataclass(frozen=True, slots=True)
class UnitTable:
    """``values[i, u]`` is 1, 0 or -1; units ``bounds[d]:bounds[d+1]`` are ``doc_keys[d]``'s."""

    annotators: tuple[str, ...]
    doc_keys: tuple[str, ...]
    values: npt.NDArray[np.int8]
    bounds: npt.NDArray[np.int64]

    @property
    def n_units(self) -> int:
        return int(self.values.shape[1])

    def alpha(self) -> float:
        """Nominal Krippendorff alpha over all annotators; missing values are left out."""
        return alpha_from_codes(Codes(self.values, BINARY_DOMAIN), level="nominal")

    def kappa(self, a: str, b: str) -> float:
        """Cohen's kappa of two annotators over the units both of them annotated."""
        x, y = self._row(a), self._row(b)
        both = (x != MISSING) & (y != MISSING)
        if both.all():
            return cohen_kappa(x, y)
        return cohen_kappa(x[both], y[both])

    def shared_units(self, a: str, b: str) -> int:
        x, y = self._row(a), self._row(b)
        return int(((x != MISSING) & (y != MISSING)).sum())

    def positives(self, annotator: str) -> int:
        """How many units the annotator put in the label (characters or passages)."""
        return int((self._row(annotator) == 1).sum())

    def pairs(self) -> list[tuple[str, str]]:
        return list(combinations(self.annotators, 2))

    def document(self, index: int) -> UnitTable:
        """The same table restricted to one document, for the per-document breakdown."""
        lo, hi = int(self.bounds[index]), int(self.bounds[index + 1])
        return UnitTable(
            annotators=self.annotators,
            doc_keys=(self.doc_keys[index],),
            values=self.values[:, lo:hi],
            bounds=np.array([0, hi - lo], dtype=np.int64),
        )

    def _row(self, annotator: str) -> npt.NDArray[np.int8]:
        try:
            row: npt.NDArray[np.int8] = self.values[self.annotators.index(annotator)]
            return row
        except ValueError:
            raise KeyError(f"annotator {annotator!r} is not in this table") from None


def build_table(
    doc_keys: tuple[str, ...],
    annotators: tuple[str, ...],
    blocks: list[npt.NDArray[np.int8]],
) -> UnitTable:
    """Concatenate per-document coders x units blocks into one table."""
    sizes = [int(b.shape[1]) for b in blocks]
    bounds = np.concatenate(([0], np.cumsum(sizes, dtype=np.int64))).astype(np.int64)
    values = (
        np.concatenate(blocks, axis=1) if blocks else np.zeros((len(annotators), 0), dtype=np.int8)
    )
    return UnitTable(annotators=annotators, doc_keys=doc_keys, values=values, bounds=bounds)
