import paddle
import paddle.nn.functional as F
x, w = paddle.full([1, 1, 1, 1], 3.0), paddle.full([1, 1, 1, 1], 2.0)
x.stop_gradient = w.stop_gradient = False
for shape in ([1, 1, 0, 1], [2, 1, 1, 1], [1, 1, 1]):  # the output's shape is [1, 1, 1, 1]
    print(*(g.shape for g in paddle.grad([F.conv2d(x, w)], [x, w], [paddle.ones(shape)])))  # each should raise
