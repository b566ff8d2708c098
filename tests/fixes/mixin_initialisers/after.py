import torch.nn.functional as F
from torch import nn


class ConfigMixin:
    def __init__(self):
        self.rate = 0.1


class Net(ConfigMixin, nn.Module):
    def __init__(self):
        ConfigMixin.__init__(self)
        nn.Module.__init__(self)  # a layer can only be registered after this one
        self.dropout = nn.Dropout(p=0.1)
        self.linear = nn.Linear(16, 16)

    def forward(self, x):
        return self.dropout(self.linear(x))
