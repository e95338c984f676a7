"""Inter-annotator agreement: pure functions over plain data, no I/O, no Qt.

Entry point for callers is :func:`build_report`; the functions below it are the pieces it is
made of, public so a test or a notebook can check one number on its own.
"""

from __future__ import annotations

from annotator.agreement.character import character_alpha, character_kappa, coverage
from annotator.agreement.coefficients import (
    cohen_kappa,
    coincidence_matrix,
    fleiss_kappa,
    krippendorff_alpha,
)
from annotator.agreement.inputs import AgreementDocument, SpanTuple, document_from_core
from annotator.agreement.passages import passage_alpha, passage_kappa
from annotator.agreement.report import (
    AgreementReport,
    DocumentRow,
    LabelRow,
    PairRow,
    build_report,
)
from annotator.agreement.spans import (
    NO_SPAN,
    LabelScore,
    PairComparison,
    SpanMatch,
    compare_spans,
)
from annotator.agreement.unitizing import UnitizingResult, unitizing_alpha

__all__ = [
    "NO_SPAN",
    "AgreementDocument",
    "AgreementReport",
    "DocumentRow",
    "LabelRow",
    "LabelScore",
    "PairComparison",
    "PairRow",
    "SpanMatch",
    "SpanTuple",
    "UnitizingResult",
    "build_report",
    "character_alpha",
    "character_kappa",
    "cohen_kappa",
    "coincidence_matrix",
    "compare_spans",
    "coverage",
    "document_from_core",
    "fleiss_kappa",
    "krippendorff_alpha",
    "passage_alpha",
    "passage_kappa",
    "unitizing_alpha",
]
