"""cnnspec: a conformance suite for 2-D convolution, with a numbered spec (spec/conv2d.md), a reference
that reads like it, Hypothesis properties, and pluggable backends.

Importing the package imports nothing else: its pytest plugin is loaded in every session of an
environment, so the names below load NumPy and the reference when first asked for.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"
__all__ = ["Case", "Conv2dCase", "ConvSpecError", "conv2d", "conv2d_definition", "__version__"]

_HOMES = {
    "ConvSpecError": "cnnspec.errors",
    "Case": "cnnspec.geometry",
    "Conv2dCase": "cnnspec.geometry",  # the name 0.1 exported: Case.conv2d
    "conv2d": "cnnspec.reference",
    "conv2d_definition": "cnnspec.reference",
}


def __getattr__(name: str) -> Any:
    if name in _HOMES:
        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'cnnspec' has no attribute {name!r}")
