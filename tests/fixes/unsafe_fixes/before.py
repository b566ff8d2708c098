# fix-options: --unsafe-fixes
import torch
import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x, training=True):
        x = F.dropout(x, 0.1, training=True)
        x = F.dropout(x, 0.2, training=training)
        x = F.dropout(x, 0.3, not self.training)
        x = torch.dropout(x, 0.4, True)
        return torch.feature_dropout(x, 0.5, False)
