# fix-options: --unsafe-fixes
import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.dropout = nn.Dropout(p=0.2)
        self.dropout_1 = nn.Dropout(p=0.3)
        self.ｒate = 0.1
        self.dropout_2 = nn.Dropout(p=self.rate)

    def forward(self, x):
        x = F.dropout(x, 0.1, training=ｓelf.training)  # `ｓelf` is `self`: correct
        x = self.dropout(x)
        x = self.dropout_1(x)  # `ｔraining` is `training`: DRP002
        return self.dropout_2(x)  # `ｄropout` is `dropout`, `self.rate` is `self.ｒate`
