"""Map ratings of any hashable kind to integer codes ``0..V-1`` so counting is one bincount.

Integer and boolean numpy input takes a fast path with no sort: a bincount over the shifted
values finds the domain and a lookup table renumbers it, O(N). This is what makes agreement
over ten million characters cheap. Floats go through ``numpy.unique`` (a sort); plain Python
sequences go through a dict. Missing values (None, NaN) become code -1.
"""

from __future__ import annotations

import contextlib
import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

_FAST_RANGE = 1 << 20
"""Largest integer range renumbered by lookup table instead of by sorting."""


@dataclass(frozen=True, slots=True)
class Codes:
    """A coders x units table of codes (-1 = missing) and the value each code stands for.

    Any signed integer dtype will do (an int8 table of ten million characters stays small);
    ``domain`` is sorted when the values are sortable (always for numeric levels), so code
    order is value order, which the ordinal, interval and ratio distances rely on.
    """

    codes: npt.NDArray[np.signedinteger[Any]]
    domain: tuple[object, ...]


def encode(data: object, *, allow_missing: bool, name: str, numeric: bool = False) -> Codes:
    """Encode a coders x units table given as a 2-D array or a sequence of sequences."""
    if isinstance(data, list | tuple) and data and all(isinstance(r, np.ndarray) for r in data):
        rows: list[npt.NDArray[np.generic]] = list(data)
        if len({r.shape for r in rows}) != 1 or rows[0].ndim != 1:
            raise ValueError(f"{name}: all coders must rate the same number of units")
        data = np.vstack(rows)
    if isinstance(data, np.ndarray) and data.dtype.kind in "biuf":
        if data.ndim != 2:
            raise ValueError(f"{name}: expected a 2-D coders x units table, got {data.ndim}-D")
        return _encode_array(data, allow_missing=allow_missing, name=name)
    if isinstance(data, np.ndarray):
        data = data.tolist()
    if not isinstance(data, Sequence) or isinstance(data, str):
        raise TypeError(f"{name}: expected a coders x units table")
    return _encode_python(data, allow_missing=allow_missing, name=name, numeric=numeric)


def _encode_array(data: npt.NDArray[np.generic], *, allow_missing: bool, name: str) -> Codes:
    if data.dtype.kind == "f":
        arr = np.asarray(data, dtype=np.float64)
        valid = ~np.isnan(arr)
        if not valid.all() and not allow_missing:
            raise ValueError(f"{name}: missing values (NaN) are not allowed")
        vals = arr[valid]
        if vals.size and np.array_equal(vals, np.floor(vals)) and _small_range(vals):
            codes, domain = _renumber_ints(vals.astype(np.intp))
        else:
            uniq, inverse = np.unique(vals, return_inverse=True)
            codes, domain = inverse.astype(np.intp).ravel(), tuple(uniq.tolist())
        full = np.full(arr.shape, -1, dtype=np.intp)
        full[valid] = codes
        return Codes(full, domain)
    ints = data.astype(np.intp, copy=False) if data.dtype.kind != "b" else data.view(np.uint8)
    if ints.size == 0:
        return Codes(np.zeros(data.shape, dtype=np.intp), ())
    if _small_range(ints):
        codes, domain = _renumber_ints(ints)
        return Codes(codes, domain)
    uniq, inverse = np.unique(ints, return_inverse=True)
    return Codes(inverse.astype(np.intp).reshape(data.shape), tuple(uniq.tolist()))


def _small_range(vals: npt.NDArray[np.generic]) -> bool:
    return bool(int(vals.max()) - int(vals.min()) < _FAST_RANGE)


def _renumber_ints(
    vals: npt.NDArray[np.generic],
) -> tuple[npt.NDArray[np.intp], tuple[object, ...]]:
    lo = int(vals.min())
    shifted = vals.astype(np.intp) - lo if lo else vals.astype(np.intp, copy=False)
    present = np.bincount(shifted.ravel()) > 0
    domain = tuple((np.flatnonzero(present) + lo).tolist())
    if present.all():
        return shifted, domain
    lut = np.cumsum(present, dtype=np.intp) - 1
    return lut[shifted], domain


def _is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _encode_python(
    data: Sequence[object], *, allow_missing: bool, name: str, numeric: bool
) -> Codes:
    rows: list[list[object]] = []
    for row in data:
        if not isinstance(row, Sequence | np.ndarray) or isinstance(row, str):
            raise TypeError(f"{name}: each coder's ratings must be a sequence")
        rows.append(list(row))
    if len({len(r) for r in rows}) > 1:
        raise ValueError(f"{name}: all coders must rate the same number of units")
    seen: dict[object, None] = {}
    for row in rows:
        for value in row:
            if _is_missing(value):
                if not allow_missing:
                    raise ValueError(f"{name}: missing values (None/NaN) are not allowed")
                continue
            if numeric and (not isinstance(value, numbers.Real) or isinstance(value, bool)):
                raise ValueError(f"{name}: {value!r} is not a number; this level needs numbers")
            seen.setdefault(value)
    domain: list[object] = list(seen)
    with contextlib.suppress(TypeError):  # nominal values of mixed types: any order will do
        domain.sort()
    index = {value: code for code, value in enumerate(domain)}
    n_units = len(rows[0]) if rows else 0
    codes = np.full((len(rows), n_units), -1, dtype=np.intp)
    for i, row in enumerate(rows):
        codes[i] = [-1 if _is_missing(v) else index[v] for v in row]
    return Codes(codes, tuple(domain))
