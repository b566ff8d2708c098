import torch
import torch.nn.functional as F
from torch import nn

FAST = True


class Unpacked(nn.Module):
    dropout, width = 0.1, 4

    def forward(self, x):
        return F.dropout(x, 0.2)


class Conditional(nn.Module):
    if FAST:
        dropout = 0.3
    else:
        pass

    def forward(self, x):
        return F.dropout(x, 0.2)


class Guarded(nn.Module):
    try:
        from math import tau as dropout
    except ImportError:
        pass

    def forward(self, x):
        return F.dropout(x, 0.2)


class Registered(nn.Module):
    def __init__(self):
        super().__init__()
        self.register_buffer("dropout", torch.zeros(1))

    def forward(self, x):
        return F.dropout(x, 0.2) + self.dropout


class Probed(nn.Module):
    def forward(self, x):
        if getattr(self, "dropout", None) is not None:
            x = x * 2
        return F.dropout(x, 0.2)


class Set(nn.Module):
    def __init__(self):
        super().__init__()
        setattr(self, "dropout", 0.1)

    def forward(self, x):
        return F.dropout(x, 0.2)


class Property(nn.Module):
    def __init__(self):
        super().__init__()
        self.rate = 0.2

    @property
    def dropout(self):
        return self.rate

    def forward(self, x):
        return F.dropout(x, 0.2)


class Named(nn.Module):
    def __init__(self, names):
        super().__init__()
        for name in names:
            setattr(self, name, nn.Identity())  # any name at run time: in place

    def forward(self, x):
        return F.dropout(x, 0.2)


class Prefixed(nn.Module):
    def __init__(self):
        super().__init__()
        for i in range(2):
            self.add_module(f"drop{i}", nn.Identity())

    def forward(self, x):
        return F.dropout(x, 0.2)
