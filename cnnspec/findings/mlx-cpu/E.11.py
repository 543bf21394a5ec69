import mlx.core as mx
import mlx.nn as nn
x = mx.ones((1, 4, 4, 1))
print(nn.AvgPool2d(3, 1, 2)(x).shape, nn.MaxPool2d((5, 3), 1)(x).shape)  # padding 2 > 3 // 2, and a window past the input: both should raise
