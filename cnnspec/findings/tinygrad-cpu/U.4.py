from tinygrad import Tensor
x, w = Tensor.ones(1, 1, 3, 3), Tensor.ones(1, 1, 2, 2)
print([x.conv_transpose2d(w, stride=2, output_padding=a).shape for a in (2, -1)])  # [(1, 1, 8, 8), (1, 1, 5, 5)]: both should raise
