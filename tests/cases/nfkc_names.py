"""Python compares identifiers in NFKC form: `F.ｄropout` calls `F.dropout`."""

import torch.nn.functional as F
from torch import nn


class FullWidth(nn.Module):
    def forward(self, x):
        return F.ｄropout(x, 0.1)  # expect: DRP001
