import mlx.core as mx
try:
    print(mx.conv_transpose2d(mx.ones((1, 2, 2, 1)), mx.ones((1, 1, 1, 1)), stride=2, padding=1).shape)
except ValueError as e:  # torch's F.conv_transpose2d gives a (1, 1, 1, 1) result
    print('ValueError:', e)
