from tinygrad import Tensor
x = Tensor.ones(1, 1, 4, 4)
print(x.max_pool2d((0, 2), stride=2).shape, x.max_pool2d((2, 2), dilation=0).shape,
      Tensor.ones(4, 4).max_pool2d((2, 2)).shape)  # (1, 1, 3, 2) (1, 1, 2, 2) (2, 2): each should raise
