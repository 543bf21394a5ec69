import numpy as np
import paddle
import paddle.nn.functional as F
x = paddle.to_tensor(np.arange(1, 8, dtype=np.float32).reshape(1, 1, 1, 7))  # one row: 1 .. 7
w = paddle.to_tensor(np.array([[[[1.0, 10.0, 100.0]]]], np.float32))
print(F.conv2d(x, w, padding='SAME', dilation=(1, 2)).numpy().ravel().tolist())  # [210.0, 321.0, ...]: dilation 1's result; dilation 2 gives [310.0, 420.0, ...]
