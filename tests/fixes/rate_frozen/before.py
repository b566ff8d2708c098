import torch.nn.functional as F
from torch import nn

RATE = 0.1
RATES = {"hidden": 0.1}
FIXED = 0.3


def set_rate(value):
    global RATE
    RATE = value


def set_hidden(value):
    RATES["hidden"] = value


class Hooked(nn.Module):
    def __init__(self):
        super().__init__()
        self.p = 0.4

        def anneal(module, args):  # runs before every forward
            self.p = self.p * 0.5

        self.register_forward_pre_hook(anneal)

    def forward(self, x):
        return F.dropout(x, self.p)


class Aliased(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        self.cfg = cfg

    def anneal(self):
        cfg = self.cfg
        cfg.p = cfg.p * 0.5

    def forward(self, x):
        return F.dropout(x, self.cfg.p)


class Global(nn.Module):
    def forward(self, x):
        return F.dropout(x, RATE)


class Shared(nn.Module):
    def forward(self, x):
        return F.dropout(x, RATES["hidden"])


class Held(nn.Module):
    def __init__(self):
        super().__init__()
        self.rates = RATES

    def forward(self, x):
        return F.dropout(x, self.rates["hidden"])


class Constant(nn.Module):
    def forward(self, x):
        return F.dropout(x, FIXED)
