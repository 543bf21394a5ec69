import torch
import torch.nn.functional as F
torch.set_num_threads(2)
x = torch.tensor([[2., 1., 0., -2., -1.], [-3., -3., -3., -2., 2.], [1., 3., 0., 1., 3.],
                  [2., 1., 0., 0., 3.], [-2., 2., 1., -3., -1.], [3., 0., -3., 2., 2.]]).reshape(1, 1, 6, 5)
w = torch.tensor([[2., -2., -3.], [3., -3., 0.]]).reshape(1, 1, 2, 3)
y = F.conv2d(x.bfloat16(), w.bfloat16(), stride=(1, 2), dilation=(1, 2))
print(y.flatten().tolist())  # [7.0, 5.0, -6.0, -14.0, 7.0]: float32 gives [7.0, -3.0, -1.0, -14.0, 15.0]
