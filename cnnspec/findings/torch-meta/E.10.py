import torch
import torch.nn.functional as F
m = dict(device='meta')  # the kernels torch.compile and FakeTensor trace through
print(F.conv_transpose2d(torch.ones(1, 2, 2, 2, **m), torch.ones(2, 1, 1, 1, **m), stride=2, padding=(2, 1), output_padding=1, groups=2).shape)  # padding that leaves no output row: should raise, on the CPU too
