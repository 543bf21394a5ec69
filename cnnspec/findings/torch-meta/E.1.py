import torch
import torch.nn.functional as F
m = dict(device='meta')  # the kernels torch.compile and FakeTensor trace through
print(F.conv2d(torch.ones(1, 1, 3, 3, **m), torch.ones(1, 1, 1, 2, 2, **m)).shape)  # a weight of rank 5 with an input of rank 4: should raise, as it does on the CPU
