import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.dropout = nn.Dropout(p=0.1, inplace=True)
        self.dropout_1 = nn.Dropout()

    def forward(self, x):
        x = self.dropout(x)
        x = self.dropout_1(x)  # the layer's default p
        return F.dropout(x, 0.1, False, True)
