"""`import torch.nn.functional` (no alias) binds `torch`; the full dotted path is a target."""

import torch.nn
import torch.nn.functional


class Block(torch.nn.Module):
    def forward(self, x):
        x = torch.nn.functional.dropout(x, 0.1)  # expect: DRP001
        x = torch.nn.functional.dropout2d(x, 0.1, training=self.training)
        return torch.dropout(x, 0.1, train=True)  # expect: DRP002
