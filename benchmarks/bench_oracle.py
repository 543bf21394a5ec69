"""How fast the reference oracle is, as ratios against torch's CPU conv2d measured in the same run.

    python benchmarks/bench_oracle.py [--cases 300]

Hypothesis-sized cases are drawn by the suite's own strategy (derandomized, so every run times the
same cases); the layers are typical of real networks. Each figure is the best of several repeats.
"""

from __future__ import annotations

import argparse
import timeit

import numpy as np
import torch
import torch.nn.functional as F
from hypothesis import given, settings

from cnnspec import reference
from cnnspec.conformance.strategies import conv_cases, make_arrays
from cnnspec.geometry import Case

LAYERS = {
    "dense 64->64, 56x56, 3x3 pad 1": Case.conv2d(
        N=1, C_in=64, H=56, W=56, C_out=64, kH=3, kW=3, padding=((1, 1), (1, 1))
    ),
    "ResNet stem 3->64, 224x224, 7x7 s2": Case.conv2d(
        N=1, C_in=3, H=224, W=224, C_out=64, kH=7, kW=7, stride=(2, 2), padding=((3, 3), (3, 3))
    ),
    "AlexNet conv2 groups=2, 96->256, 27x27, 5x5": Case.conv2d(
        N=1, C_in=96, H=27, W=27, C_out=256, kH=5, kW=5, padding=((2, 2), (2, 2)), groups=2
    ),
    "depthwise 32ch, 112x112, 3x3": Case.conv2d(
        N=1, C_in=32, H=112, W=112, C_out=32, kH=3, kW=3, padding=((1, 1), (1, 1)), groups=32
    ),
    "LeNet-5 C3 6->16, 14x14, 5x5": Case.conv2d(N=1, C_in=6, H=14, W=14, C_out=16, kH=5, kW=5),
}


def torch_call(case: Case, x: np.ndarray, w: np.ndarray, b: np.ndarray | None):
    (top, bottom), (left, right) = case.pads
    tx, tw = torch.from_numpy(x), torch.from_numpy(w)
    tb = None if b is None else torch.from_numpy(b)
    if (top, left) != (bottom, right):
        tx = F.pad(tx, (left, right, top, bottom))
        top = left = 0
    return lambda: F.conv2d(
        tx, tw, tb, stride=case.stride, padding=(top, left), dilation=case.dilation, groups=case.groups
    )


def best(fn, repeat: int = 5) -> float:
    number = max(1, int(0.02 / max(timeit.timeit(fn, number=1), 1e-7)))
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number


def time_case(case: Case) -> dict[str, float]:
    out = {}
    for dtype in (np.float32, np.float64):
        a = make_arrays(case, dtype, 0, "floats")
        out[f"torch {np.dtype(dtype).name}"] = best(torch_call(case, a.x, a.w, a.b))
    a = make_arrays(case, np.float32, 0, "floats")
    out["oracle"] = best(lambda: reference.conv2d(a.x, a.w, a.b, **case.params()))
    return out


def hypothesis_cases(n: int) -> list[Case]:
    cases: list[Case] = []

    @settings(max_examples=n, derandomize=True, database=None, deadline=None)
    @given(case=conv_cases())
    def collect(case):
        cases.append(case)

    collect()
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=300, help="Hypothesis-sized cases to time")
    args = parser.parse_args()
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads; numpy {np.__version__}")
    totals = {"oracle": 0.0, "torch float32": 0.0, "torch float64": 0.0}
    cases = hypothesis_cases(args.cases)
    for case in cases:
        for key, seconds in time_case(case).items():
            totals[key] += seconds
    print(f"\n{len(cases)} Hypothesis-sized cases (conv_cases() defaults), summed time per call of each:")
    print(
        f"  oracle {totals['oracle'] * 1e3:.1f} ms, torch float32 {totals['torch float32'] * 1e3:.1f} ms, "
        f"torch float64 {totals['torch float64'] * 1e3:.1f} ms"
    )
    print(
        f"  oracle / torch float32 = {totals['oracle'] / totals['torch float32']:.2f}x, "
        f"oracle / torch float64 = {totals['oracle'] / totals['torch float64']:.2f}x"
    )
    print("\nlayers (oracle time / torch time):")
    for name, case in LAYERS.items():
        t = time_case(case)
        print(
            f"  {name:45s} oracle {t['oracle'] * 1e3:8.2f} ms | vs float32 {t['oracle'] / t['torch float32']:5.2f}x"
            f" | vs float64 {t['oracle'] / t['torch float64']:5.2f}x"
        )


if __name__ == "__main__":
    main()
