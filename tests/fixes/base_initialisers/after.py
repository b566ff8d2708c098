import torch.nn.functional as F
from torch import nn


class Old(nn.Module):
    def __init__(self):
        super(Old, self).__init__()
        self.dropout = nn.Dropout(p=0.1)

    def forward(self, x):
        return self.dropout(x)


class Older(nn.Module):
    def __init__(this):
        nn.Module.__init__(this)
        this.rate = 0.2
        this.dropout = nn.Dropout(p=this.rate)

    def forward(self, x):
        return self.dropout(x)


class Child(Older):
    def __init__(self):
        Older.__init__(self)
        self.dropout_1 = nn.Dropout(p=0.3)

    def forward(self, x):
        return self.dropout_1(x)
