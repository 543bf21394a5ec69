import torch
import torch.nn.functional as F
m = dict(device='meta')  # the kernels torch.compile and FakeTensor trace through
print(F.conv1d(torch.ones(1, 1, 4, **m), torch.ones(1, 1, 2, **m), dilation=0).shape)  # conv1d with dilation 0: should raise, as it does on the CPU
