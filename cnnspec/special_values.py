"""[A.8] Which outputs NaN and infinity must reach: the IEEE 754 rule applied term by term.

A term of output (n, o, i, j) is ``b[o]`` or a product ``w[o, c, p, q] * x̂[...]`` (V.1) whose input
position lies inside x. Counting the terms of each kind is itself a convolution, of 0/1 indicator
arrays, which the reference computes exactly; so is counting the infinite or NaN taps that meet the
padding, whose products A.8 lets an implementation form (giving NaN) or skip.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnspec import reference
from cnnspec.geometry import Case


@dataclass(frozen=True)
class Expected:
    """[A.8] Per output element: must be NaN, must be +inf, must be -inf; and may be NaN instead
    (``nan_allowed``), where a special tap meets padding, whose products may be formed."""

    nan: np.ndarray
    pos_inf: np.ndarray
    neg_inf: np.ndarray
    nan_allowed: np.ndarray

    @property
    def finite(self) -> np.ndarray:
        """The outputs that every term keeps finite: they must be finite and meet A.1."""
        return ~(self.nan | self.pos_inf | self.neg_inf | self.nan_allowed)

    @property
    def finite_or_nan(self) -> np.ndarray:
        """The outputs whose terms are finite but for padding's products with a special tap: NaN, or
        finite and within A.1 of the other terms' sum."""
        return self.nan_allowed & ~self.pos_inf & ~self.neg_inf


def _count(case: Case, x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """How many (x, w) pairs of V.1 with both indicators set, inside x, each output has."""
    return reference.conv2d(x.astype(np.float64), w.astype(np.float64), None, **case.params())


def expected(case: Case, x: np.ndarray, w: np.ndarray, b: np.ndarray | None) -> Expected:
    """[A.8] What NaN and infinity in ``x``, ``w`` and ``b`` make of each output of ``case``."""
    x, w = x.astype(np.float64), w.astype(np.float64)
    inf_x, inf_w = np.isinf(x), np.isinf(w)
    pos_x, neg_x = x > 0, x < 0  # NaN is neither
    pos_w, neg_w = w > 0, w < 0
    any_x, any_w = np.ones_like(x), np.ones_like(w)
    # A product is NaN for a NaN factor or for 0 * inf (either zero sign).
    nan = (
        _count(case, np.isnan(x), any_w)
        + _count(case, any_x, np.isnan(w))
        + _count(case, inf_x, w == 0)
        + _count(case, x == 0, inf_w)
    ) > 0
    # inf times a nonzero number (or an inf) of the same sign is +inf, of the other sign -inf.
    pos = (
        _count(case, inf_x & pos_x, pos_w)
        + _count(case, inf_x & neg_x, neg_w)
        + _count(case, pos_x & ~inf_x, inf_w & pos_w)
        + _count(case, neg_x & ~inf_x, inf_w & neg_w)
    ) > 0
    neg = (
        _count(case, inf_x & pos_x, neg_w)
        + _count(case, inf_x & neg_x, pos_w)
        + _count(case, pos_x & ~inf_x, inf_w & neg_w)
        + _count(case, neg_x & ~inf_x, inf_w & pos_w)
    ) > 0
    if b is not None:
        b = b.astype(np.float64)[:, None, None]
        nan, pos, neg = nan | np.isnan(b), pos | (b == np.inf), neg | (b == -np.inf)
    nan = nan | (pos & neg)
    # Padding's products: an infinite or NaN tap that meets a padded position.
    special_w = (inf_w | np.isnan(w)).astype(np.float64)
    padded = 1.0 - reference.pad(np.ones_like(x), case.pads)
    valid = case.params() | {"padding": "valid"}
    meets_padding = reference.conv2d(padded, special_w, None, **valid) > 0
    return Expected(nan=nan, pos_inf=pos & ~nan, neg_inf=neg & ~nan, nan_allowed=meets_padding & ~nan)
