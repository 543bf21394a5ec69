"""How fast the references of the operators around conv2d are, as ratios against torch's CPU kernels
for the same calls, measured in the same run.

    python benchmarks/bench_operators.py [--cases 100]

The cases are the suite's own (derandomized strategies, float64): the sizes Hypothesis draws, which
is what an oracle spends its time on. Each figure is the total over the cases, best of 3 repeats.
"""

from __future__ import annotations

import argparse
import timeit

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnspec import adjoint, pooling, reference
from cnnspec.conformance.strategies import conv_cases, conv_nd_cases, pool_cases, transposed_cases


def _draw(strategy: st.SearchStrategy, n: int) -> list:
    found = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None)
    @given(strategy)
    def collect(case):
        found.append(case)

    collect()
    return found


def _t(a):
    return None if a is None else torch.from_numpy(a)


def _pads_nd(case):
    return [v for lo, hi in reversed(case.pads) for v in (lo, hi)]


def conv3d_pair(case, rng):
    x, w = rng.standard_normal(case.x_shape), rng.standard_normal(case.w_shape)
    ours = lambda: reference.conv(x, w, None, **case.params())  # noqa: E731
    theirs = lambda: F.conv3d(
        F.pad(_t(x), _pads_nd(case)),
        _t(w),
        None,
        stride=case.stride,  # noqa: E731
        dilation=case.dilation,
        groups=case.groups,
    )
    return ours, theirs


def backward_pair(case, rng):
    x, w, g = (rng.standard_normal(s) for s in (case.x_shape, case.w_shape, case.out_shape))
    ours = lambda: adjoint.conv_grad(x, w, None, g, **case.params())  # noqa: E731

    def theirs():
        tx, tw = _t(x).requires_grad_(), _t(w).requires_grad_()
        (top, bottom), (left, right) = case.pads
        y = F.conv2d(
            F.pad(tx, (left, right, top, bottom)), tw, stride=case.stride, dilation=case.dilation, groups=case.groups
        )
        return torch.autograd.grad(y, (tx, tw), _t(g))

    return ours, theirs


def transposed_pair(case, rng):
    if any(lo != hi for lo, hi in case.padding):
        return None  # torch's padding is symmetric
    x, w = rng.standard_normal(case.x_shape), rng.standard_normal(case.w_shape)
    sym = tuple(lo for lo, _ in case.padding)
    ours = lambda: adjoint.conv_transpose2d(x, w, None, **case.params())  # noqa: E731
    theirs = lambda: F.conv_transpose2d(
        _t(x),
        _t(w),
        None,
        stride=case.stride,
        padding=sym,  # noqa: E731
        output_padding=case.output_padding,
        groups=case.groups,
        dilation=case.dilation,
    )
    return ours, theirs


def pool_pair(case, rng):
    x = rng.standard_normal(case.x_shape)
    if case.op == "max_pool2d":
        return (
            lambda: pooling.max_pool2d(x, case),
            lambda: F.max_pool2d(
                _t(x), case.kernel, case.stride, case.padding, case.dilation, ceil_mode=case.ceil_mode
            ),
        )
    return (
        lambda: pooling.avg_pool2d(x, case),
        lambda: F.avg_pool2d(
            _t(x),
            case.kernel,
            case.stride,
            case.padding,
            ceil_mode=case.ceil_mode,
            count_include_pad=case.count_include_pad,
        ),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100)
    n = parser.parse_args().cases
    torch.set_num_threads(1)
    rng = np.random.default_rng(0)
    rows = [
        ("conv3d (N)", conv_nd_cases(rank=3), conv3d_pair),
        ("conv2d gradients (B)", conv_cases(max_batch=2, max_group_channels=6, max_extra=6), backward_pair),
        ("conv_transpose2d (U)", transposed_cases(), transposed_pair),
        ("max_pool2d (M)", pool_cases("max_pool2d"), pool_pair),
        ("avg_pool2d (M)", pool_cases("avg_pool2d"), pool_pair),
    ]
    print(f"{'operator':24} {'cases':>6} {'reference s':>12} {'torch s':>10} {'ratio':>7}")
    for name, strategy, pair in rows:
        calls = [c for c in (pair(case, rng) for case in _draw(strategy, n)) if c is not None]
        ours = min(timeit.repeat(lambda: [c[0]() for c in calls], number=1, repeat=3))
        theirs = min(timeit.repeat(lambda: [c[1]() for c in calls], number=1, repeat=3))
        print(f"{name:24} {len(calls):6d} {ours:12.4f} {theirs:10.4f} {ours / theirs:7.2f}")


if __name__ == "__main__":
    main()
