"""Names that are not bound to torch are not targets."""

import my_lib
import torch.nn.functional as F
from my_lib import functional as MF
from torch import nn


def dropout(x, p=0.5):
    """A local helper that happens to be called dropout."""
    return x * p


class UsesLocalHelpers(nn.Module):
    def forward(self, x):
        x = dropout(x, 0.1)
        x = my_lib.F.dropout(x)
        x = MF.dropout(x)
        x = my_lib.torch.nn.functional.dropout(x)
        return x


class ShadowingAssignment(nn.Module):
    def forward(self, x):
        F = my_lib.Functional()
        return F.dropout(x)


class ShadowingParameter(nn.Module):
    def forward(self, x, F=my_lib.functional):
        return F.dropout(x)

    def apply_all(self, x, torch):
        return torch.dropout(x, 0.1, True)


class ShadowingLoopVariable(nn.Module):
    def forward(self, x):
        for F in self.backends:
            x = F.dropout(x)
        return x


class ShadowingComprehension(nn.Module):
    def forward(self, hs):
        return [F.dropout(h) for F in self.backends for h in hs]


class ShadowingLambda(nn.Module):
    def __init__(self):
        super().__init__()
        self.fn = lambda x, F: F.dropout(x)


class ShadowingWith(nn.Module):
    def forward(self, x):
        with my_lib.backend() as F:
            return F.dropout(x)


class ShadowingWalrus(nn.Module):
    def forward(self, x):
        if (F := self.backend) is not None:
            x = F.dropout(x)
        return x


class ClassAttributeDoesNotShadow(nn.Module):
    F = my_lib.functional  # class-body names are not visible inside methods

    def forward(self, x):
        return F.dropout(x)  # expect: DRP001


class NestedShadowing(nn.Module):
    def forward(self, x):
        def inner(F):
            return F.dropout(x)

        return inner(my_lib) + F.dropout(x)  # expect: DRP001
