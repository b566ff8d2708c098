"""Code outside module classes is not reported: there, training= is the caller's business."""

import dataclasses
import enum
import typing

import torch
import torch.nn.functional as F
from torch import nn
from torch.autograd import Function
from torch.utils.data import Dataset

from mypackage.transforms import BaseTransform

x = F.dropout(torch.ones(3))


def functional_block(x, p, training):
    return F.dropout(x, p, training=training)


def careless_helper(x):
    return F.dropout(x, 0.5)


class Helper:
    def forward(self, x):
        return F.dropout(x)


class HelperObject(object):
    def forward(self, x):
        return F.dropout(x)


class NoiseDataset(Dataset):
    def __getitem__(self, index):
        return F.dropout(self.data[index], 0.1)


class Augment(BaseTransform):  # unresolved base without forward
    def __call__(self, x):
        return F.dropout(x, 0.1)


class DropFn(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x, p):
        return F.dropout(x, p)

    @staticmethod
    def backward(ctx, grad):
        return grad, None


class DropFn2(Function):
    @staticmethod
    def forward(ctx, x):
        return F.dropout(x)


class DropFnChild(DropFn):
    @staticmethod
    def forward(ctx, x, p):
        return F.dropout(x, p)


class MixedFn(BaseTransform, torch.autograd.Function):  # unresolved base, but an autograd Function
    @staticmethod
    def forward(ctx, x):
        return F.dropout(x)


class Optim(torch.optim.Optimizer):
    def step(self, closure=None):
        return F.dropout(self.noise)


class Weight(nn.Parameter):
    def forward(self):
        return F.dropout(self)


@dataclasses.dataclass
class Config:
    def forward(self, x):
        return F.dropout(x)


class Mode(enum.Enum):
    def forward(self, x):
        return F.dropout(x)


class Pair(typing.NamedTuple):
    a: int

    def forward(self, x):
        return F.dropout(x)


class InClassBody(nn.Module):
    noise = F.dropout(torch.ones(3))  # runs once at import, not in a method


class Derived(Helper):  # a same-file plain class is not a module class
    def forward(self, x):
        return F.dropout(x)
