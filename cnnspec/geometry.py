"""Shapes and parameters of a conv2d call: the S, G, P, T and E clauses, one function each.

Everything here works on shapes and integers, never on data, so a backend adapter, a strategy and the
reference all share one reading of the spec's geometry.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol, TypeGuard, Union, cast

from cnnspec.errors import ConvSpecError

Pair = tuple[int, int]
ExplicitPadding = tuple[Pair, Pair]
Padding = Union[ExplicitPadding, Literal["valid", "same"]]
# The same at any rank (N.1): one entry, or one (low, high) pair, per spatial axis.
Axes = tuple[int, ...]
Pads = tuple[Pair, ...]
AnyPadding = Union[Pads, Literal["valid", "same"]]
NO_PADDING: ExplicitPadding = ((0, 0), (0, 0))


class _PlainRepr:
    """Printed by Hypothesis's pretty-printer as by repr, on one line: a case is read as the call it
    makes, and Hypothesis prints every explicit example it runs."""

    def _repr_pretty_(self, printer: object, cycle: bool) -> None:
        printer.text(repr(self))  # type: ignore[attr-defined]


def _is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def as_pair(name: str, value: object) -> Pair:
    """[D.2] A per-axis parameter as a (height, width) pair; a single integer means both axes."""
    if _is_int(value):
        return (int(value), int(value))
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(_is_int(v) for v in value):
        return (int(value[0]), int(value[1]))
    raise ConvSpecError(f"{name}={value!r} must be an integer or a pair of integers (height, width)", "D.2")


def as_tuple(name: str, value: object, n: int) -> tuple[int, ...]:
    """[D.2, N.1] A per-axis parameter as one integer per spatial axis; a single integer means every axis."""
    if n == 2:
        return as_pair(name, value)
    if _is_int(value):
        return (int(value),) * n
    if isinstance(value, (tuple, list)) and len(value) == n and all(_is_int(v) for v in value):
        return tuple(int(v) for v in value)
    raise ConvSpecError(f"{name}={value!r} must be an integer or {n} integers, one per spatial axis", "D.2")


def as_padding(padding: object, n: int = 2) -> Padding:
    """[D.2, E.7, N.1] Padding as "valid", "same" or explicit ((top, bottom), (left, right)) amounts, one
    pair per spatial axis (``n`` of them).

    Also accepts one integer (every side) and one integer per axis (symmetric amounts).
    """
    if isinstance(padding, str):
        if padding in ("valid", "same"):
            return padding  # type: ignore[return-value]
        raise ConvSpecError(f'padding={padding!r} must be "valid", "same" or explicit amounts', "E.7")
    if _is_int(padding):
        p = int(padding)
        return ((p, p),) * n  # type: ignore[return-value]
    if n != 2 and isinstance(padding, (tuple, list)) and len(padding) == n:
        if all(_is_int(v) for v in padding):
            return tuple((int(v), int(v)) for v in padding)  # type: ignore[return-value]
        try:
            return tuple(as_pair(f"padding[{i}]", v) for i, v in enumerate(padding))  # type: ignore[return-value]
        except ConvSpecError:
            pass
        raise ConvSpecError(
            f'padding={padding!r} must be "valid", "same", an integer, or one (low, high) pair per spatial axis', "D.2"
        )
    if n == 2 and isinstance(padding, (tuple, list)) and len(padding) == 2:
        if all(_is_int(v) for v in padding):
            return ((int(padding[0]), int(padding[0])), (int(padding[1]), int(padding[1])))
        try:
            (top, bottom), (left, right) = as_pair("padding[0]", padding[0]), as_pair("padding[1]", padding[1])
        except ConvSpecError:
            pass
        else:
            return ((top, bottom), (left, right))
    if n != 2:
        raise ConvSpecError(
            f'padding={padding!r} must be "valid", "same", an integer, or one (low, high) pair per spatial axis', "D.2"
        )
    raise ConvSpecError(
        f'padding={padding!r} must be "valid", "same", an integer, or ((top, bottom), (left, right))', "D.2"
    )


def output_size(size: int, kernel: int, *, stride: int, pad: Pair, dilation: int) -> int:
    """[S.4] floor((size + pad_lo + pad_hi - dilation*(kernel-1) - 1) / stride) + 1."""
    return (size + pad[0] + pad[1] - dilation * (kernel - 1) - 1) // stride + 1


def same_padding(size: int, kernel: int, *, stride: int, dilation: int) -> Pair:
    """[P.4] Output ceil(size/stride); total padding split with the odd unit at the end (bottom, right)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return (total // 2, total - total // 2)


def explicit_padding(padding: AnyPadding, spatial: Axes, kernel: Axes, *, stride: Axes, dilation: Axes) -> Pads:
    """[P.3, P.4, N.1] The explicit ((top, bottom), (left, right)) amounts that a padding form stands
    for: one (low, high) pair per spatial axis."""
    if padding == "valid":
        return ((0, 0),) * len(spatial)
    if padding == "same":
        return tuple(same_padding(n, k, stride=s, dilation=d) for n, k, s, d in zip(spatial, kernel, stride, dilation))
    return padding


AXES = {1: "L", 2: "HW", 3: "DHW"}


def check_ranks(x_shape: tuple[int, ...], w_shape: tuple[int, ...], n: int = 2) -> None:
    """[E.1, S.1, S.2, N.1] The input and the weight have rank n + 2 (for conv2d after S.6/S.7
    normalisation) and no empty extent."""
    if n != 2:
        axes = ", ".join(AXES.get(n, "X" * n))
        if len(x_shape) != n + 2:
            raise ConvSpecError(f"input of shape {x_shape} must have rank {n + 2} (N, C_in, {axes})", "E.1")
        if len(w_shape) != n + 2:
            raise ConvSpecError(
                f"weight of shape {w_shape} must have rank {n + 2} (C_out, C_in/groups, "
                f"{', '.join('k' + a for a in AXES.get(n, 'X' * n))})",
                "E.1",
            )
    if len(x_shape) != 4 and n == 2:
        raise ConvSpecError(f"input of shape {x_shape} must have rank 4 (N, C_in, H, W), or 3 or 2", "E.1")
    if len(w_shape) != 4 and n == 2:
        raise ConvSpecError(f"weight of shape {w_shape} must have rank 4 (C_out, C_in/groups, kH, kW)", "E.1")
    if min(x_shape) < 1:
        raise ConvSpecError(f"input of shape {x_shape} must have every extent at least 1", "S.1")
    if min(w_shape) < 1:
        raise ConvSpecError(f"weight of shape {w_shape} must have every extent at least 1", "S.2")


def check_groups(groups: int, C_in: int, C_out: int) -> None:
    """[E.2, G.1] groups is at least 1 and divides both C_in and C_out."""
    if not _is_int(groups) or groups < 1:
        raise ConvSpecError(f"groups={groups!r} must be an integer of at least 1", "E.2")
    if C_in % groups:
        raise ConvSpecError(f"groups={groups} must divide C_in={C_in}", "E.2")
    if C_out % groups:
        raise ConvSpecError(f"groups={groups} must divide C_out={C_out}", "E.2")


def check_kernel_depth(depth: int, C_in: int, groups: int) -> None:
    """[E.3, S.2] The kernel is as deep as its group's input channels: w.shape[1] == C_in / groups."""
    if depth != C_in // groups:
        raise ConvSpecError(
            f"weight depth w.shape[1]={depth} must equal C_in/groups={C_in}/{groups}={C_in // groups}", "E.3"
        )


def check_stride_dilation(stride: Pair, dilation: Pair) -> None:
    """[E.5] Every stride and dilation is at least 1."""
    if min(stride) < 1:
        raise ConvSpecError(f"stride={stride} must be at least 1 on each axis", "E.5")
    if min(dilation) < 1:
        raise ConvSpecError(f"dilation={dilation} must be at least 1 on each axis", "E.5")


def check_bias(b_shape: tuple[int, ...] | None, C_out: int) -> None:
    """[E.6, S.3] The bias is absent or has shape (C_out,)."""
    if b_shape is not None and tuple(b_shape) != (C_out,):
        raise ConvSpecError(f"bias of shape {tuple(b_shape)} must have shape (C_out,)=({C_out},)", "E.6")


def check_output_size(spatial: Axes, kernel: Axes, *, stride: Axes, padding: Pads, dilation: Axes) -> Axes:
    """[E.4, S.4, P.5, N.1] The dilated kernel fits in the padded (or cropped) input; returns (H_out,
    W_out), or one extent per spatial axis."""
    out = []
    for axis, size, k, s, pad, d in zip(
        AXES.get(len(spatial), "X" * len(spatial)), spatial, kernel, stride, padding, dilation
    ):
        padded = size + pad[0] + pad[1]
        if d * (k - 1) + 1 > padded:
            raise ConvSpecError(
                f"dilated kernel extent {d}*({k}-1)+1={d * (k - 1) + 1} must not exceed the padded input "
                f"{axis}={size}+{pad[0]}+{pad[1]}={padded}",
                "E.4",
            )
        out.append(output_size(size, k, stride=s, pad=pad, dilation=d))
    return tuple(out)


class Case(Protocol):
    """[D.1, N.1, U.1, M.1] What every case gives, whatever its operation and rank: the operation it is a call of
    (the adapter method), the shapes of its input and its output, and the keyword parameters of its call.
    ``Conv2dCase``, ``ConvCase`` (conv1d and conv3d), ``TransposedCase`` and ``PoolCase`` keep it; the calls,
    the coverage tally and the adapters' ``supports`` read it, and what else a case gives is its operation's."""

    @property
    def op(self) -> str:
        """The adapter method that computes this case (a row of ``cnnspec.operations.OPERATIONS``)."""
        ...

    @property
    def N(self) -> int:
        """[S.1] The batch."""
        ...

    @property
    def x_shape(self) -> tuple[int, ...]:
        """[S.1] The input's shape."""
        ...

    @property
    def out_shape(self) -> tuple[int, ...]:
        """[S.4] The output's shape."""
        ...

    def params(self) -> dict[str, Any]:
        """The keyword arguments of this case's backend call."""
        ...


@dataclass(frozen=True)
class Conv2dCase(_PlainRepr):
    """[D.1-D.4] One conv2d geometry: the shapes and the parameters of a call, no data.

    ``N, C_in, H, W`` shape the input; ``C_out, kH, kW`` the weight, whose depth is ``C_in // groups``.
    """

    N: int
    C_in: int
    H: int
    W: int
    C_out: int
    kH: int
    kW: int
    stride: Pair = (1, 1)
    padding: Padding = NO_PADDING
    dilation: Pair = (1, 1)
    groups: int = 1
    bias: bool = True
    op: ClassVar[str] = "conv2d"

    def __post_init__(self) -> None:
        as_padding(self.padding)  # an unknown padding form is E.7, not a TypeError from the arithmetic below
        check_ranks(self.x_shape, self.w_shape)
        check_groups(self.groups, self.C_in, self.C_out)
        check_stride_dilation(self.stride, self.dilation)
        check_output_size(
            (self.H, self.W), (self.kH, self.kW), stride=self.stride, padding=self.pads, dilation=self.dilation
        )

    @property
    def x_shape(self) -> tuple[int, int, int, int]:
        """[S.1] (N, C_in, H, W)."""
        return (self.N, self.C_in, self.H, self.W)

    @property
    def w_shape(self) -> tuple[int, int, int, int]:
        """[S.2] (C_out, C_in/groups, kH, kW)."""
        return (self.C_out, self.C_in // max(self.groups, 1), self.kH, self.kW)

    @property
    def b_shape(self) -> tuple[int] | None:
        """[S.3] (C_out,), or None without a bias."""
        return (self.C_out,) if self.bias else None

    @property
    def pads(self) -> ExplicitPadding:
        """[P.3, P.4] The explicit amounts that this case's padding stands for."""
        pads = explicit_padding(
            self.padding, (self.H, self.W), (self.kH, self.kW), stride=self.stride, dilation=self.dilation
        )
        return cast(ExplicitPadding, pads)

    @property
    def out_shape(self) -> tuple[int, int, int, int]:
        """[S.4] (N, C_out, H_out, W_out)."""
        H_out, W_out = check_output_size(
            (self.H, self.W), (self.kH, self.kW), stride=self.stride, padding=self.pads, dilation=self.dilation
        )
        return (self.N, self.C_out, H_out, W_out)

    @property
    def K(self) -> int:
        """[D.4] The accumulation length C_in/groups * kH * kW."""
        return self.C_in // self.groups * self.kH * self.kW

    def params(self) -> dict[str, Any]:
        """The keyword arguments of this case's backend call."""
        return {"stride": self.stride, "padding": self.padding, "dilation": self.dilation, "groups": self.groups}


@dataclass(frozen=True)
class ConvCase(_PlainRepr):
    """[N.1] One rank-n convolution geometry (conv1d, conv2d, conv3d): shapes and parameters, no data.

    ``spatial`` and ``kernel`` hold one extent per spatial axis (conv3d: D, H, W), and ``stride``,
    ``dilation`` and explicit ``padding`` one entry per axis in the same order.
    """

    N: int
    C_in: int
    C_out: int
    spatial: tuple[int, ...]
    kernel: tuple[int, ...]
    stride: tuple[int, ...]
    padding: tuple[Pair, ...] | Literal["valid", "same"]
    dilation: tuple[int, ...]
    groups: int = 1
    bias: bool = True

    def __post_init__(self) -> None:
        n = self.rank
        if not (len(self.kernel) == len(self.stride) == len(self.dilation) == n):
            raise ConvSpecError(
                f"kernel {self.kernel}, stride {self.stride} and dilation {self.dilation} must "
                f"each have one entry per spatial axis ({n})",
                "N.1",
            )
        as_padding(self.padding, n)
        check_ranks(self.x_shape, self.w_shape, n)
        check_groups(self.groups, self.C_in, self.C_out)
        check_stride_dilation(self.stride, self.dilation)  # type: ignore[arg-type]
        check_output_size(
            self.spatial,
            self.kernel,
            stride=self.stride,
            padding=self.pads,
            dilation=self.dilation,
        )

    @property
    def rank(self) -> int:
        """[N.1] The number of spatial axes n."""
        return len(self.spatial)

    @property
    def op(self) -> str:
        """The Backend method that computes this case: ``conv1d``, ``conv2d`` or ``conv3d``."""
        return f"conv{self.rank}d"

    @property
    def x_shape(self) -> tuple[int, ...]:
        """[N.1] (N, C_in, X_1, ..., X_n)."""
        return (self.N, self.C_in, *self.spatial)

    @property
    def w_shape(self) -> tuple[int, ...]:
        """[N.1] (C_out, C_in/groups, k_1, ..., k_n)."""
        return (self.C_out, self.C_in // max(self.groups, 1), *self.kernel)

    @property
    def b_shape(self) -> tuple[int] | None:
        """[S.3] (C_out,), or None without a bias."""
        return (self.C_out,) if self.bias else None

    @property
    def pads(self) -> tuple[Pair, ...]:
        """[P.3, P.4, N.1] The explicit (low, high) amounts of each spatial axis."""
        return explicit_padding(
            self.padding,
            self.spatial,
            self.kernel,
            stride=self.stride,
            dilation=self.dilation,
        )

    @property
    def out_shape(self) -> tuple[int, ...]:
        """[S.4, N.1] (N, C_out, one extent per spatial axis)."""
        return (
            self.N,
            self.C_out,
            *check_output_size(
                self.spatial,
                self.kernel,
                stride=self.stride,
                padding=self.pads,
                dilation=self.dilation,
            ),
        )

    @property
    def K(self) -> int:
        """[N.1] The accumulation length C_in/groups * k_1 * ... * k_n."""
        return self.C_in // self.groups * math.prod(self.kernel)

    def params(self) -> dict[str, Any]:
        """The keyword arguments of this case's backend call."""
        return {"stride": self.stride, "padding": self.padding, "dilation": self.dilation, "groups": self.groups}

    def as_conv2d(self) -> Conv2dCase:
        """The same case as a ``Conv2dCase``, for a rank of 2."""
        if self.rank != 2:
            raise ValueError(f"a rank-{self.rank} case is not a conv2d case")
        (H, W), (kH, kW) = self.spatial, self.kernel
        padding = cast(Padding, self.padding)
        stride, dilation = cast(Pair, self.stride), cast(Pair, self.dilation)
        return Conv2dCase(
            self.N, self.C_in, H, W, self.C_out, kH, kW, stride, padding, dilation, self.groups, self.bias
        )

    def permuted(self, order: tuple[int, ...]) -> ConvCase:
        """[N.3] The same case with its spatial axes (and their parameters) taken in ``order``."""

        def take(values: tuple) -> tuple:
            return tuple(values[a] for a in order)

        padding = self.padding if isinstance(self.padding, str) else take(self.padding)
        return ConvCase(
            self.N,
            self.C_in,
            self.C_out,
            take(self.spatial),
            take(self.kernel),
            take(self.stride),
            padding,
            take(self.dilation),
            self.groups,
            self.bias,
        )


def transposed_output_size(
    size: int, kernel: int, *, stride: int, pad: Pair, dilation: int, output_padding: int
) -> int:
    """[U.1] (size - 1)*stride - pad_lo - pad_hi + dilation*(kernel - 1) + 1 + output_padding."""
    return (size - 1) * stride - pad[0] - pad[1] + dilation * (kernel - 1) + 1 + output_padding


@dataclass(frozen=True)
class TransposedCase(_PlainRepr):
    """[U.1] One conv_transpose2d geometry. The weight is (C_in, C_out/groups, kH, kW) (IOHW)."""

    N: int
    C_in: int
    H: int
    W: int
    C_out: int
    kH: int
    kW: int
    stride: Pair = (1, 1)
    padding: ExplicitPadding = NO_PADDING
    output_padding: Pair = (0, 0)
    dilation: Pair = (1, 1)
    groups: int = 1
    bias: bool = True

    op = "conv_transpose2d"

    def __post_init__(self) -> None:
        check_groups(self.groups, self.C_in, self.C_out)
        check_stride_dilation(self.stride, self.dilation)
        if min(min(self.padding[0]), min(self.padding[1])) < 0 or min(self.output_padding) < 0:
            raise ConvSpecError(
                f"padding={self.padding} and output_padding={self.output_padding} must not be negative", "U.4"
            )
        if min(self.out_shape[2:]) < 1:
            raise ConvSpecError(f"the output {self.out_shape} must have every extent at least 1", "E.10")

    @property
    def x_shape(self) -> tuple[int, int, int, int]:
        """[U.1] (N, C_in, H, W)."""
        return (self.N, self.C_in, self.H, self.W)

    @property
    def w_shape(self) -> tuple[int, int, int, int]:
        """[U.1] (C_in, C_out/groups, kH, kW)."""
        return (self.C_in, self.C_out // self.groups, self.kH, self.kW)

    @property
    def b_shape(self) -> tuple[int] | None:
        """(C_out,), or None without a bias."""
        return (self.C_out,) if self.bias else None

    @property
    def out_shape(self) -> tuple[int, int, int, int]:
        """[U.1] (N, C_out, H_out, W_out)."""
        H_out, W_out = (
            transposed_output_size(n, k, stride=s, pad=p, dilation=d, output_padding=a)
            for n, k, s, p, d, a in zip(
                (self.H, self.W), (self.kH, self.kW), self.stride, self.padding, self.dilation, self.output_padding
            )
        )
        return (self.N, self.C_out, H_out, W_out)

    @property
    def K(self) -> int:
        """[U.5] The most products in one output element: C_in/groups * kH * kW."""
        return self.C_in // self.groups * self.kH * self.kW

    def params(self) -> dict[str, Any]:
        """The keyword arguments of this case's backend call."""
        return {
            "stride": self.stride,
            "padding": self.padding,
            "output_padding": self.output_padding,
            "dilation": self.dilation,
            "groups": self.groups,
        }


def pool_output_size(size: int, kernel: int, *, stride: int, pad: int, dilation: int, ceil_mode: bool) -> int:
    """[M.1] floor((size + 2*pad - dilation*(kernel-1) - 1 + (stride-1 in ceil mode)) / stride) + 1, less
    one in ceil mode where the last window would start in or past the end padding."""
    out = (size + 2 * pad - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


@dataclass(frozen=True)
class PoolCase(_PlainRepr):
    """[M.1] One max_pool2d or avg_pool2d geometry (``op``); avg_pool2d has no dilation."""

    op: str  # "max_pool2d" or "avg_pool2d"
    N: int
    C: int
    H: int
    W: int
    kernel: Pair
    stride: Pair
    padding: Pair = (0, 0)
    dilation: Pair = (1, 1)
    ceil_mode: bool = False
    count_include_pad: bool = True

    def __post_init__(self) -> None:
        if min(self.kernel) < 1:
            raise ConvSpecError(f"kernel_size={self.kernel} must be at least 1 on each axis", "E.11")
        check_stride_dilation(self.stride, self.dilation)
        if self.op == "avg_pool2d" and self.dilation != (1, 1):
            raise ConvSpecError(f"avg_pool2d has no dilation, got {self.dilation}", "M.1")
        for p, k, d in zip(self.padding, self.kernel, self.dilation):
            if not 0 <= p <= (d * (k - 1) + 1) // 2:
                raise ConvSpecError(
                    f"padding={self.padding} must be between 0 and half the dilated window of "
                    f"kernel {self.kernel} and dilation {self.dilation}",
                    "E.11",
                )
            if p > k // 2:
                raise ConvSpecError(
                    f"padding={self.padding} must be between 0 and half the kernel {self.kernel}", "M.1"
                )
        if self.H < self.dilation[0] or self.W < self.dilation[1]:
            raise ConvSpecError(
                f"input extents {(self.H, self.W)} must be at least the dilation {self.dilation}, so "
                "that every window holds an input element",
                "M.1",
            )
        if min(self.out_shape[2:]) < 1:
            raise ConvSpecError(f"the output {self.out_shape} must have every extent at least 1", "E.11")

    @property
    def x_shape(self) -> tuple[int, int, int, int]:
        """[M.1] (N, C, H, W)."""
        return (self.N, self.C, self.H, self.W)

    @property
    def out_shape(self) -> tuple[int, int, int, int]:
        """[M.1] (N, C, H_out, W_out)."""
        H_out, W_out = (
            pool_output_size(n, k, stride=s, pad=p, dilation=d, ceil_mode=self.ceil_mode)
            for n, k, s, p, d in zip((self.H, self.W), self.kernel, self.stride, self.padding, self.dilation)
        )
        return (self.N, self.C, H_out, W_out)

    def params(self) -> dict[str, Any]:
        """The keyword arguments of this case's backend call."""
        common = {
            "kernel_size": self.kernel,
            "stride": self.stride,
            "padding": self.padding,
            "ceil_mode": self.ceil_mode,
        }
        if self.op == "max_pool2d":
            return {**common, "dilation": self.dilation}
        return {**common, "count_include_pad": self.count_include_pad}
