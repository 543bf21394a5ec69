import numpy as np
from jax import lax
y = lax.conv_general_dilated(np.ones((1, 1, 1, 1), np.float32), np.ones((1, 1, 2, 1), np.float32),
                             (1, 1), 'VALID', dimension_numbers=('NCHW', 'OIHW', 'NCHW'))
print(y.shape)  # (1, 1, 0, 1)
