"""[N] conv1d and conv3d: one N-d set of properties against the N-d reference, the spatial axes each
following their own parameters, and ranks nesting into conv2d, the main case."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cnnspec import reference
from cnnspec.accuracy import declared_precision, error_bound, exact_integers
from cnnspec.conformance.checks import Call, assert_equal, assert_within, discard
from cnnspec.conformance.covering import exhaustive
from cnnspec.conformance.profiles import conformance
from cnnspec.conformance.strategies import Values, arrays_of, conv_nd_cases
from cnnspec.geometry import Case

RANKS = pytest.mark.parametrize("rank", [1, 3], ids=["conv1d", "conv3d"])


def conv_call(backend, case: Case, x, w, b) -> Call:
    """The call of ``case``, whose operation its rank names."""
    return Call.of(backend, case, x=x, w=w, b=b)


def _arrays(data, case: Case, dtype, values: Values):
    a = data.draw(
        arrays_of({"x": case.x_shape, "w": case.w_shape, "b": case.b_shape}, dtype, values=values, terms=case.K),
        label="arrays",
    )
    return a["x"], a["w"], a["b"]


def _exact(data, case: Case, dtype):
    """Integer arrays whose sums stay exact in ``dtype`` (A.2), or a discarded example."""
    x, w, b = _arrays(data, case, dtype, "integers")
    if reference.conv_magnitude(x, w, b, **case.params()).max() > exact_integers(dtype):
        discard(f"K={case.K} is too long for exact integer sums in {np.dtype(dtype).name}")
    return x, w, b


@pytest.mark.clauses("N.2", "A.1", "N.1")
@RANKS
@conformance
@given(data=st.data())
def test_conv1d_conv3d_match_reference_within_bound(backend, dtype, rank, data):
    case = data.draw(conv_nd_cases(rank=rank), label="case")
    x, w, b = _arrays(data, case, dtype, "floats")
    call = conv_call(backend, case, x, w, b)
    wide = [None if a is None else a.astype(np.float64) for a in (x, w, b)]
    r64 = reference.conv(*wide, **case.params())
    bound = error_bound(
        reference.conv_magnitude(*wide, **case.params()), r64, case.K, declared_precision(backend, np.dtype(dtype))
    )
    assert_within(
        call.run("N.2"),
        r64.astype(dtype),
        bound,
        clause="N.2",
        call=call,
        why=f"the float64 rank-{rank} reference, within the declared bound of A.6",
    )


@pytest.mark.clauses("N.2", "A.2")
@RANKS
@conformance
@given(data=st.data())
def test_conv1d_conv3d_exact_on_small_integers(backend, dtype, rank, data):
    case = data.draw(conv_nd_cases(rank=rank), label="case")
    x, w, b = _exact(data, case, dtype)
    call = conv_call(backend, case, x, w, b)
    assert_equal(
        call.run("N.2"),
        reference.conv(x, w, b, **case.params()),
        clause="N.2",
        call=call,
        why=f"the exact integer result of the rank-{rank} definition",
    )


@pytest.mark.clauses("N.3", "N.1")
@conformance
@given(
    case=conv_nd_cases(rank=3),
    order=exhaustive([p for p in itertools.permutations(range(3)) if p != (0, 1, 2)]),
    data=st.data(),
)
def test_spatial_axes_follow_their_own_parameters(backend, dtype, case, order, data):
    x, w, b = _exact(data, case, dtype)
    axes = (0, 1, *(2 + a for a in order))
    whole = conv_call(backend, case, x, w, b).run("N.3")
    permuted = conv_call(
        backend,
        case.permuted(order),
        np.ascontiguousarray(x.transpose(axes)),
        np.ascontiguousarray(w.transpose(axes)),
        b,
    )
    assert_equal(
        permuted.run("N.3"),
        np.ascontiguousarray(whole.transpose(axes)),
        clause="N.3",
        call=permuted,
        why=f"the unpermuted result with its spatial axes taken in order {order}",
    )


@pytest.mark.clauses("N.4", "N.1")
@RANKS
@conformance
@given(data=st.data())
def test_ranks_nest(backend, dtype, rank, data):
    # conv1d is checked against conv2d with H = kH = 1, and conv2d against conv3d with D = kD = 1.
    lower = data.draw(conv_nd_cases(rank=1 if rank == 1 else 2), label="case")
    padding = lower.padding if isinstance(lower.padding, str) else ((0, 0), *lower.padding)
    upper = Case.conv(
        lower.N,
        lower.C_in,
        lower.C_out,
        (1, *lower.spatial),
        (1, *lower.kernel),
        (1, *lower.stride),
        padding,
        (1, *lower.dilation),
        lower.groups,
        lower.bias,
    )
    x, w, b = _exact(data, lower, dtype)
    low = conv_call(backend, lower, x, w, b)
    high = conv_call(backend, upper, x[:, :, None], w[:, :, None], b)
    assert_equal(
        high.run("N.4")[:, :, 0],
        low.run("N.4"),
        clause="N.4",
        call=high,
        why=f"the rank-{lower.rank} result of the same arrays without the extent-1 axis",
    )
