import paddle
import paddle.nn.functional as F
x, w = paddle.ones([1, 1, 2, 2]), paddle.ones([1, 1, 2, 2])
print(F.conv2d_transpose(x, w, dilation=(0, 1)).shape, F.conv2d_transpose(x, w, dilation=(-1, 1)).shape)  # [1, 1, 2, 3] [1, 1, 1, 3]: both should raise
