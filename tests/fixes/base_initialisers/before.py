import torch.nn.functional as F
from torch import nn


class Old(nn.Module):
    def __init__(self):
        super(Old, self).__init__()

    def forward(self, x):
        return F.dropout(x, 0.1)


class Older(nn.Module):
    def __init__(this):
        nn.Module.__init__(this)
        this.rate = 0.2

    def forward(self, x):
        return F.dropout(x, self.rate)


class Child(Older):
    def __init__(self):
        Older.__init__(self)

    def forward(self, x):
        return F.dropout(x, 0.3)
