import torch.nn.functional as F
from torch import nn

FAST = True


def _init(self):
    nn.Module.__init__(self)
    self.lin = nn.Linear(4, 4)


class Chosen(nn.Module):
    if FAST:

        def __init__(self):
            super().__init__()
            self.lin = nn.Linear(4, 4)

    def forward(self, x):
        return F.dropout(self.lin(x), 0.1)


class Assigned(nn.Module):
    __init__ = _init

    def forward(self, x):
        return F.dropout(self.lin(x), 0.1)


class Delegating(nn.Module):
    def __init__(self):
        super().__init__()
        self.inner = nn.Linear(4, 4)

    def __getattr__(self, name):  # every other name is looked up on `inner`
        if name == "inner":
            return super().__getattr__(name)
        return getattr(self.inner, name)

    def forward(self, x):
        return F.dropout(self.inner(x), 0.1)
