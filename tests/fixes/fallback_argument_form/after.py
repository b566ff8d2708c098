import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.p = 0.1

    def forward(self, x, p):
        x = F.dropout(x, p, training=self.training)  # a forward() argument
        rate = self.p * 2
        x = F.dropout(x, rate, training=self.training)  # a local of the method
        x = F.dropout(x, self.q, training=self.training)  # __init__ never sets it
        return F.dropout(x, self.p, training=self.training)

    def set_p(self, p):
        self.p = p  # p changes after __init__: a layer would freeze it


class NoBaseInit(nn.Module):
    def __init__(self):
        self.p = 0.1

    def forward(self, x):
        return F.dropout(
            x,
            self.p,
            training=self.training,
        )
