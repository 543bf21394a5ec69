import mlx.core as mx
x = mx.array([[[[0.1257302210933933]]]], dtype=mx.float64)
w = mx.array([[[[-0.1321048632913019]]]], dtype=mx.float64)
print(mx.conv2d(x, w).item(), (x * w).item())  # -0.016609571874141693 -0.016609573669127884
