import pytorch_lightning as pl
import torch.nn.functional as F
from torch import nn

from .layers import ProjectBase


class Lit(pl.LightningModule):
    # A `module-bases` entry lives in code we cannot read: it may own `dropout`.
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(4, 4)

    def forward(self, x):
        return F.dropout(self.lin(x), 0.1)


class Mixed(ProjectBase, nn.Module):
    def forward(self, x):
        return F.dropout(x, 0.1)
