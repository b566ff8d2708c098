import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        x = F.dropout(x, 0.1)  # noqa: DRP001
        x = F.dropout(x, 0.2)  # noqa
        return self.helper(x)

    @staticmethod
    def helper(x):
        return F.dropout(x, 0.3)
