import torch
import torch.nn.functional as F
m = dict(device='meta')  # the kernels torch.compile and FakeTensor trace through
print(F.conv2d(torch.ones(1, 1, 3, 3, **m), torch.ones(1, 1, 2, 2, **m), stride=(-1, 1)).shape)  # a stride of -1: should raise, as it does on the CPU
