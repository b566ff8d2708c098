# fix-options: --unsafe-fixes
import torch
import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.dropout = nn.Dropout(p=0.1)
        self.dropout_1 = nn.Dropout(p=0.2)
        self.dropout_2 = nn.Dropout(p=0.3)
        self.dropout_3 = nn.Dropout(p=0.4)

    def forward(self, x, training=True):
        x = self.dropout(x)
        x = self.dropout_1(x)
        x = self.dropout_2(x)
        x = self.dropout_3(x)
        return torch.feature_dropout(x, 0.5, self.training)
