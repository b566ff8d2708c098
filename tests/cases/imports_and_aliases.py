"""Every import style that binds a dropout function, and the aliases users pick."""

import torch
import torch as th
import torch.nn as tnn
import torch.nn.functional as F
from torch import nn
from torch.nn import functional
from torch.nn import functional as nnf
from torch.nn.functional import dropout as drop
from torch.nn.functional import dropout1d, dropout2d

try:
    import torch.nn.functional as Fx
except ImportError:  # an optional-dependency fallback does not hide the import
    Fx = None


class Aliases(nn.Module):
    def forward(self, x):
        x = F.dropout(x, 0.1)  # expect: DRP001
        x = nnf.dropout(x, p=0.1)  # expect: DRP001
        x = functional.dropout(x)  # expect: DRP001
        x = nn.functional.dropout(x)  # expect: DRP001
        x = tnn.functional.dropout(x)  # expect: DRP001
        x = torch.nn.functional.dropout(x)  # expect: DRP001
        x = th.nn.functional.dropout(x)  # expect: DRP001
        x = drop(x, p=0.2)  # expect: DRP001
        x = dropout1d(x)  # expect: DRP001
        x = dropout2d(x, 0.3)  # expect: DRP001
        x = Fx.dropout(x)  # expect: DRP001
        return x


class Correct(nn.Module):
    def forward(self, x):
        x = F.dropout(x, 0.1, training=self.training)
        x = nnf.dropout(x, p=0.1, training=self.training)
        x = nn.functional.dropout(x, training=self.training)
        x = torch.nn.functional.dropout(x, 0.1, self.training)
        x = drop(x, p=0.2, training=self.training)
        return dropout2d(x, 0.3, self.training)


class LocalImports(nn.Module):
    def forward(self, x):
        import torch.nn.functional as G
        from torch.nn.functional import dropout3d as d3

        x = G.dropout(x)  # expect: DRP001
        x = d3(x, 0.1)  # expect: DRP001
        return G.dropout(x, training=self.training)

    def other(self, x):
        # `G` was imported in forward(), not here: an unbound name, not torch.
        return G.dropout(x)


class MultiLine(nn.Module):
    def forward(self, x):
        x = F.dropout(  # expect: DRP001
            x,
            p=0.25,
            inplace=True,
        )
        x = (
            F.dropout(x, 0.1)  # expect: DRP001
            .relu()
        )
        y = F.dropout(F.dropout(x), training=self.training)  # expect: DRP001
        label = "héllo wörld"; z = F.dropout(y)  # expect: DRP001
        return x, y, z, label
