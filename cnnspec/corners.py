"""[coverage] The corners of conv2d's geometry: the features of a call where kernels break (a stride above 1,
asymmetric padding, a channel count past a SIMD width, ...), each a predicate on a valid ``Case``, in
the order a report lists them. The operations table gives conv2d (and its gradients) this catalogue; the
coverage tally counts the corners each example's results reached, and the report shows them.
"""

from __future__ import annotations

from typing import Callable, Iterable

from cnnspec.geometry import Case


def _pads(c: Case) -> tuple[tuple[int, int], ...]:
    return () if isinstance(c.padding, str) else c.padding


def _past_block(n: int, block: int) -> bool:
    return n > block and n % block != 0


# The corners, in the order a report lists them; each is a predicate on a valid geometry.
CORNERS: dict[str, Callable[[Case], bool]] = {
    "N > 1": lambda c: c.N > 1,
    "bias": lambda c: c.bias,
    "groups > 1": lambda c: c.groups > 1,
    "depthwise": lambda c: c.groups == c.C_in > 1,
    "depthwise, multiplier > 1": lambda c: c.groups == c.C_in > 1 and c.C_out > c.C_in,
    "C_in/groups > 8, not a multiple of 8": lambda c: _past_block(c.C_in // c.groups, 8),
    "C_in/groups > 16, not a multiple of 16": lambda c: _past_block(c.C_in // c.groups, 16),
    "C_in/groups a multiple of 16": lambda c: (c.C_in // c.groups) % 16 == 0,
    "C_out/groups > 8, not a multiple of 8": lambda c: _past_block(c.C_out // c.groups, 8),
    "non-square kernel": lambda c: c.kH != c.kW,
    "stride > 1": lambda c: max(c.stride) > 1,
    "stride > kernel": lambda c: c.stride[0] > c.kH or c.stride[1] > c.kW,
    "stride > 1, output 1 on that axis": lambda c: any(s > 1 and n == 1 for s, n in zip(c.stride, c.out_shape[2:])),
    "dilation > 1": lambda c: max(c.dilation) > 1,
    "padding explicit": lambda c: any(map(any, _pads(c))),
    "padding asymmetric": lambda c: any(lo != hi for lo, hi in _pads(c)),
    "padding on one side only": lambda c: any((lo == 0) != (hi == 0) for lo, hi in _pads(c)),
    "padding negative": lambda c: any(min(pair) < 0 for pair in _pads(c)),
    "padding negative on one side, positive on the other": lambda c: any(lo * hi < 0 for lo, hi in _pads(c)),
    "padding valid": lambda c: c.padding == "valid",
    "padding same": lambda c: c.padding == "same",
    "padding same, stride > 1": lambda c: c.padding == "same" and max(c.stride) > 1,
    # Each axis's "same" amounts come from its own dilated window: a kernel that pairs one axis's dilation
    # with the other's kernel extent (tinygrad's nn.Conv2d) is right only where the dilations match. At
    # stride 1, the one stride that every framework's "same" takes.
    "padding same, stride 1, dilation differs by axis": lambda c: (
        c.padding == "same" and c.stride == (1, 1) and c.dilation[0] != c.dilation[1]
    ),
    "output 1x1": lambda c: c.out_shape[2:] == (1, 1),
    "output width > 8 and odd": lambda c: c.out_shape[3] > 8 and c.out_shape[3] % 2 == 1,
    "output width > 16, not a multiple of 16": lambda c: _past_block(c.out_shape[3], 16),
    "output height > 16, not a multiple of 16": lambda c: _past_block(c.out_shape[2], 16),
}


def catalogued(names: Iterable[str]) -> dict[str, Callable[[Case], bool]]:
    """The corners named in ``names``, in the catalogue's order: a covering search that seeks them one by one
    from one seeded random source must not take the order of a set of strings, which changes with the
    process's hash seed (``PYTHONHASHSEED``) and would change the cases from run to run."""
    wanted = set(names)
    return {name: holds for name, holds in CORNERS.items() if name in wanted}


def corners_of(case: Case) -> set[str]:
    """The corners that ``case`` sits in."""
    return {name for name, holds in CORNERS.items() if holds(case)}
