from tinygrad import Tensor, nn
layer = nn.Conv2d(3, 8, (3, 5), padding='same', dilation=(2, 3))
print(layer(Tensor.ones(1, 3, 28, 31)).shape)  # (1, 8, 30, 27): "same" should keep (1, 8, 28, 31)
