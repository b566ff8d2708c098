"""A small model with the mistakes flake8-dropout finds (see README)."""

import torch.nn.functional as F
from torch import nn


class Encoder(nn.Module):
    def __init__(self, dim: int, p: float = 0.1) -> None:
        super().__init__()
        self.linear = nn.Linear(dim, dim)
        self.p = p

    def forward(self, x):
        x = F.dropout(x, self.p)  # still drops after model.eval()
        x = self.linear(x)
        return F.dropout(x, p=0.2, training=True)  # deliberate? then say so with noqa


class Head(nn.Module):
    def forward(self, x, training: bool = True):
        return F.dropout(x, 0.5, training=training)  # not the module's mode
