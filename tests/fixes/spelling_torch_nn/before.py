import torch
import torch.nn.functional as F


class Net(torch.nn.Module):  # the file reaches torch.nn as torch.nn.X: no import is added
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return F.dropout(x, 0.1)
