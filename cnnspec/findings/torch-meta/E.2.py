import torch
import torch.nn.functional as F
m = dict(device='meta')  # the kernels torch.compile and FakeTensor trace through
print(F.conv2d(torch.ones(1, 2, 3, 3, **m), torch.ones(1, 1, 2, 2, **m), groups=2).shape)  # groups=2 with C_out=1: should raise, as it does on the CPU
