import os

import pathspec
from torch import nn

if os.environ.get("WITH_TORCH", "1") == "1":
    import torch.nn.functional as F
    from torch.nn.modules.module import Module

    # The added import goes above this block, not after `import sys` below.
    class Net(Module):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            self.dropout = nn.Dropout(p=0.1)

        def forward(self, x):
            return self.dropout(x)

import sys

PATH = sys.path
SPEC = pathspec.PathSpec([])
