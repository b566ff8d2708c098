import torch.nn.functional as F
from torch.nn.modules.module import Module

nn = "not torch.nn"


class Net(Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return F.dropout(x, 0.1)
