import paddle
import paddle.nn.functional as F
x, w = paddle.ones([2, 1, 1, 1]), paddle.ones([2, 1, 3, 2])
print(F.conv2d(x, w, padding='VALID', dilation=(1, 3)).numpy())  # dies of SIGSEGV instead of raising
