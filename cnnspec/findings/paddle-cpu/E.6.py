import paddle
import paddle.nn.functional as F
x, w = paddle.ones([1, 3, 2, 2]), paddle.ones([3, 3, 1, 1])  # C_out = 3
print(F.conv2d(x, w, paddle.ones([3, 1])).shape, F.conv2d(x, w, paddle.ones([1])).shape)  # [1, 3, 3, 2, 2] [1, 3, 2, 2]: both should raise
