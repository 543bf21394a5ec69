import mlx.core as mx
mx.eval(mx.conv2d(mx.ones((1, 1, 1, 2)), mx.ones((2, 1, 1, 1)), groups=0))  # Floating point exception
