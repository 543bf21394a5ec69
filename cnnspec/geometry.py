"""Shapes and parameters of a call: the S, G, P, T and E clauses, one function each, and the one case type
(``Case``) of every operation and rank.

Everything here works on shapes and integers, never on data, so a backend adapter, a strategy and the
reference all share one reading of the spec's geometry.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, replace
from typing import Any, Literal, TypeGuard, Union, cast

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


def transposed_output_size(
    size: int, kernel: int, *, stride: int, pad: Pair, dilation: int, output_padding: int
) -> int:
    """[U.1] (size - 1)*stride - pad_lo - pad_hi + dilation*(kernel - 1) + 1 + output_padding."""
    return (size - 1) * stride - pad[0] - pad[1] + dilation * (kernel - 1) + 1 + output_padding


def pool_output_size(size: int, kernel: int, *, stride: int, pad: int, dilation: int, ceil_mode: bool) -> int:
    """[M.1] floor((size + 2*pad - dilation*(kernel-1) - 1 + (stride-1 in ceil mode)) / stride) + 1, less
    one in ceil mode where the last window would start in or past the end padding."""
    out = (size + 2 * pad - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (out - 1) * stride >= size + pad:
        out -= 1
    return out


CONVOLUTIONS = ("conv1d", "conv2d", "conv3d")
POOLINGS = ("max_pool2d", "avg_pool2d")


@dataclass(frozen=True, repr=False)
class Case(_PlainRepr):
    """[D.1, N.1, U.1, M.1] One call's geometry, for every operation and rank: the operation (``op``, the
    adapter method, a row of ``cnnspec.operations.OPERATIONS``), its shapes and its parameters, no data.

    ``N, C_in`` and ``spatial`` (one extent per spatial axis: conv2d's H, W) shape the input; ``C_out`` and
    ``kernel`` the output channels and the window; ``stride``, ``dilation`` and ``padding`` have one entry
    per spatial axis. A convolution's ``padding`` is "valid", "same" or (low, high) pairs, a transposed
    convolution's (low, high) pairs, a pooling's one symmetric amount per axis. A pooling has ``C_in ==
    C_out`` (``C``) and no weight. The fields of other operations keep their defaults, so that each call
    has one case: ``output_padding`` is conv_transpose2d's, ``ceil_mode`` the poolings', and
    ``count_include_pad`` avg_pool2d's (max_pool2d's strategies draw it too, and max_pool2d ignores it).
    Build one with the constructor of its kind of operation (``Case.conv2d``, ``Case.conv``,
    ``Case.conv_transpose2d``, ``Case.pool2d``), the call that its repr prints.
    """

    op: str
    N: int
    C_in: int
    C_out: int
    spatial: Axes
    kernel: Axes
    stride: Axes
    padding: Any
    dilation: Axes
    groups: int = 1
    bias: bool = True
    output_padding: Axes = ()
    ceil_mode: bool = False
    count_include_pad: bool = True

    # -- the constructors, one per kind of operation, with the parameters its call takes --

    @classmethod
    def conv2d(
        cls,
        N: int,
        C_in: int,
        H: int,
        W: int,
        C_out: int,
        kH: int,
        kW: int,
        stride: Pair = (1, 1),
        padding: Padding = NO_PADDING,
        dilation: Pair = (1, 1),
        groups: int = 1,
        bias: bool = True,
    ) -> Case:
        """[D.1-D.4] A conv2d case: input (N, C_in, H, W), weight (C_out, C_in/groups, kH, kW)."""
        return cls("conv2d", N, C_in, C_out, (H, W), (kH, kW), stride, padding, dilation, groups, bias)

    @classmethod
    def conv(
        cls,
        N: int,
        C_in: int,
        C_out: int,
        spatial: Axes,
        kernel: Axes,
        stride: Axes,
        padding: AnyPadding,
        dilation: Axes,
        groups: int = 1,
        bias: bool = True,
    ) -> Case:
        """[N.1] A convolution of rank ``len(spatial)`` (conv1d, conv2d or conv3d)."""
        return cls(f"conv{len(spatial)}d", N, C_in, C_out, spatial, kernel, stride, padding, dilation, groups, bias)

    @classmethod
    def conv_transpose2d(
        cls,
        N: int,
        C_in: int,
        H: int,
        W: int,
        C_out: int,
        kH: int,
        kW: int,
        stride: Pair = (1, 1),
        padding: ExplicitPadding = NO_PADDING,
        output_padding: Pair = (0, 0),
        dilation: Pair = (1, 1),
        groups: int = 1,
        bias: bool = True,
    ) -> Case:
        """[U.1] A conv_transpose2d case; its weight is (C_in, C_out/groups, kH, kW) (IOHW)."""
        return cls(
            "conv_transpose2d",
            N,
            C_in,
            C_out,
            (H, W),
            (kH, kW),
            stride,
            padding,
            dilation,
            groups,
            bias,
            output_padding=output_padding,
        )

    @classmethod
    def pool2d(
        cls,
        op: str,
        N: int,
        C: int,
        H: int,
        W: int,
        kernel: Pair,
        stride: Pair,
        padding: Pair = (0, 0),
        dilation: Pair = (1, 1),
        ceil_mode: bool = False,
        count_include_pad: bool = True,
    ) -> Case:
        """[M.1] A max_pool2d or avg_pool2d case (``op``); avg_pool2d has no dilation."""
        return cls(
            op,
            N,
            C,
            C,
            (H, W),
            kernel,
            stride,
            padding,
            dilation,
            bias=False,
            ceil_mode=ceil_mode,
            count_include_pad=count_include_pad,
        )

    def __post_init__(self) -> None:
        if self.op not in (*CONVOLUTIONS, "conv_transpose2d", *POOLINGS):
            raise ValueError(f"op={self.op!r} is not an operation the suite checks")
        n = self.rank
        if not (len(self.kernel) == len(self.stride) == len(self.dilation) == n):
            raise ConvSpecError(
                f"kernel {self.kernel}, stride {self.stride} and dilation {self.dilation} must "
                f"each have one entry per spatial axis ({n})",
                "N.1",
            )
        others = {
            "output_padding": self.output_padding != () and self.op != "conv_transpose2d",
            "ceil_mode": self.ceil_mode and self.op not in POOLINGS,
            "count_include_pad": not self.count_include_pad and self.op not in POOLINGS,
            "bias": self.bias and self.op in POOLINGS,
        }
        for name, set_ in others.items():
            if set_:
                raise ValueError(f"{name} is not a parameter of {self.op}")
        if self.op in CONVOLUTIONS:
            _check_convolution(self)
        elif self.op == "conv_transpose2d":
            _check_transposed(self)
        else:
            _check_pooling(self)

    def __repr__(self) -> str:
        # The constructor call that builds this case, so that a reproducer can be pasted as it is printed.
        if self.op in ("conv2d", "conv_transpose2d"):
            (H, W), (kH, kW) = self.spatial, self.kernel
            shape = f"{self.op}(N={self.N}, C_in={self.C_in}, H={H}, W={W}, C_out={self.C_out}, kH={kH}, kW={kW}"
        elif self.op in CONVOLUTIONS:
            shape = (
                f"conv(N={self.N}, C_in={self.C_in}, C_out={self.C_out}, spatial={self.spatial}, kernel={self.kernel}"
            )
        else:
            (H, W) = self.spatial
            shape = f"pool2d({self.op!r}, N={self.N}, C={self.C_in}, H={H}, W={W}, kernel={self.kernel}"
        params = ", ".join(f"{name}={value!r}" for name, value in self._repr_params().items())
        return f"Case.{shape}, {params})"

    def _repr_params(self) -> dict[str, Any]:
        common = {"stride": self.stride, "padding": self.padding}
        if self.op in CONVOLUTIONS:
            return {**common, "dilation": self.dilation, "groups": self.groups, "bias": self.bias}
        if self.op == "conv_transpose2d":
            return {
                **common,
                "output_padding": self.output_padding,
                "dilation": self.dilation,
                "groups": self.groups,
                "bias": self.bias,
            }
        return {
            **common,
            "dilation": self.dilation,
            "ceil_mode": self.ceil_mode,
            "count_include_pad": self.count_include_pad,
        }

    # -- what every case gives --

    @property
    def rank(self) -> int:
        """[N.1] The number of spatial axes n."""
        return len(self.spatial)

    @property
    def x_shape(self) -> tuple[int, ...]:
        """[S.1, N.1, U.1, M.1] The input's shape (N, C_in, X_1, ..., X_n)."""
        return (self.N, self.C_in, *self.spatial)

    @property
    def w_shape(self) -> tuple[int, ...] | None:
        """[S.2, N.1, U.1] The weight's shape: (C_out, C_in/groups, k_1, ..., k_n), a transposed convolution's
        (C_in, C_out/groups, k_1, ..., k_n); None for a pooling."""
        g = max(self.groups, 1)
        if self.op == "conv_transpose2d":
            return (self.C_in, self.C_out // g, *self.kernel)
        if self.op in POOLINGS:
            return None
        return (self.C_out, self.C_in // g, *self.kernel)

    @property
    def b_shape(self) -> tuple[int] | None:
        """[S.3] (C_out,), or None without a bias."""
        return (self.C_out,) if self.bias else None

    @property
    def pads(self) -> Pads:
        """[P.3, P.4, N.1, U.1, M.1] The explicit (low, high) amounts of each spatial axis."""
        if self.op in POOLINGS:
            return tuple((p, p) for p in self.padding)
        return explicit_padding(self.padding, self.spatial, self.kernel, stride=self.stride, dilation=self.dilation)

    @property
    def out_shape(self) -> tuple[int, ...]:
        """[S.4, N.1, U.1, M.1] The output's shape (N, C_out, one extent per spatial axis)."""
        if self.op == "conv_transpose2d":
            axes = zip(self.spatial, self.kernel, self.stride, self.padding, self.dilation, self.output_padding)
            extents = tuple(
                transposed_output_size(n, k, stride=s, pad=p, dilation=d, output_padding=a) for n, k, s, p, d, a in axes
            )
        elif self.op in POOLINGS:
            extents = tuple(
                pool_output_size(n, k, stride=s, pad=p, dilation=d, ceil_mode=self.ceil_mode)
                for n, k, s, p, d in zip(self.spatial, self.kernel, self.stride, self.padding, self.dilation)
            )
        else:
            extents = check_output_size(
                self.spatial, self.kernel, stride=self.stride, padding=self.pads, dilation=self.dilation
            )
        return (self.N, self.C_out, *extents)

    @property
    def K(self) -> int:
        """[D.4, N.1, U.5] The accumulation length (the most products in one output element):
        C_in/groups * k_1 * ... * k_n."""
        return self.C_in // self.groups * math.prod(self.kernel)

    def params(self) -> dict[str, Any]:
        """The keyword arguments of this case's backend call (``OPERATIONS[op].params``)."""
        if self.op in CONVOLUTIONS:
            return {"stride": self.stride, "padding": self.padding, "dilation": self.dilation, "groups": self.groups}
        if self.op == "conv_transpose2d":
            return {
                "stride": self.stride,
                "padding": self.padding,
                "output_padding": self.output_padding,
                "dilation": self.dilation,
                "groups": self.groups,
            }
        common = {
            "kernel_size": self.kernel,
            "stride": self.stride,
            "padding": self.padding,
            "ceil_mode": self.ceil_mode,
        }
        if self.op == "max_pool2d":
            return {**common, "dilation": self.dilation}
        return {**common, "count_include_pad": self.count_include_pad}

    # -- rank 2's names, as conv2d's spec writes them --

    @property
    def H(self) -> int:
        """[S.1] The input's height (the next-to-last spatial axis)."""
        return self.spatial[-2]

    @property
    def W(self) -> int:
        """[S.1] The input's width (the last spatial axis)."""
        return self.spatial[-1]

    @property
    def kH(self) -> int:
        """[S.2] The kernel's height."""
        return self.kernel[-2]

    @property
    def kW(self) -> int:
        """[S.2] The kernel's width."""
        return self.kernel[-1]

    @property
    def C(self) -> int:
        """[M.1] A pooling's channels (C_in, which is C_out)."""
        return self.C_in

    def permuted(self, order: tuple[int, ...]) -> Case:
        """[N.3] The same case with its spatial axes (and their parameters) taken in ``order``."""

        def take(values: tuple) -> tuple:
            return tuple(values[a] for a in order)

        return replace(
            self,
            spatial=take(self.spatial),
            kernel=take(self.kernel),
            stride=take(self.stride),
            padding=self.padding if isinstance(self.padding, str) else take(self.padding),
            dilation=take(self.dilation),
            output_padding=take(self.output_padding) if self.output_padding else (),
        )


# The name cnnspec 0.1 exported for a conv2d case.
Conv2dCase = Case.conv2d


def _check_convolution(case: Case) -> None:
    """[E.1-E.7, N.1] A convolution's rules: a known padding form, ranks, groups, stride and dilation, and
    an output of at least one element on each axis."""
    as_padding(case.padding, case.rank)  # an unknown padding form is E.7, not a TypeError from the arithmetic
    check_ranks(case.x_shape, cast(tuple, case.w_shape), case.rank)
    check_groups(case.groups, case.C_in, case.C_out)
    check_stride_dilation(case.stride, case.dilation)  # type: ignore[arg-type]
    check_output_size(case.spatial, case.kernel, stride=case.stride, padding=case.pads, dilation=case.dilation)


def _check_transposed(case: Case) -> None:
    """[U.1, U.4, E.10] A transposed convolution's rules."""
    check_groups(case.groups, case.C_in, case.C_out)
    check_stride_dilation(case.stride, case.dilation)  # type: ignore[arg-type]
    if len(case.output_padding) != case.rank:
        raise ConvSpecError(f"output_padding={case.output_padding} must have one entry per spatial axis", "U.1")
    if min(min(pair) for pair in case.padding) < 0 or min(case.output_padding) < 0:
        raise ConvSpecError(
            f"padding={case.padding} and output_padding={case.output_padding} must not be negative", "U.4"
        )
    if min(case.out_shape[2:]) < 1:
        raise ConvSpecError(f"the output {case.out_shape} must have every extent at least 1", "E.10")


def _check_pooling(case: Case) -> None:
    """[M.1, E.11] A pooling's rules: a window of at least one element that every output reads."""
    if case.C_in != case.C_out or case.groups != 1:
        raise ConvSpecError(f"a pooling keeps its channels: C_in={case.C_in} must be C_out={case.C_out}", "M.1")
    if min(case.kernel) < 1:
        raise ConvSpecError(f"kernel_size={case.kernel} must be at least 1 on each axis", "E.11")
    check_stride_dilation(case.stride, case.dilation)  # type: ignore[arg-type]
    if case.op == "avg_pool2d" and case.dilation != (1,) * case.rank:
        raise ConvSpecError(f"avg_pool2d has no dilation, got {case.dilation}", "M.1")
    for p, k, d in zip(case.padding, case.kernel, case.dilation):
        if not 0 <= p <= (d * (k - 1) + 1) // 2:
            raise ConvSpecError(
                f"padding={case.padding} must be between 0 and half the dilated window of "
                f"kernel {case.kernel} and dilation {case.dilation}",
                "E.11",
            )
        if p > k // 2:
            raise ConvSpecError(f"padding={case.padding} must be between 0 and half the kernel {case.kernel}", "M.1")
    if any(n < d for n, d in zip(case.spatial, case.dilation)):
        raise ConvSpecError(
            f"input extents {case.spatial} must be at least the dilation {case.dilation}, so "
            "that every window holds an input element",
            "M.1",
        )
    if min(case.out_shape[2:]) < 1:
        raise ConvSpecError(f"the output {case.out_shape} must have every extent at least 1", "E.11")
