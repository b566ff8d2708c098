import random

import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self, rate):
        super().__init__()
        self.rate = rate
        self.dropout = nn.Dropout(p=min(float(self.rate), 0.5))

    def forward(self, x):
        x = F.dropout(
            x, random.uniform(0.0, 0.5), training=self.training
        )  # a new p at every call: in place
        return self.dropout(x)  # pure builtins: a layer
