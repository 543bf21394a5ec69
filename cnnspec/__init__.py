"""cnnspec: a conformance suite for 2-D convolution, with a numbered spec (spec/conv2d.md), a reference
that reads like it, Hypothesis properties, and pluggable backends."""

from cnnspec.errors import ConvSpecError
from cnnspec.geometry import Conv2dCase
from cnnspec.reference import conv2d, conv2d_definition

__version__ = "0.1.0"
__all__ = ["Conv2dCase", "ConvSpecError", "conv2d", "conv2d_definition", "__version__"]
