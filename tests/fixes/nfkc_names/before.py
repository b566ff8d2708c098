# fix-options: --unsafe-fixes
import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.ｒate = 0.1

    def forward(self, x):
        x = F.dropout(x, 0.1, training=ｓelf.training)  # `ｓelf` is `self`: correct
        x = F.dropout(x, 0.2, training=False)
        x = F.dropout(x, 0.3, ｔraining=True)  # `ｔraining` is `training`: DRP002
        return F.ｄropout(x, self.rate)  # `ｄropout` is `dropout`, `self.rate` is `self.ｒate`
