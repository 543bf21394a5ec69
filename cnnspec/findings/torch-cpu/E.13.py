import torch
import torch.nn.functional as F
x, w = torch.ones(0, 3, 5, 5), torch.ones(3, 3, 3, 3)
print(F.conv2d(x, w, dilation=(0, 1)).shape)  # torch.Size([0, 3, 5, 3]): should raise, as it does for a batch of 1
print(F.conv_transpose2d(torch.ones(0, 1, 3, 3), torch.ones(1, 1, 2, 2), stride=2, output_padding=5).shape)  # torch.Size([0, 1, 11, 11]): should raise
