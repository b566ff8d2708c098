"""Keywords and positions the engine judges, not the first `.training` in sight."""

import torch.nn.functional as F
from torch import nn


class WrongKeyword(nn.Module):
    def forward(self, x):
        # `train=` is torch.dropout's keyword, not F.dropout's: training= is missing.
        return F.dropout(x, 0.1, train=self.training)  # expect: DRP001
