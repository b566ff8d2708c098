import torch
import torch.nn.functional as F
from torch import nn

if torch.cuda.is_available() or True:

    class Net(torch.nn.Module):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.dropout = nn.Dropout(p=0.1)

        def forward(self, x):
            return self.dropout(x)

import os

PATH = os.sep
