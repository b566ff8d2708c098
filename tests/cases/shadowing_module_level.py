"""A module-level rebinding of the alias makes it something else than torch."""

import torch.nn.functional as F
from torch import nn
from torch.nn.functional import dropout

import my_lib

F = my_lib.F


def dropout(x, p):  # noqa: F811
    return x


class M(nn.Module):
    def forward(self, x):
        x = F.dropout(x)
        return dropout(x, 0.1)
