# -*- coding: latin-1 -*-
import torch
import torch.nn.functional as F


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return F.dropout(x, 0.1)  # naïve
