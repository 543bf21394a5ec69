import torch
import torch.nn.functional as F
x = torch.ones(1, 2, 2, 1).contiguous(memory_format=torch.channels_last)
w = torch.ones(4, 1, 1, 1)
F.conv2d(x, w, torch.ones(4), stride=(1, 2), padding=(0, 1), dilation=(1, 2), groups=2)
