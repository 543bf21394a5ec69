import numpy as np
from tinygrad import Tensor
x = Tensor(np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4))
w = Tensor(np.array([[[[1.0, 10.0]]]], dtype=np.float32))
print(x.conv2d(w, dilation=(1, 0)).numpy()[0, 0, 0])  # [0, 11, 22, 33]: x[i, j] * 11
