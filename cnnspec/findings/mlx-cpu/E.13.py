import mlx.core as mx
mx.set_default_device(mx.cpu)
x, w = mx.ones((0, 1, 1, 3)), mx.ones((3, 3, 1, 1))  # an empty batch, depthwise (groups=3), channels last
conv = lambda x, w: mx.conv_general(x, w, stride=(2, 1), padding=([2, 0], [2, 1]), kernel_dilation=(1, 2), groups=3)
mx.eval(mx.vjp(conv, [x, w], [mx.ones((0, 2, 2, 3))])[1])  # dies of SIGFPE instead of returning empty gradients or raising
