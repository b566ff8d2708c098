import torch
import torch.nn.functional as F
from torch import nn


class LateReturn(nn.Module):
    def __init__(self, p, tiny=False):
        super().__init__()
        self.p = p
        self.dropout = nn.Dropout(p=self.p)
        if tiny:
            return  # after the layer: it exists either way
        self.lin = nn.Linear(4, 4)

    def forward(self, x):
        return self.dropout(x)


class EarlyReturn(nn.Module):
    p = 0.5

    def __init__(self, p=None):
        super().__init__()
        if p is None:
            return  # the layer would not be set on this path: in place
        self.p = p

    def forward(self, x):
        return F.dropout(x, self.p, training=self.training)


class Base(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x):
        return F.dropout(self.lin(x), 0.1, training=self.training)


class SkipsBase(Base):
    def __init__(self):
        nn.Module.__init__(self)  # Base.__init__ never runs
        self.lin = nn.Linear(4, 4)


class Parent(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x):
        return F.dropout(self.lin(x), 0.2, training=self.training)


class SkipsParent(Parent):
    def __init__(self):
        super(Parent, self).__init__()  # starts after Parent in the MRO
        self.lin = nn.Linear(4, 4)


class Cooperative(nn.Module):
    def __init__(self):
        super().__init__()
        self.dropout = nn.Dropout(p=0.3)
        self.lin = nn.Linear(4, 4)

    def forward(self, x):
        return self.dropout(self.lin(x))


class Follows(Cooperative):
    def __init__(self):
        super().__init__()
        self.extra = nn.Linear(4, 4)


class Sized(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(1, 2, 3)
        self.width = self.features(torch.zeros(1, 1, 16)).shape[-1]  # a sizing probe

    def features(self, x):
        return self.conv(x)

    def forward(self, x):
        return self.features(x)


class Probe(Sized):
    # Sized.__init__ calls this override before any layer of Probe could be set.
    def features(self, x):
        return F.dropout(self.conv(x), 0.1, training=self.training)


class Reinit(nn.Linear):
    # nn.Linear.__init__ calls reset_parameters before any layer of Reinit is set.
    def reset_parameters(self):
        super().reset_parameters()
        with torch.no_grad():
            self.weight.copy_(F.dropout(self.weight, 0.1, training=self.training))
