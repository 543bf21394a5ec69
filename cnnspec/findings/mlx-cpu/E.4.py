import mlx.core as mx
x = mx.full((1, 1, 1, 1), 3.0)
w = mx.array([[[[1.0]], [[100.0]]]])  # (C_out, kH, kW, C_in) = (1, 2, 1, 1)
print(mx.conv2d(x, w, stride=(2, 1)))  # [[[[3]]]]; stride=(1, 1) raises
