from tinygrad import Tensor
x, w = Tensor.ones(1, 1, 3, 3), Tensor.ones(1, 1, 2, 2)
print(x.conv_transpose2d(w, dilation=0).shape, x.conv_transpose2d(w, padding=-1).shape)  # both should raise
