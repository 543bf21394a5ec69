"""Backends that misbehave the way native code does: a segfault, a hang, a memory hog, and one whose
name and messages are markup. The report must turn each into a row and keep going."""

from __future__ import annotations

import os
import signal
import time

import numpy as np

from cnnspec import reference


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
