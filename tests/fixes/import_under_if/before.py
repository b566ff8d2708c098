import torch
import torch.nn.functional as F

if torch.cuda.is_available() or True:

    class Net(torch.nn.Module):
        def forward(self, x):
            return F.dropout(x, 0.1)

import os

PATH = os.sep
