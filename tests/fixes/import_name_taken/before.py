import torch
from torch.nn import functional as F

nn = "not torch.nn"


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return F.dropout(x, 0.1)
