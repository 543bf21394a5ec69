import torch
import torch.nn.functional as F
print(F.conv_transpose2d(torch.ones(12, 8, 2, 2), torch.ones(8, 4, 1, 1), padding=1).shape)  # torch.Size([12, 4, 0, 0]): should raise, as it does with one channel
