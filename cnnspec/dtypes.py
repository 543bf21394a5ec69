"""[S.5] The dtypes the suite calls a backend with, and computes its reference in."""

from __future__ import annotations

import ml_dtypes
import numpy as np

# NumPy has no bfloat16; ml_dtypes's is the one JAX, TensorFlow and ONNX use.
BFLOAT16 = np.dtype(ml_dtypes.bfloat16)

# The dtypes a run may choose (``--cnnspec-dtype``), in the order the report lists them.
DTYPES: tuple[np.dtype, ...] = (np.dtype(np.float32), np.dtype(np.float64), np.dtype(np.float16), BFLOAT16)
