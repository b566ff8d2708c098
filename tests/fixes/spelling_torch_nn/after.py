import torch
import torch.nn.functional as F


class Net(torch.nn.Module):  # the file reaches torch.nn as torch.nn.X: no import is added
    def __init__(self):
        super().__init__()
        self.dropout = torch.nn.Dropout(p=0.1)

    def forward(self, x):
        return self.dropout(x)
