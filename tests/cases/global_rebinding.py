"""`global F` in a function rebinds the module's `F`: it is then not surely torch's."""

import torch.nn.functional as F
from torch import nn

import torch.nn.functional as G


def disable():
    global F
    F = None


class UsesRebound(nn.Module):
    def forward(self, x):
        return F.dropout(x)


class UsesOther(nn.Module):
    def forward(self, x):
        return G.dropout(x)  # expect: DRP001


class RebindsInAMethod(nn.Module):
    def setup(self):
        global G2
        G2 = object()

    def forward(self, x):
        def inner():
            nonlocal x
            x = 1

        return G.dropout(x, 0.1)  # expect: DRP001


class ExceptStarShadows(nn.Module):
    def forward(self, x):
        try:
            pass
        except* ValueError as G:
            pass
        return G.dropout(x)
