import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.dropout_1 = nn.Dropout(p=0.5)
        self.p = p
        self.dropout = nn.Dropout(p=self.p)
        self.dropout_2 = nn.Dropout(p=self.p, inplace=True)

    def forward(self, x):
        x = self.dropout(x)
        x = self.dropout(x)
        x = self.dropout_1(x)
        return self.dropout_2(x)
