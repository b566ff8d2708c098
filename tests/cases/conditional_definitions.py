"""Module classes defined inside if/try blocks still see their same-file bases."""

import torch
import torch.nn.functional as F
from torch import nn


class Base(nn.Module):
    pass


class Unrelated(nn.Module):
    def forward(self, x):
        return F.dropout(x, training=self.training)


try:
    import apex  # noqa: F401
except ImportError:

    class Fallback(Base):
        def step(self, x):
            return F.dropout(x, 0.1)  # expect: DRP001


if torch.cuda.is_available():

    class OnGpu(Base):
        def step(self, x):
            return F.dropout(x, 0.2, training=True)  # expect: DRP002


def plain(x):
    match x:
        case F:
            return F.dropout(x)  # `F` is the match capture here, and not in a class
