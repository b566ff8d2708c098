"""A comprehension variable shadows an imported function only inside the comprehension."""

from torch import nn
from torch.nn.functional import dropout


class PerLayerDropout(nn.Module):
    def forward(self, hs):
        outs = [dropout(h) for dropout, h in zip(self.dropouts, hs)]
        gens = list(dropout(h) for dropout, h in zip(self.dropouts, hs))
        table = {k: dropout(h) for k, (dropout, h) in self.items.items()}
        return outs, gens, table, dropout(hs[0])  # expect: DRP001
