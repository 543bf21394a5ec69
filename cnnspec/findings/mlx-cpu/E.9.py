import mlx.core as mx
print(mx.conv_transpose2d(mx.ones((1, 1, 1, 1)), mx.ones((1, 1, 1, 1)), padding=(-1, 0)).shape)  # (1, 3, 1, 1): a negative padding should raise
