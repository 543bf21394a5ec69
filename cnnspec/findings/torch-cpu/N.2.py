import torch
import torch.nn.functional as F
x = torch.ones(2, 2, 1, dtype=torch.float16)
w = torch.ones(2, 2, 1, dtype=torch.float16)
F.conv1d(x, w, stride=2, padding=1, dilation=2)
