"""An alias of a dropout function spelled in NFKC form is the same name."""

from torch import nn
from torch.nn.functional import dropout as drop


class M(nn.Module):
    def forward(self, x):
        return ｄrop(x, 0.1)  # expect: DRP001
