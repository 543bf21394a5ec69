import numpy as np
import jax
jax.config.update('jax_enable_x64', True)
from jax import lax
x = np.array([[[[np.nan]], [[1.0]]]])  # (1, 2, 1, 1) float64
w = np.array([[[[1.0]]], [[[2.0]]]])   # (2, 1, 1, 1)
y = lax.conv_general_dilated(x, w, (1, 1), 'VALID', dimension_numbers=('NCHW', 'OIHW', 'NCHW'),
                             feature_group_count=2)
print(np.asarray(y).ravel())  # [nan nan]: should be [nan 2.]
