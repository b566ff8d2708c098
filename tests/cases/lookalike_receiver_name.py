"""`self.training` read where `self` is not the method's receiver (see lookalike_other_object)."""

import torch.nn.functional as F
from torch import nn


class Renamed(nn.Module):
    def forward(module, x):
        return F.dropout(x, 0.1, training=self.training)  # expect: DRP003


class Static(nn.Module):
    @staticmethod
    def drop(self, x):
        return F.dropout(x, 0.1, self.training)  # expect: DRP003


class Shadowed(nn.Module):
    def forward(self, x):
        def helper(self, t):
            return F.dropout(t, training=self.training and self.p > 0)  # expect: DRP003

        return helper(self.child, x)


class InLambda(nn.Module):
    def forward(self, x):
        fn = lambda self: F.dropout(x, training=self.training)  # expect: DRP003
        return fn(self.child)
