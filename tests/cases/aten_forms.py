"""The ATen forms take a required third argument `train`: they can never be missing."""

import torch
import torch as th
from torch import dropout as aten_dropout
from torch import nn


class AtenForms(nn.Module):
    def forward(self, x):
        x = torch.dropout(x, 0.1, self.training)
        x = torch.alpha_dropout(x, 0.1, self.training)
        x = torch.feature_dropout(x, 0.1, self.training)
        x = torch.feature_alpha_dropout(x, 0.1, train=self.training)
        x = torch.dropout(x, 0.1, True)  # expect: DRP002
        x = torch.dropout(x, 0.1, train=True)  # expect: DRP002
        x = torch.alpha_dropout(x, 0.1, True)  # expect: DRP002
        x = torch.feature_dropout(x, 0.1, True)  # expect: DRP002
        x = torch.feature_alpha_dropout(x, 0.1, True)  # expect: DRP002
        x = torch.dropout(x, 0.1, False)  # expect: DRP003
        x = torch.alpha_dropout(x, 0.1, train=not self.training)  # expect: DRP003
        x = torch.feature_dropout(x, 0.1, self.train)  # expect: DRP003
        x = torch.feature_alpha_dropout(x, 0.1, self.is_training)  # expect: DRP003
        x = th.dropout(x, 0.1, True)  # expect: DRP002
        x = aten_dropout(x, 0.1, True)  # expect: DRP002
        x = torch.dropout(x, 0.1)  # a TypeError before any dropout: never "missing"
        x = torch.dropout(x, p=0.1)
        return x
