"""A zoo of real-world dropout mistakes, used to exercise the fixer end to end."""

import math

import torch
import torch.nn.functional as F
from torch import nn


class MLP(nn.Module):
    def __init__(self, dim: int, hidden: int, dropout: float = 0.1) -> None:
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)
        self.dropout = dropout  # a float, as many codebases do

    def forward(self, x):
        x = F.gelu(self.fc1(x))
        x = F.dropout(x, self.dropout)
        return F.dropout(self.fc2(x), p=self.dropout)


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int, attn_p: float, proj_p: float) -> None:
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)
        self.attn_p = attn_p
        self.proj_p = proj_p

    def forward(self, x):
        b, n, d = x.shape
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        attn = (q @ k.transpose(-2, -1)) / math.sqrt(d)
        attn = F.dropout(attn.softmax(-1), self.attn_p, training=True)
        out = self.proj(attn @ v)
        return F.dropout(out, self.proj_p, inplace=False)


class ConvBlock(nn.Sequential):
    def __init__(self, cin: int, cout: int) -> None:
        super().__init__(nn.Conv2d(cin, cout, 3, padding=1), nn.ReLU())

    def forward(self, x):
        return F.dropout2d(super().forward(x), 0.2)


class SelfNormalizing(nn.Module):
    def __init__(self, dim: int) -> None:
        super().__init__()
        self.fc = nn.Linear(dim, dim)

    def forward(self, x):
        return F.alpha_dropout(F.selu(self.fc(x)), 0.05)


class Prenet(nn.Module):
    """Tacotron 2 style: dropout on at inference on purpose."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.layers = nn.ModuleList([nn.Linear(dim, dim) for _ in range(2)])

    def forward(self, x):
        for linear in self.layers:
            x = F.dropout(F.relu(linear(x)), p=0.5, training=True)  # noqa: DRP002
        return x


class Scheduled(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.p = 0.1

    def set_epoch(self, epoch: int) -> None:
        self.p = min(0.5, 0.1 * epoch)

    def forward(self, x, extra_p: float = 0.0):
        x = F.dropout(x, self.p)
        return F.dropout(x, extra_p, training=self.training and extra_p > 0)


class Residual(ConvBlock):
    def forward(self, x):
        return x + F.dropout2d(super().forward(x), 0.2)


class NoInit(nn.Module):
    def forward(self, x):
        return torch.dropout(x, 0.3, True)
