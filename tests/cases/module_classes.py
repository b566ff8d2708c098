"""Which classes are module classes (SPEC 1, "Where")."""

from abc import ABC

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn import Module
from torch.nn.modules.dropout import _DropoutNd

from mypackage.layers import ProjectBase, ProjectMixin


class Plain(nn.Module):
    def forward(self, x):
        return F.dropout(x, 0.1)  # expect: DRP001


class Qualified(torch.nn.Module):
    def forward(self, x):
        return F.dropout(x, 0.1)  # expect: DRP001


class ImportedByName(Module):
    def helper(self, x):  # any method of a module class, not only forward
        return F.dropout(x, 0.1)  # expect: DRP001


class Stack(nn.Sequential):
    def forward(self, x):
        return F.dropout(super().forward(x), 0.1)  # expect: DRP001


class EncoderLayer(nn.TransformerEncoderLayer):
    def _ff_block(self, x):
        x = self.linear2(F.dropout(self.activation(self.linear1(x)), 0.1))  # expect: DRP001
        return F.dropout(x, 0.1, training=self.training)


class MyDropout(_DropoutNd):
    def forward(self, x):
        return F.dropout(x, self.p)  # expect: DRP001


class WithMixin(ABC, nn.Module):
    def forward(self, x):
        return F.dropout(x)  # expect: DRP001


class WithKeywords(nn.Module, metaclass=type):
    def forward(self, x):
        return F.dropout(x)  # expect: DRP001


class Child(Plain):  # same-file subclass, no forward of its own
    def extra(self, x):
        return F.dropout(x)  # expect: DRP001


class GrandChild(Child):  # transitively
    def extra(self, x):
        return F.dropout(x, training=True)  # expect: DRP002


class FromProject(ProjectBase):  # unresolved base, but it defines forward
    def forward(self, x):
        return self.helper(x)

    def helper(self, x):
        return F.dropout(x)  # expect: DRP001


class MixinOnly(ProjectMixin):  # unresolved base, no forward: not a module class
    def helper(self, x):
        return F.dropout(x)


class FromMixinOnly(MixinOnly):  # its base is unknown, and it defines forward
    def forward(self, x):
        return F.dropout(x)  # expect: DRP001


class Generic(ProjectBase["Config"]):
    def forward(self, x):
        return F.dropout(x)  # expect: DRP001


def make_block(p):
    class Block(nn.Module):  # a module class defined in a factory function
        def forward(self, x):
            return F.dropout(x, p)  # expect: DRP001

    return Block()


class Outer(nn.Module):
    class Config:  # the nearest enclosing class is a plain class
        def forward(self, x):
            return F.dropout(x)

    class Inner(nn.Module):
        def forward(self, x):
            return F.dropout(x)  # expect: DRP001

    def forward(self, x):
        return F.dropout(x, training=self.training)


class Scripted(torch.jit.ScriptModule):
    def forward(self, x):
        return F.dropout(x)  # expect: DRP001
