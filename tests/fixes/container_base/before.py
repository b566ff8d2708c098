import torch.nn.functional as F
from torch import nn


class Stack(nn.Sequential):
    def __init__(self):
        super().__init__(nn.Linear(4, 4), nn.ReLU())

    def forward(self, x):
        # A new child would join the Sequential's own forward: fixed in place.
        return F.dropout(super().forward(x), 0.2)
