import torch.nn.functional as F
from torch import nn


class Chain(nn.Module):
    def __init__(self):
        super().__init__()
        self.a = nn.Linear(4, 4)
        self.b = nn.ReLU()

    def forward(self, x):
        for layer in self.children():  # a new child would run here too
            x = layer(x)
        return F.dropout(x, 0.1, training=self.training)


class Counted(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x):
        return F.dropout(self.lin(x), 0.1, training=self.training)


class Reporter(Counted):
    def forward(self, x):
        return super().forward(x) * len(list(self.named_modules()))


class Registry(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x):
        x = F.dropout(self.lin(x), 0.1, training=self.training)
        return x * len(self._modules)
