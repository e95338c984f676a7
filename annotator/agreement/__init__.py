"""Inter-annotator agreement: pure functions over plain data, no I/O, no Qt."""

from __future__ import annotations

from annotator.agreement.coefficients import cohen_kappa, fleiss_kappa, krippendorff_alpha

__all__ = ["cohen_kappa", "fleiss_kappa", "krippendorff_alpha"]
