import torch
import torch.nn.functional as F
m = dict(device='meta')  # the kernels torch.compile and FakeTensor trace through
print(F.conv_transpose2d(torch.ones(1, 1, 3, 3, **m), torch.ones(1, 1, 2, 2, **m), stride=2, output_padding=5).shape)  # output padding 5 with stride 2: should raise, as it does on the CPU
