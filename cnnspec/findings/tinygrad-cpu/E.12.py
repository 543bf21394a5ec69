from tinygrad import Tensor
x, w = Tensor.ones(2, 1, 3, 3), Tensor.ones(1, 1, 2, 2)
y = x.conv2d(w)  # shape (2, 1, 2, 2)
gx, gw = y.gradient(x, w, gradient=Tensor.ones(1, 2, 1, 2, 2))
print(gx.shape, gw.shape)  # (2, 1, 3, 3) (1, 1, 2, 2): a grad_output of shape (1, 2, 1, 2, 2) should raise
