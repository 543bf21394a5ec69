import torch
import torch.nn.functional as F
x = torch.tensor([[[[0.5, float('nan')]]]], dtype=torch.bfloat16)
print(F.conv2d(x, torch.ones(1, 1, 1, 1, dtype=torch.bfloat16), stride=(2, 1)))  # [[[[nan, nan]]]]
