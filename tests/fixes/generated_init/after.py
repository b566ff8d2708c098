"""A module without __init__ gets one."""

import torch.nn.functional as F
from torch import nn

RATE = 0.25


class NoInit(nn.Linear):
    """Docstring stays first."""

    scale = 2.0

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dropout = nn.Dropout(p=RATE)

    def forward(self, x):
        return self.dropout(super().forward(x)) * self.scale
