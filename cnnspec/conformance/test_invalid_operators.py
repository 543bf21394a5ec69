"""[E.8-E.13] Invalid calls of the operators around conv2d (conv1d and conv3d, conv_transpose2d, pooling,
the gradients) and of every operation with an empty batch: each must raise, not return a result.

Each property makes every kind of invalid call its clause names from one valid call, in every example:
the spaces are small and discrete, and a sampled corner may never come up (issue "every corner").
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec import operations
from cnnspec.backends import output_padding_limit
from cnnspec.conformance.checks import Call, Nonconformance
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import arrays_of, conv_cases, conv_nd_cases, pool_cases, transposed_cases
from cnnspec.conformance.test_invalid import Invalid, bad_bias_shapes, invalid_convolutions, must_all_raise
from cnnspec.geometry import Case, pool_output_size, transposed_output_size
from cnnspec.operations import OPERATIONS

RANKS = pytest.mark.parametrize("rank", [1, 3], ids=["conv1d", "conv3d"])
POOLS = pytest.mark.parametrize("op", operations.POOLS)


def _draw(data, shapes: dict[str, tuple[int, ...] | None], dtype) -> dict[str, np.ndarray | None]:
    return data.draw(arrays_of(shapes, dtype), label="arrays")


def _spatial_only(x: np.ndarray) -> np.ndarray:
    """x without its batch and channel axes (from the first element, or zeros for an empty batch)."""
    return x[0, 0] if len(x) else np.zeros(x.shape[2:], x.dtype)


def invalid_nd(call: Call) -> Iterator[Invalid]:
    """[E.8] Every kind of invalid conv1d or conv3d call, from the valid ``call``: each wrong rank of the
    input and the weight, then E.2-E.6 axis by axis."""
    x, w = call.array("x"), call.array("w")
    n = x.ndim - 2
    for why, changes in {
        f"x of rank {n + 3}": {"x": x[None]},
        f"x of rank {n}": {"x": _spatial_only(x)},
        f"w of rank {n + 1}": {"w": w[0]},
        f"w of rank {n + 3}": {"w": w[None]},
    }.items():
        yield Invalid("E.8", why, call.but(**changes))
    yield from invalid_convolutions(call, ("E.8",) * 5)


def invalid_transposed(call: Call, case: Case) -> Iterator[Invalid]:
    """[E.9, E.10, U.4] Every kind of invalid conv_transpose2d call, from the valid ``call`` of ``case``:
    wrong ranks, a weight whose first axis is not C_in, groups that do not divide C_in, a stride or a
    dilation of 0 or -1 on each axis, a negative padding on each axis, each bad bias shape (E.9); padding
    that leaves no output row or column, exactly and by far, on each axis (E.10); output padding beyond
    the declared limit or negative (U.4); groups=0 last. Padding stays symmetric, which every framework can express."""
    x, w = call.array("x"), call.array("w")
    C_in, C_out, dtype = case.C_in, case.C_out, x.dtype
    for why, changes in {
        "x of rank 5": {"x": x[None]},
        "x of rank 2": {"x": _spatial_only(x)},
        "w of rank 3": {"w": w[0]},
        "w of rank 5": {"w": w[None]},
    }.items():
        yield Invalid("E.9", why, call.but(**changes))
    for first in dict.fromkeys(c for c in (C_in + 1, C_in - 1) if c >= 1):
        yield Invalid("E.9", f"w.shape[0]={first} with C_in={C_in}", call.but(w=np.ones((first, *w.shape[1:]), dtype)))
    for g in (next(g for g in range(2, C_in + 2) if C_in % g), -1):
        yield Invalid("E.9", f"groups={g} with C_in={C_in}", call.but(groups=g))
    for which, value, axis in itertools.product(("stride", "dilation"), (0, -1), (0, 1)):
        steps = list(getattr(case, which))
        steps[axis] = value
        yield Invalid("E.9", f"{which}={tuple(steps)}", call.but(**{which: tuple(steps)}))
    for axis in (0, 1):
        pads = list(case.padding)
        pads[axis] = (-1, -1)
        yield Invalid("E.9", f"padding={tuple(pads)}", call.but(padding=tuple(pads)))
    for shape in bad_bias_shapes(C_out):
        yield Invalid("E.9", f"bias of shape {shape} with C_out={C_out}", call.but(b=np.ones(shape, dtype)), "E.6")
    for axis in (0, 1):
        n, k = case.spatial[axis], case.kernel[axis]
        s, d, a = case.stride[axis], case.dilation[axis], case.output_padding[axis]
        fill = transposed_output_size(n, k, stride=s, pad=(0, 0), dilation=d, output_padding=a)
        for p in dict.fromkeys(((fill + 1) // 2, fill)):
            pads = list(case.padding)
            pads[axis] = (p, p)
            out = fill - 2 * p
            yield Invalid(
                "E.10",
                f"padding={tuple(pads)} leaves {out} output {'rows' if axis == 0 else 'columns'}",
                call.but(padding=tuple(pads)),
            )
    limit = output_padding_limit(call.backend)
    for axis in (0, 1):
        s, d = case.stride[axis], case.dilation[axis]
        for a in (-1, max(s, d) if limit == "stride or dilation" else s):
            extra = tuple(a if i == axis else 0 for i in range(2))
            yield Invalid(
                "U.4",
                f"output_padding={extra} with stride {case.stride} and dilation {case.dilation}, "
                f"beyond the declared limit (below the {limit})",
                call.but(output_padding=extra),
                "U.4",
            )
    # Last: a framework may die of it (KnownCrash), and every other rule is tried first.
    yield Invalid("E.9", f"groups=0 with C_in={C_in}", call.but(groups=0))


def invalid_pool(call: Call, case: Case) -> Iterator[Invalid]:
    """[E.11] Every kind of invalid pooling call, from the valid ``call`` of ``case``: wrong ranks, a kernel,
    a stride or (max) a dilation of 0 or -1 on each axis, a negative padding and one above half the
    dilated window on each axis, and a window larger than the padded input on each axis."""
    x = call.array("x")
    for why, changes in {"x of rank 5": {"x": x[None]}, "x of rank 2": {"x": _spatial_only(x)}}.items():
        yield Invalid("E.11", why, call.but(**changes))
    steps = ("kernel_size", "stride", "dilation") if case.op == "max_pool2d" else ("kernel_size", "stride")
    params = dict(call.params)
    for which, value, axis in itertools.product(steps, (0, -1), (0, 1)):
        changed = list(params[which])
        changed[axis] = value
        yield Invalid("E.11", f"{which}={tuple(changed)}", call.but(**{which: tuple(changed)}))
    for axis in (0, 1):
        k, d = case.kernel[axis], case.dilation[axis]
        for p in (-1, (d * (k - 1) + 1) // 2 + 1):
            pads = list(case.padding)
            pads[axis] = p
            yield Invalid(
                "E.11",
                f"padding={tuple(pads)} with kernel {case.kernel} and dilation {case.dilation}",
                call.but(padding=tuple(pads)),
            )
    for axis in (0, 1):
        # A kernel one longer than the input, unpadded on that axis: not even the first window fits.
        n, s, d = x.shape[2 + axis], case.stride[axis], case.dilation[axis]
        kernel, pads = list(case.kernel), list(case.padding)
        kernel[axis], pads[axis] = n + 1, 0
        out = pool_output_size(n, n + 1, stride=s, pad=0, dilation=d, ceil_mode=False)
        yield Invalid(
            "E.11",
            f"kernel {tuple(kernel)} on an input of {x.shape[2:]} leaves {out} outputs on axis {axis}",
            call.but(kernel_size=tuple(kernel), padding=tuple(pads), ceil_mode=False),
        )


def invalid_backward(call: Call) -> Iterator[Invalid]:
    """[E.12] Every kind of wrong ``grad_output``: one row, column, channel or batch element more or
    fewer, a rank too low or too high, and shapes that merely broadcast to the output's."""
    g = call.array("grad_output")
    N, C, H, W = g.shape
    shapes = [
        (N, C, H + 1, W),
        (N, C, H, W + 1),
        (N, C, H - 1, W),
        (N, C, H, W - 1),
        (N, C + 1, H, W),
        (N + 1, C, H, W),
        (C, H, W),
        (1, N, C, H, W),
        (1, C, 1, 1),
        (C, 1, 1),
        (1, 1, 1, 1),
    ]
    if C > 1:
        shapes.append((N, C - 1, H, W))
    for shape in dict.fromkeys(shapes):
        if shape != g.shape:
            yield Invalid(
                "E.12",
                f"grad_output of shape {shape} for an output of shape {g.shape}",
                call.but(grad_output=np.ones(shape, g.dtype)),
            )


@pytest.mark.clauses("E.8", "N.1")
@RANKS
@conformance
@given(data=st.data())
def test_invalid_conv1d_conv3d_are_rejected(backend, dtype, rank, data):
    case = data.draw(conv_nd_cases(rank=rank, max_group_channels=3, max_extra=2), label="case")
    a = _draw(data, {"x": case.x_shape, "w": case.w_shape, "b": case.b_shape}, dtype)
    must_all_raise(invalid_nd(Call.of(backend, case, **a)))


@pytest.mark.clauses("E.9", "U.1")
@conformance
@given(case=transposed_cases(), data=st.data())
def test_invalid_transposed_calls_are_rejected(backend, dtype, case, data):
    a = _draw(data, {"x": case.x_shape, "w": case.w_shape, "b": case.b_shape}, dtype)
    must_all_raise(invalid_transposed(Call.of(backend, case, **a), case), "E.9")


@pytest.mark.clauses("E.10", "U.1")
@conformance
@given(case=transposed_cases(), data=st.data())
def test_transposed_with_empty_output_is_rejected(backend, dtype, case, data):
    a = _draw(data, {"x": case.x_shape, "w": case.w_shape, "b": case.b_shape}, dtype)
    must_all_raise(invalid_transposed(Call.of(backend, case, **a), case), "E.10")


@pytest.mark.clauses("E.11", "M.1")
@POOLS
@conformance
@given(data=st.data())
def test_invalid_pooling_is_rejected(backend, dtype, op, data):
    case = data.draw(pool_cases(op), label="case")
    x = _draw(data, {"x": case.x_shape}, dtype)["x"]
    must_all_raise(invalid_pool(Call.of(backend, case, x=x), case))


gradient_cases = conv_cases(max_batch=2, max_group_channels=4, max_kernel=3, max_extra=4, covering_strength="values")


@pytest.mark.clauses("E.12", "B.1")
@conformance
@given(case=gradient_cases, data=st.data())
def test_gradient_of_the_wrong_shape_is_rejected(backend, dtype, case, data):
    a = _draw(data, {"x": case.x_shape, "w": case.w_shape, "b": case.b_shape, "grad_output": case.out_shape}, dtype)
    must_all_raise(invalid_backward(Call.of(backend, case, op="conv2d_backward", **a)))


def _empty_batch(call, expected: tuple[int, ...]) -> None:
    """[E.13] The valid call with no batch elements: raised, or the shape ``expected`` (the output's, or
    for the gradients grad_input's, with N = 0)."""
    try:
        out = call.answer()
    except Exception:
        return
    shapes = [np.shape(o) for o in out] if isinstance(out, tuple) else [np.shape(out)]
    if shapes[0] != expected:
        raise Nonconformance.of(
            f"returned shape {shapes[0]} for an empty batch, but should return {expected} (or raise)", "E.13", call
        )


def _unbatched(invalid: Iterator[Invalid]) -> Iterator[Invalid]:
    for clause, why, call, rule in map(lambda made: Invalid(*made), invalid):
        yield Invalid("E.13", f"{why} ({clause}), with an empty batch", call, rule or clause)


@pytest.mark.clauses("E.13", "S.1")
@pytest.mark.parametrize("op", list(OPERATIONS))
@conformance
@given(data=st.data())
def test_empty_batch_is_validated_as_any_other(backend, dtype, op, data):
    if op in ("conv2d", "conv2d_backward"):
        case = data.draw(gradient_cases, label="case")
        a = _draw(data, {"x": case.x_shape, "w": case.w_shape, "b": case.b_shape, "g": case.out_shape}, dtype)
        x, w, b, g = a["x"][:0], a["w"], a["b"], a["g"][:0]
        if op == "conv2d":
            call = Call.of(backend, case, x=x, w=w, b=b)
            call.skip_unsupported()
            invalid = invalid_convolutions(call)
        else:
            call = Call.of(backend, case, op=op, x=x, w=w, b=b, grad_output=g)
            call.skip_unsupported()
            invalid = invalid_backward(call)
    elif op in ("conv1d", "conv3d"):
        case = data.draw(conv_nd_cases(rank=int(op[4]), max_group_channels=3, max_extra=2), label="case")
        a = _draw(data, {"x": case.x_shape, "w": case.w_shape, "b": case.b_shape}, dtype)
        call = Call.of(backend, case, **{**a, "x": a["x"][:0]})
        call.skip_unsupported()
        invalid = invalid_nd(call)
    elif op == "conv_transpose2d":
        case = data.draw(transposed_cases(), label="case")
        a = _draw(data, {"x": case.x_shape, "w": case.w_shape, "b": case.b_shape}, dtype)
        call = Call.of(backend, case, **{**a, "x": a["x"][:0]})
        call.skip_unsupported()
        invalid = invalid_transposed(call, case)
    else:
        case = data.draw(pool_cases(op), label="case")
        call = Call.of(backend, case, x=_draw(data, {"x": case.x_shape}, dtype)["x"][:0])
        call.skip_unsupported()
        invalid = invalid_pool(call, case)
    _empty_batch(call, (0, *(case.x_shape if op == "conv2d_backward" else case.out_shape)[1:]))
    must_all_raise(_unbatched(invalid))
