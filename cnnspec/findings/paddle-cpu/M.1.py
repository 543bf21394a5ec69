import paddle
import paddle.nn.functional as F
x = paddle.to_tensor([[[[1.0, 2.0]]]])  # (1, 1, 1, 2): a 1x1 window every 2 columns fits once
print(F.max_pool2d(x, 1, (1, 2), 0, ceil_mode=True).numpy().tolist(), F.avg_pool2d(x, 1, (1, 2), 0, ceil_mode=True).numpy().tolist())  # [[[[1.0, -3.4e+38]]]] [[[[1.0, nan]]]]: [[[[1.0]]]] is right
