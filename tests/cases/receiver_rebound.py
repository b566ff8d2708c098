"""`self.training` follows the module only while `self` is the module.

A method whose receiver is rebound (a loop or comprehension target, an
assignment, a nested function's parameter) reads some other object's flag.
"""

import torch.nn.functional as F
from torch import nn


class LoopTarget(nn.Module):
    def forward(self, x):
        for self in self.children():
            x = F.dropout(x, 0.1, training=self.training)  # expect: DRP003
        return x


class ComprehensionTarget(nn.Module):
    def forward(self, x):
        ys = [F.dropout(x, training=self.training) for self in self.blocks]  # expect: DRP003
        zs = [F.dropout(x, training=self.training) for block in self.blocks]
        return ys, zs


class Assignment(nn.Module):
    def forward(self, x):
        x = F.dropout(x, training=self.training)  # expect: DRP003
        self = self.child
        return x


class GuardReadsAnotherObject(nn.Module):
    def forward(self, x):
        for self in self.children():
            if self.training:
                x = F.dropout(x)  # expect: DRP001
        return x


class SiblingScopeDoesNotMatter(nn.Module):
    def forward(self, x):
        others = [self for self in self.blocks]
        x = F.dropout(x, training=self.training)
        return x, others


class ParameterOnly(nn.Module):
    def forward(self, x):
        y = [F.dropout(h, training=self.training) for h in x]
        return F.dropout(x, training=self.training), y


class NonlocalRebindsTheMethods(nn.Module):
    def forward(self, x):
        def mid():
            def inner():
                nonlocal self
                self = 1

            inner()

        mid()
        return F.dropout(x, training=self.training)  # expect: DRP003


class NonlocalWithoutAssignment(nn.Module):
    def forward(self, x):
        def g():
            nonlocal self
            return F.dropout(x, training=self.training)

        return g()


class ExceptStarBinds(nn.Module):
    def forward(self, x):
        try:
            pass
        except* ValueError as self:
            pass
        return F.dropout(x, training=self.training)  # expect: DRP003
