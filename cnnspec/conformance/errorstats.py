"""How close a backend's results come to their bounds (A.1, A.5) and how precise its copies are (A.7).

Every element that a property compares within a bound adds its ``|error| / bound`` to a histogram of
decades, so that a report can show a backend that passes at 0.9 of the bound beside one at 0.01.
Every copy of A.3 adds its relative error, whose largest value gives the effective significand bits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Decades of |error| / bound: "exact" (error 0), then [1e-8, ...) up to [0.1, 1], and "over" (a failure).
DECADES = tuple(range(-8, 0))
BINS = ("exact", "< 1e-8", *(f"1e{d}..1e{d + 1}" for d in DECADES), "over 1")


@dataclass
class ErrorStats:
    """One property's run: the histogram of |error| / bound by decade, and the copies' precision."""

    histogram: list[int] = field(default_factory=lambda: [0] * len(BINS))
    worst: float = 0.0
    copies: int = 0
    copy_error: float = 0.0

    def add_ratios(self, ratio: np.ndarray) -> None:
        """[A.1, A.5] Count each element's |error| / bound."""
        ratio = np.asarray(ratio, dtype=np.float64).ravel()
        ratio = ratio[~np.isnan(ratio)]
        if ratio.size == 0:
            return
        exact = ratio == 0
        over = ratio > 1
        inside = ratio[~exact & ~over]
        # A ratio of exactly 1 is within the bound: it belongs to the last decade, 0.1..1.
        decade = np.minimum(np.floor(np.log10(np.maximum(inside, 1e-300))), DECADES[-1]).astype(int)
        self.histogram[0] += int(exact.sum())
        self.histogram[1] += int((decade < DECADES[0]).sum())
        for i, d in enumerate(DECADES):
            self.histogram[2 + i] += int((decade == d).sum())
        self.histogram[-1] += int(over.sum())
        self.worst = max(self.worst, float(ratio.max()))

    def add_copies(self, actual: np.ndarray, expected: np.ndarray) -> None:
        """[A.7] Count copies of nonzero values and keep their largest relative error."""
        a, e = np.asarray(actual, np.float64), np.asarray(expected, np.float64)
        copied = (e != 0) & np.isfinite(e)
        if not copied.any():
            return
        self.copies += int(copied.sum())
        self.copy_error = max(self.copy_error, float(np.nanmax(np.abs(a[copied] - e[copied]) / np.abs(e[copied]))))

    def as_dict(self) -> dict[str, Any]:
        """Plain data, for the report."""
        return {
            "histogram": dict(zip(BINS, self.histogram)),
            "worst": self.worst,
            "copies": self.copies,
            "copy_error": self.copy_error,
        }


def effective_bits(copy_error: float) -> float:
    """[A.7] -log2 of the largest relative error of a copy: the significand bits a backend carries
    (infinite where every copy was exact)."""
    return math.inf if copy_error == 0 else -math.log2(copy_error)


def quantile_bin(histogram: dict[str, int], q: float) -> str:
    """The bin in which the q-quantile of |error| / bound falls ("" for an empty histogram)."""
    total = sum(histogram.values())
    seen = 0
    for name in BINS:
        seen += histogram.get(name, 0)
        if total and seen >= q * total:
            return name
    return ""


def bits_text(row: dict[str, Any]) -> str:
    """[A.7] A report row's effective significand bits beside the declared ones, as text."""
    declared = row.get("declared_bits")
    declared_text = "" if declared is None else f" (declared {declared:g})"
    if not row.get("copies"):
        return "no copies" + declared_text
    measured = "exact" if row["copies_exact"] else f"{row['effective_bits']:g}"
    return measured + declared_text


def merge(stats: list[dict[str, Any]]) -> dict[str, Any]:
    """Several runs' ``as_dict`` as one: histograms added, the worst ratio and copy error kept."""
    histogram = {name: sum(s["histogram"].get(name, 0) for s in stats) for name in BINS}
    return {
        "histogram": histogram,
        "worst": max((s["worst"] for s in stats), default=0.0),
        "copies": sum(s["copies"] for s in stats),
        "copy_error": max((s["copy_error"] for s in stats), default=0.0),
    }
