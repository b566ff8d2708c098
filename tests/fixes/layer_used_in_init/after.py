import torch
import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.dropout = nn.Dropout(p=0.1)
        self.conv = nn.Conv1d(1, 4, 3)
        # A sizing pass in __init__ uses the first layer before `self.p` exists.
        self.width = self.features(torch.zeros(1, 1, 16)).shape[-1]
        self.p = p
        self.dropout_1 = nn.Dropout(p=self.p)

    def features(self, x):
        return self.dropout(self.conv(x))

    def forward(self, x):
        return self.dropout_1(self.features(x))
