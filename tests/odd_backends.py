"""Backends that misbehave the way native code does: a segfault, a hang, a memory hog, and one whose
name and messages are markup. The report must turn each into a row and keep going."""

from __future__ import annotations

import os
import signal
import time

import ml_dtypes
import numpy as np

from cnnspec import reference
from cnnspec.backends.reference import ReferenceBackend


class Crashes:
    """Segfaults on float32 calls with more than one input channel; the reference otherwise."""

    name = "crashes"

    def conv2d(self, x, w, b, /, **params):
        if x.dtype == np.float32 and x.ndim == 4 and x.shape[1] > 1:
            os.kill(os.getpid(), signal.SIGSEGV)
        return reference.conv2d(x, w, b, **params)


class Hangs:
    """Never returns."""

    name = "hangs"

    def conv2d(self, x, w, b, /, **params):
        time.sleep(3600)


class Hog:
    """Asks for 64 GiB on every call."""

    name = "hog"

    def conv2d(self, x, w, b, /, **params):
        np.ones(8 << 30)
        return reference.conv2d(x, w, b, **params)


class Markup:
    """A name and error messages that are HTML: a report must show them as text."""

    name = "<img src=x onerror=alert(1)>"

    def conv2d(self, x, w, b, /, **params):
        raise ValueError("</pre><script>alert(2)</script>")


class NoStride:
    """The reference, declaring every strided call unsupported: its runs never reach a stride above 1."""

    name = "no-stride"

    def conv2d(self, x, w, b, /, **params):
        return reference.conv2d(x, w, b, **params)

    def supports(self, case, dtype):
        return "no strides above 1" if max(case.stride) > 1 else None


class DeclaredTF32:
    """Rounds float32 inputs and weights to TF32's 10 explicit bits, as cuDNN with TF32 on does, and
    declares it (u = 2^-11): conformant, and the report measures the precision it carries."""

    name = "declared-tf32"

    def unit_roundoff(self, dtype):
        return 2.0**-11 if np.dtype(dtype) == np.float32 else float(ml_dtypes.finfo(dtype).eps) / 2

    def conv2d(self, x, w, b, /, **params):
        def tf32(a):
            if a.dtype != np.float32:
                return a
            return ((a.view(np.uint32) + 0x1000) & 0xFFFFE000).view(np.float32)

        return reference.conv2d(tf32(x), tf32(w), b, **params)


class CoveringValues(ReferenceBackend):
    """The reference, running only the part of each covering set that meets every corner once, as a
    compiling framework's adapter may ask."""

    name = "covering-values"
    covering = "values"


class CrashesOnFloat16:
    """Segfaults on every float16 call, the reference otherwise: each test dies in its third dtype, after
    two that finished, which a resumed run must not run again."""

    name = "crashes-on-float16"

    def conv2d(self, x, w, b, /, **params):
        if x.dtype == np.float16:
            os.kill(os.getpid(), signal.SIGSEGV)
        return reference.conv2d(x, w, b, **params)


class Counting(ReferenceBackend):
    """The reference, counting its conv2d calls and saying so at the end of the run (``statistics``), as a
    compiler says how many graphs it compiled."""

    name = "counting"

    def __init__(self):
        self.calls = 0

    def conv2d(self, x, w, b, /, **params):
        self.calls += 1
        return super().conv2d(x, w, b, **params)

    def statistics(self):
        return {"conv2d calls": self.calls}


class SetsThreads(ReferenceBackend):
    """The reference, whose loading sets OMP_NUM_THREADS=1, as importing Paddle does."""

    name = "sets-threads"

    def __init__(self):
        os.environ["OMP_NUM_THREADS"] = "1"
