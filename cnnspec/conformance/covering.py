"""The corner catalogue, as data, and the covering set of cases that every property runs first.

For each operation, the catalogue lists the axes along which kernels branch (the padding form, the
sign of each padding amount, stride and dilation per axis, the kernel's shape, the channels and the
output extents on both sides of the block sizes 8, 16 and 32, groups, bias, the batch), each with its
few values. A strategy's *covering set* is a small set of explicit cases within the strategy's own
bounds in which every pair of values of two axes appears together at least once (all-pairs): a kernel
that goes wrong on one value, or on two values at once, meets its case on every run, on every
backend, whatever the random budget. Random search comes after it, for what no table anticipates.

The set is built greedily (the AETG method) from a fixed seed, so the same bounds give the same cases
on every run and on every machine; a pair that the bounds cannot produce is left out. Built cases
share their shapes wherever bounds allow, since a compiling framework pays once per shape.
"""

from __future__ import annotations

import dataclasses
import functools
import itertools
import math
import random
from dataclasses import dataclass
from typing import Any, Callable, Hashable, Iterable, Mapping, Sequence, TypeVar

import numpy as np
from hypothesis import note
from hypothesis import strategies as st

# Hypothesis's own record of one test case's choices: a covering example draws through one seeded by its
# index, as Hypothesis's generation does through one seeded by its random source.
from hypothesis.internal.conjecture.data import ConjectureData
from hypothesis.strategies import SearchStrategy

from cnnspec.corners import CORNERS, catalogued
from cnnspec.errors import ConvSpecError
from cnnspec.geometry import Case

T = TypeVar("T")

# A row of a covering array: an axis's name to its value (an int, a label, a pair), as the catalogue holds them.
Row = dict[str, Any]

# Values of an axis: the block sizes kernels tile and vectorise by are 8, 16 and 32 (AVX2 floats,
# AVX-512 floats, a cache line of bfloat16); their neighbours are where the remainder paths run.
CHANNELS = (1, 3, 8, 9, 16, 17, 33)
FILTERS = (1, 2, 8, 9, 17)
WIDTHS = (1, 2, 7, 8, 9, 15, 16, 17, 33)
HEIGHTS = (1, 2, 8, 9, 17)

CONV2D_AXES: dict[str, tuple[Hashable, ...]] = {
    "groups": ("1", "2", "depthwise", "depthwise x2"),
    # C_in/groups, or the channel count of a depthwise conv, which kernels vectorise across instead.
    "channels": CHANNELS,
    "C_out/groups": FILTERS,
    "kernel": ((1, 1), (3, 3), (2, 3), (3, 1)),
    "stride H": ("1", "2", "> kernel"),
    "stride W": ("1", "2", "> kernel"),
    "dilation H": (1, 2),
    "dilation W": (1, 2),
    "padding": ("valid", "same", "explicit"),
    "pad top": (0, 1, 2),
    "pad bottom": (0, 1, 2),
    "pad left": (0, 1, 2),
    "pad right": (0, 1, 2),
    "H_out": HEIGHTS,
    "W_out": WIDTHS,
    # Rows (columns) left over past the last window: none, or all a stride leaves (floor, not ceil).
    "leftover H": (False, True),
    "leftover W": (False, True),
    "N": (1, 2),
    "bias": (False, True),
}

# The axes whose values change no extent, taken in every pair; the channels with every groups form
# (depthwise kernels vectorise across channels, the others loop over them); each output extent with and
# without rows left over past its last window (one output column past a stride is a path of its own);
# every other extent value met once. Extents are what make a shape new, which a compiling framework pays for.
_EXTENTS = ("channels", "C_out/groups", "H_out", "W_out")
CONV2D_PAIRS: tuple[tuple[str, str], ...] = (
    *itertools.combinations([a for a in CONV2D_AXES if a not in _EXTENTS], 2),
    ("groups", "channels"),
    ("leftover H", "H_out"),
    ("leftover W", "W_out"),
)

# Candidate rows tried for each case of the set; more give a smaller set, slower to build.
_CANDIDATES = 8


class Cases(tuple):
    """A covering set: its first ``values`` cases meet every value of every axis (each corner once), the
    rest every pair; a backend that pays a compilation for each new shape may run the first part alone."""

    values: int

    def __new__(cls, cases: Sequence[Any], values: int | None = None) -> Cases:
        made = super().__new__(cls, cases)
        made.values = len(made) if values is None else values
        return made

    def where(self, keep: Callable[[Any], bool]) -> Cases:
        """The cases that ``keep`` keeps, in order, the values part still first."""
        return Cases([c for c in self if keep(c)], sum(1 for c in self[: self.values] if keep(c)))


def cover(
    axes: dict[str, tuple[Hashable, ...]],
    build: Callable[[Row], Any | None],
    read: Callable[[Any], Row],
    *,
    pairs: Sequence[tuple[str, str]] | None = None,
    seed: int = 0,
    order: Callable[[Any], Any] | None = None,
    corners: Mapping[str, Callable[[Any], bool]] | None = None,
) -> Cases:
    """Cases in which every value of every axis appears, and every pair of values of the axis pairs
    ``pairs`` (all pairs of axes where None) appears together, where ``build`` can make it: ``build``
    turns a row of axis values into a case (None where it cannot within its bounds), and ``read`` gives
    the values a case really has (building may change some), which are what count. The cases come in
    ``order`` (by default the smallest first: a property stops at its first failing example, which is
    then the easiest to read). Each of ``corners`` (name to predicate on a case) that no such case sits in
    is then sought among random rows, and its cases come into the part that meets every value: every run
    meets every corner the bounds can reach, not only those that a pair of values makes."""
    rng = random.Random(seed)
    names = list(axes)
    index = {name: i for i, name in enumerate(names)}
    chosen = {
        tuple(sorted((index[a], index[b]))) for a, b in (itertools.combinations(names, 2) if pairs is None else pairs)
    }
    # A combination is (i, value) for a value of axis i, or (i, value, j, value) for a pair, i < j.
    singles = [(i, v) for i, name in enumerate(names) for v in axes[name]]
    doubles = [(i, vi, j, vj) for i, j in sorted(chosen) for vi in axes[names[i]] for vj in axes[names[j]]]
    targets = doubles + singles  # pairs first: a pair met meets its two values too
    uncovered: set[tuple[Any, ...]] = set(targets)

    def met(row: Row) -> set[tuple[Any, ...]]:
        values = [row.get(name) for name in names]
        return {(i, values[i]) for i in range(len(names))} | {(i, values[i], j, values[j]) for i, j in chosen}

    def gain(row: dict[int, Hashable], k: int, v: Hashable) -> int:
        return ((k, v) in uncovered) + sum(
            ((i, w, k, v) if i < k else (k, v, i, w)) in uncovered
            for i, w in row.items()
            if (min(i, k), max(i, k)) in chosen
        )

    cases: list[Any] = []
    for target in targets:
        if target not in uncovered:
            continue
        best, best_new = None, set[tuple[str, Hashable]]()
        for attempt in range(_CANDIDATES):
            if attempt == 3 and best is None:
                break  # three rows with the combination all failed: the bounds cannot produce it
            fixed: dict[int, Hashable] = dict(zip(target[::2], target[1::2]))
            for k in rng.sample(range(len(names)), len(names)):
                if k not in fixed:
                    # The value that meets the most uncovered combinations with the values already chosen.
                    fixed[k] = max(axes[names[k]], key=lambda v: (gain(fixed, k, v), rng.random()))
            case = build({names[k]: v for k, v in fixed.items()})
            if case is None:
                continue
            new = met(read(case)) & uncovered
            if target in new and len(new) > len(best_new):
                best, best_new = case, new
        if best is None:
            uncovered.discard(target)  # no case within the bounds has this combination
            continue
        cases.append(best)
        uncovered -= best_new
    corners = corners or {}
    for holds in corners.values():
        if not any(holds(case) for case in cases):
            rows = ({n: rng.choice(axes[n]) for n in names} for _ in range(_TRIES))
            cases.extend(_sought(holds, corners, (build(row) for row in rows)))
    cases = sorted(dict.fromkeys(cases), key=order or _elements)
    # The fewest cases, in that order, that meet every value: they come first.
    values: list[Any] = []
    unmet = set(singles)
    readings = {id(case): met(read(case)) for case in cases}
    while unmet:
        case = max((c for c in cases if c not in values), key=lambda c: len(readings[id(c)] & unmet), default=None)
        if case is None or not readings[id(case)] & unmet:
            break  # values no case within the bounds has
        values.append(case)
        unmet -= readings[id(case)]
    values.sort(key=cases.index)
    return meeting(Cases(values + [c for c in cases if c not in values], len(values)), corners)


# Random rows tried for a corner that no case of a covering set sits in (a build takes some 30 us), and the
# cases in it to choose from, after which the search stops.
_TRIES, _HITS = 4000, 8


def _sought(
    holds: Callable[[Any], bool], corners: Mapping[str, Callable[[Any], bool]], built: Iterable[Any]
) -> list[Any]:
    """Of the first few cases ``built`` (None where a row could not be) in the corner ``holds``, the one that
    sits in the most corners at once (a kernel's bug at a corner often needs another feature too), then the
    smallest; none where no case is in it."""
    hits = list(itertools.islice((case for case in built if case is not None and holds(case)), _HITS))
    best = min(hits, key=lambda c: (-sum(h(c) for h in corners.values()), _elements(c)), default=None)
    return [] if best is None else [best]


def meeting(cases: Cases, corners: Mapping[str, Callable[[Any], bool]]) -> Cases:
    """``cases`` with the fewest more of them taken into the part that meets every value (after it), so that
    it meets every corner of ``corners`` that one of the cases sits in: a backend that runs that part alone
    meets them too."""
    first, rest = list(cases[: cases.values]), list(cases[cases.values :])
    unmet = {n for n, holds in corners.items() if any(map(holds, rest)) and not any(map(holds, first))}
    while unmet:
        best = max(rest, key=lambda c: sum(corners[n](c) for n in unmet))
        got = {n for n in unmet if corners[n](best)}
        if not got:
            break
        first.append(best)
        rest.remove(best)
        unmet -= got
    return Cases(first + rest, len(first))


def _elements(case: Any) -> tuple[int, str]:
    """The number of array elements a case calls with (input, weight and output), then its repr for ties."""
    shapes = (case.x_shape, case.w_shape or (), case.out_shape)
    return sum(math.prod(shape) for shape in shapes), repr(case)


@dataclass(frozen=True)
class Conv2dBounds:
    """The bounds of a ``conv_cases()`` strategy that its covering set keeps to (None: unbounded)."""

    min_batch: int = 1
    max_batch: int | None = None
    min_groups: int = 1
    max_groups: int | None = None
    min_group_channels: int = 1
    max_group_channels: int | None = None
    max_group_filters: int | None = None
    max_kernel: int | None = None
    min_stride: int = 1
    max_stride: int | None = None
    min_dilation: int = 1
    max_dilation: int | None = None
    max_padding: int | None = None
    max_extra: int | None = None
    paddings: tuple[str, ...] = ("valid", "explicit", "same")
    bias: bool | None = None
    # "pairs": CONV2D_PAIRS; "values": every value of every axis once, for a property whose own space
    # (the invalid calls of section E) is what it exhausts.
    covering: str = "pairs"

    def within(self, value: int, low: int, high: int | None) -> bool:
        return value >= low and (high is None or value <= high)

    def reachable(self) -> frozenset[str]:
        """[coverage] The corners of the catalogue (cnnspec.corners) that a case within these bounds can sit in:
        what the strategy declares, and what its covering set meets (a report shows one no example reached)."""

        def above(bound: int | None, value: int) -> bool:  # None: unbounded
            return bound is None or bound > value

        open_channels = self.max_group_channels is None and (self.max_groups is None or self.min_group_channels > 1)
        explicit = "explicit" in self.paddings and above(self.max_padding, 0)
        depthwise = above(self.max_groups, 1) and self.min_group_channels == 1
        strided = above(self.max_stride, 1)
        corners = {
            "output 1x1": True,
            "N > 1": above(self.max_batch, 1),
            "bias": self.bias is not False,
            "groups > 1": above(self.max_groups, 1),
            "depthwise": depthwise,
            "depthwise, multiplier > 1": depthwise and above(self.max_group_filters, 1),
            "non-square kernel": above(self.max_kernel, 1),
            "C_in/groups > 8, not a multiple of 8": above(self.max_group_channels, 8),
            "C_in/groups > 16, not a multiple of 16": open_channels,
            "C_in/groups a multiple of 16": open_channels,
            "C_out/groups > 8, not a multiple of 8": open_channels,
            "stride > 1": strided,
            "stride > kernel": strided,
            "stride > 1, output 1 on that axis": strided,
            "dilation > 1": above(self.max_dilation, 1),
            "padding explicit": explicit,
            "padding asymmetric": explicit,
            "padding on one side only": explicit,
            "padding negative": False,  # P.5's own strategy, negative_padding_cases, adds them
            "padding negative on one side, positive on the other": False,
            "padding valid": "valid" in self.paddings,
            "padding same": "same" in self.paddings,
            "padding same, stride > 1": "same" in self.paddings and strided,
            "padding same, stride 1, dilation differs by axis": "same" in self.paddings
            and self.min_stride == 1
            and above(self.max_dilation, 1),
            "output width > 8 and odd": above(self.max_extra, 7),
            "output width > 16, not a multiple of 16": self.max_extra is None,
            "output height > 16, not a multiple of 16": self.max_extra is None,
        }
        # The names above must be the catalogue's own, or a misspelt corner would silently never be reported.
        assert corners.keys() == CORNERS.keys(), corners.keys() ^ CORNERS.keys()
        return frozenset(name for name, reachable in corners.items() if reachable)

    def allows(self, case: Case) -> bool:
        """Whether ``case`` keeps to these bounds (a depthwise case's channels count as its groups)."""
        C_in_g, filters = case.C_in // case.groups, case.C_out // case.groups
        form = case.padding if isinstance(case.padding, str) else "explicit"
        ok = (
            self.within(case.N, self.min_batch, self.max_batch)
            and self.within(case.groups, self.min_groups, self.max_groups)
            and self.within(C_in_g, self.min_group_channels, self.max_group_channels)
            and self.within(filters, 1, self.max_group_filters)
            and self.within(max(case.kH, case.kW), 1, self.max_kernel)
            and all(self.within(s, self.min_stride, self.max_stride) for s in case.stride)
            and all(self.within(d, self.min_dilation, self.max_dilation) for d in case.dilation)
            and form in self.paddings
            and (self.bias is None or self.bias == case.bias)
        )
        if not isinstance(case.padding, str):  # explicit
            ok = ok and all(self.within(p, 0, self.max_padding) for pair in case.padding for p in pair)
        if self.max_extra is not None:
            # As conv_cases() draws sizes: the smallest extent that fits, plus at most max_extra.
            pads = case.padding if form == "explicit" else ((0, 0), (0, 0))
            fits = [max(d * (k - 1) + 1 - sum(p), 1) for k, d, p in zip((case.kH, case.kW), case.dilation, pads)]
            ok = ok and case.H - fits[0] <= self.max_extra and case.W - fits[1] <= self.max_extra
        return ok


def _stride(label: Hashable, k: int, d: int) -> int:
    return 1 if label == "1" else 2 if label == "2" and d * (k - 1) + 1 >= 2 else d * (k - 1) + 2


def _extent(out: int, k: int, s: int, d: int, form: str, pad: tuple[int, int], leftover: bool = False) -> int:
    """An input extent that gives ``out`` outputs (at least 1), with the most rows a stride leaves over past
    the last window where ``leftover``, none otherwise."""
    extra = s - 1 if leftover else 0
    if form == "same":
        return max((out - 1) * s + 1 + extra, 1)
    fit = (out - 1) * s + d * (k - 1) + 1
    return max(fit - (sum(pad) if form == "explicit" else 0), 1) + extra


def _leftover(size: int, k: int, s: int, d: int, form: str, pad: tuple[int, int]) -> bool:
    """Whether rows are left over past the last window of a stride (what a ceil instead of a floor reads)."""
    if form == "same":
        return (size - 1) % s != 0
    return (size + (sum(pad) if form == "explicit" else 0) - d * (k - 1) - 1) % s != 0


def _build_conv2d(bounds: Conv2dBounds, row: Row) -> Case | None:
    kH, kW = row["kernel"]
    dH, dW = row["dilation H"], row["dilation W"]
    sH, sW = _stride(row["stride H"], kH, dH), _stride(row["stride W"], kW, dW)
    form = str(row["padding"])
    pads = ((row["pad top"], row["pad bottom"]), (row["pad left"], row["pad right"]))
    channels, filters = int(row["channels"]), int(row["C_out/groups"])
    groups = {"1": 1, "2": 2}.get(str(row["groups"]), channels)
    if str(row["groups"]).startswith("depthwise"):
        if channels < 2:
            return None
        C_in_g, filters = 1, 2 if row["groups"] == "depthwise x2" else 1
    else:
        C_in_g = channels
    H = _extent(int(row["H_out"]), kH, sH, dH, form, pads[0], bool(row["leftover H"]))
    W = _extent(int(row["W_out"]), kW, sW, dW, form, pads[1], bool(row["leftover W"]))
    try:
        case = Case.conv2d(
            N=int(row["N"]),
            C_in=C_in_g * groups,
            H=H,
            W=W,
            C_out=filters * groups,
            kH=kH,
            kW=kW,
            stride=(sH, sW),
            padding=pads if form == "explicit" else form,  # type: ignore[arg-type]
            dilation=(dH, dW),
            groups=groups,
            bias=bool(row["bias"]),
        )
    except ConvSpecError:
        return None
    return case if bounds.allows(case) else None


def _read_conv2d(case: Case) -> Row:
    depthwise = case.groups == case.C_in > 1
    groups = (
        ("depthwise x2" if case.C_out == 2 * case.C_in else "depthwise" if case.C_out == case.C_in else "other")
        if depthwise
        else {1: "1", 2: "2"}.get(case.groups, "other")
    )
    pads: tuple[Any, ...] = (
        (None,) * 4 if isinstance(case.padding, str) else tuple(p for pair in case.padding for p in pair)
    )
    form = case.padding if isinstance(case.padding, str) else "explicit"

    def stride(s: int, k: int, d: int) -> str:
        return "1" if s == 1 else "> kernel" if s > d * (k - 1) + 1 else "2"

    return {
        "groups": groups,
        "channels": case.C_in if depthwise else case.C_in // case.groups,
        "C_out/groups": case.C_out // case.groups,
        "kernel": (case.kH, case.kW),
        "stride H": stride(case.stride[0], case.kH, case.dilation[0]),
        "stride W": stride(case.stride[1], case.kW, case.dilation[1]),
        "dilation H": case.dilation[0],
        "dilation W": case.dilation[1],
        "padding": form,
        "pad top": pads[0],
        "pad bottom": pads[1],
        "pad left": pads[2],
        "pad right": pads[3],
        "H_out": case.out_shape[2],
        "W_out": case.out_shape[3],
        "leftover H": _leftover(case.H, case.kH, case.stride[0], case.dilation[0], form, case.pads[0]),
        "leftover W": _leftover(case.W, case.kW, case.stride[1], case.dilation[1], form, case.pads[1]),
        "N": case.N,
        "bias": case.bias,
    }


def _restricted(
    axes: dict[str, tuple[Hashable, ...]], **limits: tuple[int, int | None]
) -> dict[str, tuple[Hashable, ...]]:
    """The axes with each integer axis named in ``limits`` cut to (low, high); where no catalogue value
    is left, the bounds themselves and the block-size neighbours between them."""
    out = dict(axes)
    for name, (low, high) in limits.items():
        kept = tuple(v for v in axes[name] if isinstance(v, int) and v >= low and (high is None or v <= high))
        if not kept:
            top = high if high is not None else 2 * low
            kept = tuple(sorted({low, top, *(v for v in (2 * low - 1, 2 * low, 2 * low + 1) if v <= top)}))
        out[name] = kept
    return out


@functools.cache
def conv2d_cases(bounds: Conv2dBounds = Conv2dBounds()) -> tuple[Case, ...]:
    """[coverage] The covering set of conv2d cases within ``bounds``: every value of every axis of
    ``CONV2D_AXES``, and the pairs ``CONV2D_PAIRS`` (or every value alone, ``bounds.covering``)."""
    b = bounds
    # Each axis cut to the bounds up front, so that the search does not try what build() would refuse;
    # the channel axis counts depthwise channels too, so its upper bound is the larger of the two.
    wider = None if b.max_group_channels is None or b.max_groups is None else max(b.max_group_channels, b.max_groups)
    axes = _restricted(
        CONV2D_AXES,
        channels=(b.min_group_channels, wider),
        **{"C_out/groups": (1, b.max_group_filters)},
        N=(b.min_batch, b.max_batch),
        **{"dilation H": (b.min_dilation, b.max_dilation), "dilation W": (b.min_dilation, b.max_dilation)},
    )
    if b.max_extra is not None:
        for name in ("H_out", "W_out"):
            axes[name] = tuple(v for v in axes[name] if v <= b.max_extra + 1)  # type: ignore[operator]
    depthwise = b.min_group_channels == 1 and b.within(2, b.min_groups, b.max_groups)
    axes["groups"] = tuple(
        g
        for g, ok in (
            ("1", b.min_groups == 1),
            ("2", b.within(2, b.min_groups, b.max_groups)),
            ("depthwise", depthwise),
            ("depthwise x2", depthwise and b.within(2, 1, b.max_group_filters)),
        )
        if ok
    )
    axes["kernel"] = tuple(k for k in CONV2D_AXES["kernel"] if b.within(max(k), 1, b.max_kernel))  # type: ignore[call-overload]
    for name in ("stride H", "stride W"):
        axes[name] = tuple(label for label in CONV2D_AXES[name] if label != "1" or b.min_stride == 1)
    axes["padding"] = tuple(f for f in CONV2D_AXES["padding"] if f in b.paddings)
    if "explicit" not in b.paddings or b.max_padding == 0:
        for side in ("pad top", "pad bottom", "pad left", "pad right"):
            axes[side] = (None,) if "explicit" not in b.paddings else (0,)
    elif b.max_padding is not None:
        for side in ("pad top", "pad bottom", "pad left", "pad right"):
            axes[side] = tuple(v for v in axes[side] if v <= b.max_padding)  # type: ignore[operator]
    if b.bias is not None:
        axes["bias"] = (b.bias,)
    return cover(
        axes,
        functools.partial(_build_conv2d, b),
        _read_conv2d,
        pairs=CONV2D_PAIRS if b.covering == "pairs" else (),
        corners=catalogued(b.reachable()),
    )


# Amounts of P.5: the sign of each of the four sides (negative, zero, positive), every pair of sides
# with every pair of signs, and every pattern of one axis with the other unpadded (a path of its own in
# kernels that special-case an unpadded axis), at least one amount negative; magnitudes 1 and 2 alternate.
_SIDES = ("top", "bottom", "left", "right")


@functools.cache
def negative_paddings() -> tuple[tuple[tuple[int, int], tuple[int, int]], ...]:
    """[P.5] Explicit amounts ((top, bottom), (left, right)) with at least one crop: every pattern of signs
    on one axis with the other unpadded, then patterns in which every pair of sides meets every pair of
    signs (a crop and a pad on one axis, on both, beside a cropped one)."""

    def build(row: Row) -> tuple[int, ...] | None:
        signs = [int(row[side]) for side in _SIDES]
        return tuple(signs) if min(signs) < 0 else None

    one_axis = [(lo, hi, 0, 0) for lo in (-1, 0, 1) for hi in (-1, 0, 1) if min(lo, hi) < 0]
    one_axis += [(0, 0, lo, hi) for lo, hi, _, _ in one_axis]
    pairs = cover(
        {side: (-1, 0, 1) for side in _SIDES}, build, lambda signs: dict(zip(_SIDES, signs)), order=lambda signs: signs
    )
    patterns = []
    for i, (top, bottom, left, right) in enumerate(dict.fromkeys([*one_axis, *pairs])):
        size = 1 + i % 2
        patterns.append(((top * size, bottom * size), (left * size, right * size)))
    return tuple(patterns)


def with_padding(case: Case, pads: tuple[tuple[int, int], tuple[int, int]]) -> Case:
    """``case`` (explicit, unpadded) with the explicit amounts ``pads``: its input grown by each crop and
    shrunk by each pad, so that the output keeps its size (at least one row where a pad exceeds it)."""
    grown = [max(n - sum(pair), 1) for n, pair in zip((case.H, case.W), pads)]
    return dataclasses.replace(case, spatial=tuple(grown), padding=pads)


# Kernels that each sign pattern of P.5 meets in turn, undilated: a crop or a pad only matters where a
# window is wider than one row, and XLA's CPU convolution reads wrong columns for a crop and a pad on one
# axis in its undilated path alone (openxla/xla#48713). Random examples bring the dilations.
_P5_KERNELS = ((3, 3), (2, 3), (3, 2), (3, 1))


@functools.cache
def negative_padding_cases(bounds: Conv2dBounds) -> tuple[Case, ...]:
    """[coverage, P.5] Each sign pattern of ``negative_paddings()`` twice: first alone, on a plain case (a
    3x3 kernel of a few channels, stride and dilation 1, no groups: the path frameworks take most), then on
    the cases of the unpadded covering set within ``bounds`` in turn, undilated, with kernels wider than one
    on either axis."""
    base, patterns = conv2d_cases(bounds), negative_paddings()
    plain = Case.conv2d(
        N=max(bounds.min_batch, 1),
        C_in=max(bounds.min_group_channels, 3),
        H=6,
        W=7,
        C_out=2,
        kH=3,
        kW=3,
        padding=((0, 0), (0, 0)),
        bias=bounds.bias is not False,
    )
    cases = [with_padding(plain, pads) for pads in patterns]
    for i, pads in enumerate(patterns):
        case = base[i % len(base)]
        mixed = [lo * hi < 0 for lo, hi in pads]
        # A crop at one end of an axis and a pad at the other: a 3x3 window, stepping one row at a time
        # along that axis, so that every shifted window is read.
        kH, kW = (3, 3) if any(mixed) else _P5_KERNELS[i % len(_P5_KERNELS)]
        sH, sW = (1 if m else s for m, s in zip(mixed, case.stride))
        H = (case.out_shape[2] - 1) * sH + kH
        W = (case.out_shape[3] - 1) * sW + kW
        try:
            sized = dataclasses.replace(case, kernel=(kH, kW), spatial=(H, W), stride=(sH, sW), dilation=(1, 1))
            cases.append(with_padding(sized, pads))
        except ConvSpecError:
            cases.append(with_padding(case, pads))
    if bounds.within(2, bounds.min_dilation, bounds.max_dilation):
        # And once dilated, a crop and a pad on each axis: the dilated path crops too.
        dilated = dataclasses.replace(plain, spatial=(8, 9), dilation=(2, 2))
        cases.append(with_padding(dilated, ((-1, 1), (1, -2))))
    # The plain pass meets every sign pattern; then the cases that meet the corners it misses.
    return meeting(Cases(cases, len(patterns)), catalogued(negative_reachable(bounds)))


def negative_reachable(bounds: Conv2dBounds) -> frozenset[str]:
    """[coverage, P.5] The corners that P.5's cases, made from cases within ``bounds``, can sit in."""
    return bounds.reachable() | {"padding negative", "padding negative on one side, positive on the other"}


ND_AXES: dict[str, tuple[Hashable, ...]] = {
    "groups": ("1", "2", "depthwise"),
    "channels": (1, 9, 17),
    "C_out/groups": (1, 2, 9),
    "kernel": (1, 2, 3),
    "stride": ("1", "2", "> kernel"),
    "dilation": (1, 2),
    "padding": ("valid", "same", "explicit"),
    "pad low": (0, 1),
    "pad high": (0, 2),
    "out": (1, 2, 9, 17),
    "N": (1, 2),
    "bias": (False, True),
}


@functools.cache
def conv_nd_cases(rank: int) -> Cases:
    """[coverage, N.1] The covering set of rank-``rank`` convolutions: the axis values apply to the last
    spatial axis; the others take the first of their values rotated, so every axis meets each."""

    def build(row: Row) -> Case | None:
        k, d = int(row["kernel"]), int(row["dilation"])
        s = _stride(row["stride"], k, d)
        form = str(row["padding"])
        pad = (int(row["pad low"]), int(row["pad high"]))
        channels, filters = int(row["channels"]), int(row["C_out/groups"])
        groups = {"1": 1, "2": 2}.get(str(row["groups"]), channels)
        C_in_g = 1 if row["groups"] == "depthwise" else channels
        if row["groups"] == "depthwise":
            filters = 1
        # The other axes: the same parameters, smaller extents, so that each axis of a rank-3 case varies.
        outs = [max(1, int(row["out"]) // (2 ** (rank - 1 - i))) for i in range(rank)]
        spatial = tuple(_extent(o, k, s, d, form, pad) for o in outs)
        try:
            return Case.conv(
                N=int(row["N"]),
                C_in=C_in_g * groups,
                C_out=filters * groups,
                spatial=spatial,
                kernel=(k,) * rank,
                stride=(s,) * rank,
                padding=((pad,) * rank) if form == "explicit" else form,  # type: ignore[arg-type]
                dilation=(d,) * rank,
                groups=groups,
                bias=bool(row["bias"]),
            )
        except ConvSpecError:
            return None

    def read(case: Case) -> Row:
        depthwise = case.groups == case.C_in > 1 and case.C_out == case.C_in
        k, s, d = case.kernel[-1], case.stride[-1], case.dilation[-1]
        pad = (None, None) if isinstance(case.padding, str) else case.padding[-1]
        return {
            "groups": "depthwise" if depthwise else {1: "1", 2: "2"}.get(case.groups, "other"),
            "channels": case.C_in if depthwise else case.C_in // case.groups,
            "C_out/groups": case.C_out // case.groups,
            "kernel": k,
            "stride": "1" if s == 1 else "> kernel" if s > d * (k - 1) + 1 else "2",
            "dilation": d,
            "padding": case.padding if isinstance(case.padding, str) else "explicit",
            "pad low": pad[0],
            "pad high": pad[1],
            "out": case.out_shape[-1],
            "N": case.N,
            "bias": case.bias,
        }

    return cover(ND_AXES, build, read, seed=rank)


TRANSPOSED_AXES: dict[str, tuple[Hashable, ...]] = {
    "groups": ("1", "2", "depthwise"),
    "channels": (1, 9, 17),
    "C_out/groups": (1, 2, 9),
    "kernel": ((1, 1), (3, 3), (2, 3)),
    "stride": ((1, 1), (2, 2), (3, 1)),
    "dilation": ((1, 1), (2, 1)),
    "padding": ("none", "symmetric", "asymmetric"),
    "output padding": ("none", "largest"),
    "size": ((1, 1), (2, 5), (9, 3)),
    "bias": (False, True),
}


@functools.cache
def transposed_cases(*, min_stride: int = 1, output_padding: bool = True) -> Cases:
    """[coverage, U.1] The covering set of conv_transpose2d cases: output padding none or the largest
    below the stride (where ``output_padding``), strides from ``min_stride``."""

    def build(row: Row) -> Case | None:
        channels, filters = int(row["channels"]), int(row["C_out/groups"])
        groups = {"1": 1, "2": 2}.get(str(row["groups"]), channels)
        C_in_g = 1 if row["groups"] == "depthwise" else channels
        if row["groups"] == "depthwise":
            filters = 1
        (kH, kW), stride, dilation, (H, W) = row["kernel"], row["stride"], row["dilation"], row["size"]
        if min(stride) < min_stride:
            return None
        padding = {"none": ((0, 0), (0, 0)), "symmetric": ((1, 1), (1, 1)), "asymmetric": ((0, 1), (2, 0))}[
            str(row["padding"])
        ]
        extra = tuple(s - 1 for s in stride) if row["output padding"] == "largest" else (0, 0)
        if not output_padding and max(extra) > 0:
            return None
        try:
            return Case.conv_transpose2d(
                N=1 + int(row["bias"]),
                C_in=C_in_g * groups,
                H=H,
                W=W,
                C_out=filters * groups,
                kH=kH,
                kW=kW,
                stride=stride,
                padding=padding,
                output_padding=extra,
                dilation=dilation,
                groups=groups,
                bias=bool(row["bias"]),
            )
        except ConvSpecError:
            return None

    def read(case: Case) -> Row:
        depthwise = case.groups == case.C_in > 1 and case.C_out == case.C_in
        padding = {((0, 0), (0, 0)): "none", ((1, 1), (1, 1)): "symmetric"}.get(case.padding, "asymmetric")
        return {
            "groups": "depthwise" if depthwise else {1: "1", 2: "2"}.get(case.groups, "other"),
            "channels": case.C_in if depthwise else case.C_in // case.groups,
            "C_out/groups": case.C_out // case.groups,
            "kernel": (case.kH, case.kW),
            "stride": case.stride,
            "dilation": case.dilation,
            "padding": padding,
            "output padding": "none" if case.output_padding == (0, 0) else "largest",
            "size": (case.H, case.W),
            "bias": case.bias,
        }

    axes = dict(TRANSPOSED_AXES)
    if not output_padding:
        axes["output padding"] = ("none",)
    axes["stride"] = tuple(s for s in TRANSPOSED_AXES["stride"] if min(s) >= min_stride) or ((min_stride,) * 2,)  # type: ignore[call-overload]
    return cover(axes, build, read)


POOL_AXES: dict[str, tuple[Hashable, ...]] = {
    "channels": (1, 9, 17),
    "kernel": ((1, 1), (2, 2), (3, 2)),
    "stride": ("1", "kernel", "> kernel"),
    "dilation": (1, 2),
    "padding": ("none", "half"),
    "ceil mode": (False, True),
    "count padding": (False, True),
    "out": (1, 2, 8, 17),
}


@functools.cache
def pool_cases(op: str) -> tuple[Case, ...]:
    """[coverage, M.1] The covering set of ``op`` ("max_pool2d" or "avg_pool2d") cases."""

    def build(row: Row) -> Case | None:
        kernel = row["kernel"]
        d = int(row["dilation"]) if op == "max_pool2d" else 1
        stride = tuple({"1": 1, "kernel": k, "> kernel": d * (k - 1) + 2}[str(row["stride"])] for k in kernel)
        padding = tuple(k // 2 for k in kernel) if row["padding"] == "half" else (0, 0)
        out = int(row["out"])
        sizes = [max((out - 1) * s + d * (k - 1) + 1 - 2 * p, d) for k, s, p in zip(kernel, stride, padding)]
        try:
            return Case.pool2d(
                op,
                N=1 + int(row["ceil mode"]),
                C=int(row["channels"]),
                H=sizes[0],
                W=sizes[1] + 1,
                kernel=kernel,
                stride=stride,
                padding=padding,
                dilation=(d, d),
                ceil_mode=bool(row["ceil mode"]),
                count_include_pad=bool(row["count padding"]),
            )
        except ConvSpecError:
            return None

    def read(case: Case) -> Row:
        k, s = case.kernel, case.stride
        stride = "1" if s == (1, 1) else "kernel" if s == k else "> kernel"
        return {
            "channels": case.C,
            "kernel": k,
            "stride": stride,
            "dilation": case.dilation[0],
            "padding": "none" if case.padding == (0, 0) else "half",
            "ceil mode": case.ceil_mode,
            "count padding": case.count_include_pad,
            "out": case.out_shape[2],
        }

    axes = dict(POOL_AXES)
    if op == "avg_pool2d":
        axes["dilation"] = (1,)
    else:
        axes["count padding"] = (True,)
    made = cover(axes, build, read)
    # A corner no pair of axis values makes: in ceil mode, a last window that starts at the last column and
    # hangs past the end padding, which an average counting the padding must still divide by the taps it
    # covers (2 here, not the window's 3): five axes at once (ceil mode, count padding, padding, a kernel
    # wider than padding + 1, a stride that starts a window there). Among the first part, met by every run.
    hanging = Case.pool2d(
        op, N=1, C=1, H=1, W=8, kernel=(1, 3), stride=(1, 2), padding=(0, 1), ceil_mode=True, count_include_pad=True
    )
    # Another: padding on one axis only, at unit stride and dilation, the path a kernel special-cases (the
    # ONNX reference evaluator's MaxPool reads its pads across the axes there): the "half" padding of the
    # catalogue is equal on both axes, and no pair of values makes stride and dilation 1 at once.
    one_axis = Case.pool2d(op, N=1, C=1, H=2, W=2, kernel=(2, 2), stride=(1, 1), padding=(1, 0))
    return Cases([*made[: made.values], hanging, one_axis, *made[made.values :]], made.values + 2)


# Where a strategy keeps its covering set: a function, so that building the set waits for the first run.
_ATTRIBUTE = "cnnspec_covering"
# Covering examples of a property that draws its cases inside (``data.draw(conv_nd_cases(...))``):
# at least as many as the largest covering set drawn that way, so that each of its cases is met.
INNER_EXAMPLES = 24
# Of those, the ones a backend that runs the covering set's values alone runs: as many as the largest
# values part of such a set.
INNER_VALUES = 8


def attach(
    strategy: SearchStrategy[T], cases: Callable[[], Sequence[T]], allows: Callable[[T], bool] = lambda value: True
) -> SearchStrategy[T]:
    """``strategy``, with ``cases()`` as its covering set: a covering example draws its i-th case.
    ``allows`` says which other values the strategy could give: a covering example's failure is shrunk
    through them only (shrink.py)."""
    setattr(strategy, _ATTRIBUTE, (cases, allows))
    return strategy


def allows(strategy: object, value: object) -> bool:
    """Whether ``strategy`` (one with a covering set) could give ``value``."""
    return getattr(strategy, _ATTRIBUTE)[1](value)


def of(strategy: object) -> Cases | None:
    """The covering set of ``strategy``, or None for a strategy without one."""
    attached = getattr(strategy, _ATTRIBUTE, None)
    if attached is None:
        return None
    cases = attached[0]()
    return cases if isinstance(cases, Cases) else Cases(cases)


def exhaustive(values: Sequence[T]) -> SearchStrategy[T]:
    """[coverage] ``st.sampled_from(values)`` whose covering set is every value: a small space, exhausted."""
    values = tuple(values)
    return attach(st.sampled_from(values), lambda: Cases(values), lambda value: value in values)


def either(*strategies: SearchStrategy[T]) -> SearchStrategy[T]:
    """[coverage] ``st.one_of(strategies)``, whose covering set takes the strategies' sets in turn (the
    parts that meet every value first)."""

    def interleaved(parts: list[Sequence[Any]]) -> list[Any]:
        return [c for row in itertools.zip_longest(*parts) for c in row if c is not None]

    def cases() -> Cases:
        sets = [of(s) or Cases(()) for s in strategies]
        return Cases(
            interleaved([c[: c.values] for c in sets]) + interleaved([c[c.values :] for c in sets]),
            sum(c.values for c in sets),
        )

    return attach(
        st.one_of(*strategies), cases, lambda value: any(allows(s, value) for s in strategies if of(s) is not None)
    )


class CoveringData:
    """``st.data()``'s stand-in in covering example ``index``: a draw from a strategy with a covering set
    gives its case number ``index`` (modulo its size), any other draw comes from a random source seeded
    with ``index``, so that the example draws the same values on every run."""

    def __init__(self, index: int) -> None:
        self.index = index
        self._data: ConjectureData | None = None
        self._draws = 0

    def start(self) -> None:
        """Begin an execution of the example: its draws start again from the first."""
        self._data, self._draws = ConjectureData(random=random.Random(self.index)), 0

    def draw(self, strategy: SearchStrategy[T], label: object = None) -> T:
        """The value of ``strategy`` for this example, reported as Hypothesis reports its own draws."""
        if self._data is None:
            self.start()
        cases = of(strategy)
        value = cases[self.index % len(cases)] if cases else self._data.draw(strategy)  # type: ignore[union-attr]
        self._draws += 1
        note(f"Draw {self._draws}{f' ({label})' if label is not None else ''}: {_brief(value)}")
        return value

    def __repr__(self) -> str:
        return f"covering_data({self.index})"


def _brief(value: Any) -> str:
    """A drawn value for a note: arrays by shape and dtype (the reproducer has their values), else repr."""
    if isinstance(value, np.ndarray):
        return f"array{value.shape} {value.dtype}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k!r}: {_brief(v)}" for k, v in value.items()) + "}"
    return repr(value)


def examples(given: dict[str, SearchStrategy[Any]]) -> tuple[list[dict[str, Any]], int]:
    """[coverage] The covering examples of a property whose ``@given`` takes these strategies, and how
    many of the first of them meet every value of every axis (what a backend that runs ``"values"``
    runs). There are as many as its largest covering set (``INNER_EXAMPLES`` for one that draws its
    cases from ``st.data()``, one for a property with neither), example i taking case i of each set
    (modulo its size) and ``CoveringData(i)`` for ``st.data()``. Any other argument is drawn from a
    random source seeded with i."""
    sets = {name: cases for name, strategy in given.items() if (cases := of(strategy))}
    data = [name for name, strategy in given.items() if repr(strategy) == "data()"]
    count = max((len(cases) for cases in sets.values()), default=INNER_EXAMPLES if data else 1)
    values = max((cases.values for cases in sets.values()), default=INNER_VALUES if data else 1)
    rows = []
    for i in range(count):
        source = ConjectureData(random=random.Random(i))
        rows.append(
            {
                name: (
                    sets[name][i % len(sets[name])]
                    if name in sets
                    else CoveringData(i)
                    if name in data
                    else source.draw(strategy)
                )
                for name, strategy in given.items()
            }
        )
    return rows, min(values, count)
