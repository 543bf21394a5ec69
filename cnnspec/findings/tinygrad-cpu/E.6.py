import numpy as np
from tinygrad import Tensor
x, w = Tensor(np.ones((1, 1, 1, 1), np.float32)), Tensor(np.ones((1, 1, 1, 1), np.float32))
print(x.conv2d(w, Tensor(np.ones(2, np.float32))).shape)  # (1, 2, 1, 1) with C_out = 1
