import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p

    def forward(self, x):
        x = F.dropout(x, self.p)
        x = F.dropout(x, p=self.p)
        x = F.dropout(x, 0.5)
        return F.dropout(x, self.p, inplace=True)
