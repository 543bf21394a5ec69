import torch
import torch.nn.functional as F
cl = torch.channels_last
x = torch.ones(2, 2, 3, 3, dtype=torch.bfloat16).contiguous(memory_format=cl)
w = torch.ones(4, 1, 2, 3, dtype=torch.bfloat16).contiguous(memory_format=cl)
print(F.conv2d(x, w, stride=(1, 2), groups=2).unique())  # tensor([3., 6.]): every output should be 6
