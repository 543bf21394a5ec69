import paddle
import paddle.nn.functional as F
x, w = paddle.ones([1, 1, 2, 1]), paddle.ones([1, 1, 1, 1])
print(F.conv2d_transpose(x, w, padding=[[0, 0], [0, 0], [1, 1], [0, 0]]).shape)  # [1, 1, 0, 1]: no output row left, should raise
