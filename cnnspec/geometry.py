"""Shapes and parameters of a conv2d call: the S, G, P, T and E clauses, one function each.

Everything here works on shapes and integers, never on data, so a backend adapter, a strategy and the
reference all share one reading of the spec's geometry.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from typing import Literal, Union

from cnnspec.errors import ConvSpecError

Pair = tuple[int, int]
ExplicitPadding = tuple[Pair, Pair]
Padding = Union[ExplicitPadding, Literal["valid", "same"]]
NO_PADDING: ExplicitPadding = ((0, 0), (0, 0))


def _is_int(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def as_pair(name: str, value: int | Pair) -> Pair:
    """[D.2] A per-axis parameter as a (height, width) pair; a single integer means both axes."""
    if _is_int(value):
        return (int(value), int(value))  # type: ignore[arg-type]
    if isinstance(value, (tuple, list)) and len(value) == 2 and all(_is_int(v) for v in value):
        return (int(value[0]), int(value[1]))
    raise ConvSpecError(f"{name}={value!r} must be an integer or a pair of integers (height, width)", "D.2")


def as_padding(padding: object) -> Padding:
    """[D.2, E.7] Padding as "valid", "same" or explicit ((top, bottom), (left, right)) amounts.

    Also accepts one integer (all four sides) and a pair (height, width) of symmetric amounts.
    """
    if isinstance(padding, str):
        if padding in ("valid", "same"):
            return padding  # type: ignore[return-value]
        raise ConvSpecError(f'padding={padding!r} must be "valid", "same" or explicit amounts', "E.7")
    if _is_int(padding):
        p = int(padding)  # type: ignore[call-overload]
        return ((p, p), (p, p))
    if isinstance(padding, (tuple, list)) and len(padding) == 2:
        if all(_is_int(v) for v in padding):
            return ((int(padding[0]), int(padding[0])), (int(padding[1]), int(padding[1])))
        try:
            (top, bottom), (left, right) = as_pair("padding[0]", padding[0]), as_pair("padding[1]", padding[1])
        except ConvSpecError:
            pass
        else:
            return ((top, bottom), (left, right))
    raise ConvSpecError(
        f"padding={padding!r} must be \"valid\", \"same\", an integer, or ((top, bottom), (left, right))", "D.2"
    )


def output_size(size: int, kernel: int, *, stride: int, pad: Pair, dilation: int) -> int:
    """[S.4] floor((size + pad_lo + pad_hi - dilation*(kernel-1) - 1) / stride) + 1."""
    return (size + pad[0] + pad[1] - dilation * (kernel - 1) - 1) // stride + 1


def same_padding(size: int, kernel: int, *, stride: int, dilation: int) -> Pair:
    """[P.4] Output ceil(size/stride); total padding split with the odd unit at the end (bottom, right)."""
    out = -(-size // stride)
    total = max((out - 1) * stride + dilation * (kernel - 1) + 1 - size, 0)
    return (total // 2, total - total // 2)


def explicit_padding(
    padding: Padding, spatial: Pair, kernel: Pair, *, stride: Pair, dilation: Pair
) -> ExplicitPadding:
    """[P.3, P.4] The explicit ((top, bottom), (left, right)) amounts that a padding form stands for."""
    if padding == "valid":
        return NO_PADDING
    if padding == "same":
        return (
            same_padding(spatial[0], kernel[0], stride=stride[0], dilation=dilation[0]),
            same_padding(spatial[1], kernel[1], stride=stride[1], dilation=dilation[1]),
        )
    return padding  # type: ignore[return-value]


def check_ranks(x_shape: tuple[int, ...], w_shape: tuple[int, ...]) -> None:
    """[E.1, S.1, S.2] The input and the weight have rank 4 (after S.6/S.7 normalisation) and no empty extent."""
    if len(x_shape) != 4:
        raise ConvSpecError(f"input of shape {x_shape} must have rank 4 (N, C_in, H, W), or 3 or 2", "E.1")
    if len(w_shape) != 4:
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


def check_output_size(
    spatial: Pair, kernel: Pair, *, stride: Pair, padding: ExplicitPadding, dilation: Pair
) -> Pair:
    """[E.4, S.4, P.5] The dilated kernel fits in the padded (or cropped) input; returns (H_out, W_out)."""
    out = []
    for axis, size, k, s, pad, d in zip("HW", spatial, kernel, stride, padding, dilation):
        padded = size + pad[0] + pad[1]
        if d * (k - 1) + 1 > padded:
            raise ConvSpecError(
                f"dilated kernel extent {d}*({k}-1)+1={d * (k - 1) + 1} must not exceed the padded input "
                f"{axis}={size}+{pad[0]}+{pad[1]}={padded}",
                "E.4",
            )
        out.append(output_size(size, k, stride=s, pad=pad, dilation=d))
    return (out[0], out[1])


@dataclass(frozen=True)
class Conv2dCase:
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

    def __post_init__(self) -> None:
        as_padding(self.padding)  # an unknown padding form is E.7, not a TypeError from the arithmetic below
        check_ranks(self.x_shape, self.w_shape)
        check_groups(self.groups, self.C_in, self.C_out)
        check_stride_dilation(self.stride, self.dilation)
        check_output_size((self.H, self.W), (self.kH, self.kW), stride=self.stride, padding=self.pads,
                          dilation=self.dilation)

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
        return explicit_padding(
            self.padding, (self.H, self.W), (self.kH, self.kW), stride=self.stride, dilation=self.dilation
        )

    @property
    def out_shape(self) -> tuple[int, int, int, int]:
        """[S.4] (N, C_out, H_out, W_out)."""
        H_out, W_out = check_output_size((self.H, self.W), (self.kH, self.kW), stride=self.stride, padding=self.pads,
                                         dilation=self.dilation)
        return (self.N, self.C_out, H_out, W_out)

    @property
    def K(self) -> int:
        """[D.4] The accumulation length C_in/groups * kH * kW."""
        return self.C_in // self.groups * self.kH * self.kW

    def params(self) -> dict[str, object]:
        """The keyword arguments of this case's backend call."""
        return {"stride": self.stride, "padding": self.padding, "dilation": self.dilation, "groups": self.groups}


def may_reject(x_ndim: int, *, stride: Pair, padding: Padding) -> str | None:
    """The clause that lets an implementation reject a valid call (S.6, S.7, P.4, P.5), or None."""
    if x_ndim == 3:
        return "S.6"
    if x_ndim == 2:
        return "S.7"
    if padding == "same" and max(stride) > 1:
        return "P.4"
    if padding not in ("same", "valid") and min(min(padding[0]), min(padding[1])) < 0:  # type: ignore[arg-type]
        return "P.5"
    return None
