import torch
import torch.nn.functional as F
m = dict(device='meta')  # the kernels torch.compile and FakeTensor trace through
print(F.conv2d(torch.ones(1, 1, 3, 3, **m), torch.ones(1, 1, 2, 2, **m), torch.ones(2, **m)).shape)  # a bias of 2 entries for C_out=1: should raise, as it does on the CPU
