import torch.nn as tnn
import torch.nn.functional as F


class Net(tnn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return F.dropout(x, 0.1)
