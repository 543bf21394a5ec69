import paddle
import paddle.nn.functional as F
for n in (1, 0):
    try:
        print(F.conv2d_transpose(paddle.ones([n, 9, 1, 1]), paddle.ones([9, 1, 1, 1]), groups=-1).shape)  # N = 0: [0, -1, 1, 1], should raise
    except Exception as e:
        print('N = 1 raises', type(e).__name__)
