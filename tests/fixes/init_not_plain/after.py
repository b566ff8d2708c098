import torch.nn.functional as F
from torch import nn

FAST = True


def _init(self):
    nn.Module.__init__(self)


class Chosen(nn.Module):
    if FAST:

        def __init__(self):
            super().__init__()

    def forward(self, x):
        return F.dropout(x, 0.1, training=self.training)


class Assigned(nn.Module):
    __init__ = _init

    def forward(self, x):
        return F.dropout(x, 0.1, training=self.training)


class Hooked(nn.Module):
    def __init__(self):
        super().__init__()

    def __setattr__(self, name, value):
        super().__setattr__(name, value)

    def forward(self, x):
        return F.dropout(x, 0.1, training=self.training)
