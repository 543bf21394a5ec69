import numpy as np
from jax import lax
dn = ('NCHW', 'OIHW', 'NCHW')
x = np.arange(15, dtype=np.float32).reshape(1, 1, 3, 5)
w = np.ones((1, 1, 3, 3), np.float32)
y = lax.conv_general_dilated(x, w, (1, 1), ((0, 0), (-1, 1)), dimension_numbers=dn)
# The same conv spelt out: the first column cropped, one zero column padded on the right.
z = lax.conv_general_dilated(np.pad(x[..., 1:], ((0, 0), (0, 0), (0, 0), (0, 1))), w, (1, 1), 'VALID',
                             dimension_numbers=dn)
print(np.asarray(y).ravel().tolist(), np.asarray(z).ravel().tolist())  # [63.0, 72.0, 66.0] [63.0, 72.0, 51.0]
