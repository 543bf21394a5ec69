import mlx.core as mx
x, w = mx.ones((1, 3, 3, 1)), mx.ones((1, 2, 2, 1))
print([mx.conv_transpose2d(x, w, stride=2, output_padding=a).shape for a in (2, -1)])  # [(1, 8, 8, 1), (1, 5, 5, 1)]: both should raise
