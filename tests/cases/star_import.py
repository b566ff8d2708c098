"""A star import of torch.nn.functional binds every dropout function."""

from torch import nn
from torch.nn.functional import *  # noqa: F403


class StarImported(nn.Module):
    def forward(self, x):
        x = dropout(x, 0.1)  # expect: DRP001
        x = alpha_dropout(x, 0.1)  # expect: DRP001
        x = dropout2d(x, 0.1, True)  # expect: DRP002
        return dropout(x, 0.1, self.training)
