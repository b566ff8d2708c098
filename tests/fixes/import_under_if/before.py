import os

import pathspec

if os.environ.get("WITH_TORCH", "1") == "1":
    import torch.nn.functional as F
    from torch.nn.modules.module import Module

    # The added import goes above this block, not after `import sys` below.
    class Net(Module):
        def forward(self, x):
            return F.dropout(x, 0.1)

import sys

PATH = sys.path
SPEC = pathspec.PathSpec([])
