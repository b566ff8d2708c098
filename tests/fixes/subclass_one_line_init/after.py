import torch.nn.functional as F
from torch import nn


class Net0(nn.Module):
    def forward(self, x):
        return F.dropout(x, training=self.training)


class Net1(Net0):  # a one-line __init__ the fixer does not read: Net0's call stays in place
    def __init__(self): super().__init__()

    def forward(self, x):
        return F.dropout(x, training=self.training)
