"""Every reproducer snippet of one backend computes what the backend computes: run as
``python -m snippet_check NAME`` in a process of its own. Loading a framework adapter (JAX's changes
the JAX configuration) and running its native code stay out of the pytest workers, where a fault
killed a worker twice in CI."""

from __future__ import annotations

import sys

import numpy as np

from cnnspec.backends import load, scheduled, supports, unavailable
from cnnspec.conformance.checks import Call, reproducer
from cnnspec.dtypes import BFLOAT16

PARAMS = [
    {"stride": (1, 1), "padding": ((0, 0), (0, 0)), "dilation": (1, 1), "groups": 1},
    {"stride": (2, 1), "padding": ((1, 2), (0, 3)), "dilation": (1, 2), "groups": 2},
    {"stride": (1, 1), "padding": "same", "dilation": (2, 1), "groups": 1},
    {"stride": (1, 2), "padding": ((1, 1), (2, 2)), "dilation": (1, 1), "groups": 4},
]
DTYPES = (np.float32, np.float16, BFLOAT16)


def arrays(groups: int, size: int = 6, dtype: type = np.float32) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Small integer x (2, 4, size, size), w (4, 4/groups, 3, 2) and b (4,) in ``dtype``."""
    rng = np.random.default_rng(1)
    x = rng.integers(-4, 5, (2, 4, size, size)).astype(dtype)
    w = rng.integers(-4, 5, (4, 4 // groups, 3, 2)).astype(dtype)
    return x, w, rng.integers(-4, 5, 4).astype(dtype)


def check(name: str) -> list[str]:
    """What differs between each snippet of backend ``name`` and the backend, over PARAMS and DTYPES."""
    backend = load(name)
    problems = []
    # A scheduled backend (torch.compile) compiles each shape and dtype anew, and its snippet's text is its
    # eager twin's, whose check runs every dtype: float32 alone here.
    for dtype in DTYPES[:1] if scheduled(name) else DTYPES:
        for params in PARAMS:
            # Over 64 elements: the base64 form of the arrays, which must keep bfloat16 too.
            call = Call.conv2d(backend, *arrays(params["groups"], size=12, dtype=dtype), **params)
            if supports(backend, call.case, call.x.dtype):
                continue
            namespace: dict = {}
            exec(reproducer(call).rpartition("\nprint(")[0], namespace)
            if not np.array_equal(namespace["y"], call.run()):
                problems.append(f"{np.dtype(dtype).name} {params}: the snippet's result differs from the backend's")
    return problems


UNAVAILABLE = 3  # the exit status that says the backend cannot run here; its reason is on stdout

if __name__ == "__main__":
    reason = unavailable(load(sys.argv[1]))
    if reason:
        print(reason)
        sys.exit(UNAVAILABLE)
    found = check(sys.argv[1])
    print("\n".join(found) or "ok")
    sys.exit(1 if found else 0)
