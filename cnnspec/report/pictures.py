"""Pictures of a failure's minimal example, as inline SVG: input, kernel, expected, actual, difference.

Minimal examples are a few pixels wide, so each array element is drawn as one cell, with its value
in a tooltip, and the elements that break the clause outlined. SVG keeps the page self-contained and
the values exact; a plotting library would add a dependency to draw a handful of squares.
"""

from __future__ import annotations

from html import escape
from typing import Any

import numpy as np

from cnnspec.recording import decode_array

CELL = 14
MAX_SIDE = 40  # larger maps are cropped to a window around the first bad element
MAX_MAPS = 16  # channels shown per array: each is a few pixels, and a bug may sit in the last one


def _colour(value: float, low: float, high: float, diverging: bool) -> str:
    if not np.isfinite(value):
        return "#ff00ff"
    if diverging:
        scale = max(abs(low), abs(high)) or 1.0
        t = float(np.clip(value / scale, -1, 1))
        # white at zero, red above, blue below
        r, g, b = (
            (255, int(255 * (1 - t)), int(255 * (1 - t))) if t >= 0 else (int(255 * (1 + t)), int(255 * (1 + t)), 255)
        )
        return f"#{r:02x}{g:02x}{b:02x}"
    t = 0.5 if high == low else float(np.clip((value - low) / (high - low), 0, 1))
    v = int(235 - 200 * t)  # light grey (low) to near black (high)
    return f"#{v:02x}{v:02x}{v:02x}"


def _window(a: np.ndarray, at: tuple[int, int] | None) -> tuple[np.ndarray, int, int]:
    H, W = a.shape
    i, j = at or (0, 0)
    top = min(max(i - MAX_SIDE // 2, 0), max(H - MAX_SIDE, 0))
    left = min(max(j - MAX_SIDE // 2, 0), max(W - MAX_SIDE, 0))
    return a[top : top + MAX_SIDE, left : left + MAX_SIDE], top, left


def heatmap(
    a: np.ndarray,
    *,
    title: str,
    diverging: bool = False,
    marked: np.ndarray | None = None,
    at: tuple[int, int] | None = None,
) -> str:
    """[report] One 2-D array as an SVG grid: a cell per element, its value on hover, ``marked`` outlined."""
    shown, top, left = _window(np.asarray(a, dtype=np.float64), at)
    finite = shown[np.isfinite(shown)]
    low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
    h, w = shown.shape
    cells = []
    for i in range(h):
        for j in range(w):
            value = shown[i, j]
            outline = marked is not None and bool(marked[top + i, left + j])
            stroke = ' stroke="#d00" stroke-width="2"' if outline else ""
            cells.append(
                f'<rect x="{j * CELL}" y="{i * CELL}" width="{CELL}" height="{CELL}" '
                f'fill="{_colour(value, low, high, diverging)}"{stroke}>'
                f"<title>[{top + i}, {left + j}] = {value!r}</title></rect>"
            )
    cropped = (
        f" (rows {top}-{top + h - 1}, cols {left}-{left + w - 1} of {a.shape[0]}x{a.shape[1]})"
        if (h, w) != a.shape
        else ""
    )
    return (
        f'<figure class="map"><svg xmlns="http://www.w3.org/2000/svg" width="{w * CELL}" height="{h * CELL}" '
        f'role="img" aria-label="{escape(title)}">{"".join(cells)}</svg>'
        f"<figcaption>{escape(title)}{escape(cropped)}</figcaption></figure>"
    )


def failure_figure(failure: dict[str, Any]) -> str:
    """[report] The pictures of one failure: the input and kernel slices that feed the first bad
    element, then the expected and actual maps and their difference, bad elements outlined."""
    arrays = {name: decode_array(text) for name, text in failure.get("arrays", {}).items()}
    if "op" in failure:
        return _outputs(arrays, failure.get("index"))
    if "x" not in arrays or "w" not in arrays or arrays["x"].ndim != 4 or arrays["w"].ndim != 4:
        return ""
    if arrays["x"].size == 0 or arrays["w"].size == 0:  # an empty batch (E.13), say: no map to draw
        return _outputs(arrays, failure.get("index"))
    x, w = arrays["x"], arrays["w"]
    index = failure.get("index")
    n, o = (index[0], index[1]) if index and len(index) == 4 else (0, 0)
    groups = failure.get("groups", 1)
    C_in_g = w.shape[1]
    o = min(o, w.shape[0] - 1)
    g = o // max(w.shape[0] // groups, 1) if groups and w.shape[0] % groups == 0 else 0
    first = g * C_in_g if x.shape[1] >= (g + 1) * C_in_g else 0
    rows = []
    inputs = [heatmap(x[n, c], title=f"x[{n}, {c}]") for c in range(first, min(first + C_in_g, x.shape[1]))][:MAX_MAPS]
    kernels = [heatmap(w[o, c], title=f"w[{o}, {c}]") for c in range(C_in_g)][:MAX_MAPS]
    more = f"<p class='note'>{C_in_g - MAX_MAPS} more channels not shown</p>" if C_in_g > MAX_MAPS else ""
    rows.append(f"<div class='maps'><span class='label'>input (group {g})</span>{''.join(inputs)}</div>")
    rows.append(f"<div class='maps'><span class='label'>kernel of map {o}</span>{''.join(kernels)}</div>{more}")
    return "<div class='figure'>" + "".join(rows) + _outputs(arrays, index, inner=True) + "</div>"


def _outputs(arrays: dict[str, np.ndarray], index: list[int] | None, inner: bool = False) -> str:
    """[report] Expected, actual and their difference for the map of the first bad element; the
    counts of bad elements per map and per batch element. Any 4-D result: conv2d's, a gradient's,
    a transposed convolution's or a pooling's."""
    n, o = (index[0], index[1]) if index and len(index) == 4 else (0, 0)
    at = (index[2], index[3]) if index and len(index) == 4 else None
    rows = []
    if (
        "actual" in arrays
        and "expected" in arrays
        and arrays["actual"].shape == arrays["expected"].shape
        and arrays["actual"].ndim == 4
        and arrays["actual"].size
    ):
        actual, expected = arrays["actual"], arrays["expected"]
        with np.errstate(invalid="ignore", over="ignore"):
            difference = actual.astype(np.float64) - expected.astype(np.float64)
        bad = arrays["bad"] if "bad" in arrays else ~(actual == expected)
        per_map = bad.sum(axis=(0, 2, 3)).tolist()
        per_batch = bad.sum(axis=(1, 2, 3)).tolist()
        rows.append(
            f"<p class='note'>{int(bad.sum())} of {bad.size} elements break the clause; per output map "
            f"{per_map}, per batch element {per_batch}</p>"
        )
        rows.append(
            "<div class='maps'><span class='label'>output map</span>"
            + heatmap(expected[n, o], title=f"expected[{n}, {o}]", marked=bad[n, o], at=at)
            + heatmap(actual[n, o], title=f"actual[{n}, {o}]", marked=bad[n, o], at=at)
            + heatmap(difference[n, o], title="actual - expected", diverging=True, marked=bad[n, o], at=at)
            + "</div>"
        )
    if inner or not rows:
        return "".join(rows)
    return "<div class='figure'>" + "".join(rows) + "</div>"
