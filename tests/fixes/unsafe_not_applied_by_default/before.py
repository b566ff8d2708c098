import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def forward(self, x):
        x = F.dropout(x, 0.1, training=True)  # Monte Carlo dropout, maybe
        return F.dropout(x, 0.2, training=False)
