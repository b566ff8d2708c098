import torch.nn.functional as F
from torch import nn


class Block(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p
        self.dropout = nn.Dropout(p=self.p)

    def forward(self, x):
        return self.dropout(x)
