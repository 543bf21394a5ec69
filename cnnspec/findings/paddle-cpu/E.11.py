import paddle
import paddle.nn.functional as F
x = paddle.ones([1, 1, 3, 4])
print(F.max_pool2d(x, (0, 2), 1).shape, F.avg_pool2d(x, 2, 1, (-1, 0)).shape, F.max_pool2d(x, 2, 1, (2, 0)).shape, F.avg_pool2d(x, (4, 1), 1).shape)  # a kernel of 0, a negative padding, a padding above half the window, a window too large: each should raise
