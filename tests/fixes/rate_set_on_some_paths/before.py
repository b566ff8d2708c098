import torch.nn.functional as F
from torch import nn


class M(nn.Module):  # a layer after the `if` would fail to build when aux is False
    def __init__(self, aux=False):
        super().__init__()
        self.aux = aux
        if aux:
            self.rate = 0.1

    def forward(self, x):
        if self.aux:
            x = F.dropout(x, self.rate)
        return x
