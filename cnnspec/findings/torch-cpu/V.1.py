import torch
import torch.nn.functional as F
x = torch.ones(1, 3, 4, 1, dtype=torch.float16)
w = torch.ones(9, 1, 3, 1, dtype=torch.float16)
F.conv2d(x, w, stride=(2, 3), padding=(3, 2), dilation=(1, 2), groups=3)
