import torch
import torch.nn.functional as F
x = torch.tensor([[[[1e-38]]]], dtype=torch.bfloat16)
print(F.conv2d(x, torch.ones(1, 1, 1, 1, dtype=torch.bfloat16)).item())  # 0.0, should be 1.0010069e-38
