import torch
import torch.nn.functional as F
print(F.conv_transpose2d(torch.ones(2, 1, 3, 3), torch.ones(1, 1, 1, 1), dilation=(0, 1)).shape)  # torch.Size([2, 1, 3, 3]): should raise, as it does for a batch of 1
