import torch
import torch.nn.functional as F
conv3d = torch.compile(F.conv3d, fullgraph=True, dynamic=True)
w = torch.ones(1, 1, 2, 2, 2)
conv3d(torch.ones(1, 1, 3, 3, 3), w)  # compiles and runs
try:
    print(conv3d(torch.ones(2, 1, 2, 4, 9), w, padding='same').shape)  # eager: torch.Size([2, 1, 2, 4, 9])
except Exception as e:
    print(type(e).__name__, str(e).splitlines()[0])
