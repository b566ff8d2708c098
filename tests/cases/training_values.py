"""The value of training=: only the module's own mode is correct."""

import torch
import torch.nn.functional as F
from torch import nn


class Values(nn.Module):
    def forward(self, x, training=True):
        a = F.dropout(x, 0.1, training=self.training)
        a = F.dropout(x, 0.1, self.training)
        a = F.dropout(input=x, p=0.1, training=self.training)
        a = F.dropout(x, training=self.training, p=0.1)
        a = F.dropout(x, 0.1, training=(self.training))
        a = F.dropout(x, 0.1, training=self.training and self.mc)
        a = F.dropout(x, 0.1, training=self.mc and self.training)
        a = F.dropout(x, 0.1, training=self.mc and self.training and self.p > 0)
        b = F.dropout(x, 0.1)  # expect: DRP001
        b = F.dropout(x, p=0.1, inplace=True)  # expect: DRP001
        b = F.dropout(input=x)  # expect: DRP001
        c = F.dropout(x, 0.1, training=True)  # expect: DRP002
        c = F.dropout(x, 0.1, True)  # expect: DRP002
        c = F.dropout(x, 0.1, True, False)  # expect: DRP002
        d = F.dropout(x, 0.1, training=False)  # expect: DRP003
        d = F.dropout(x, 0.1, False)  # expect: DRP003
        d = F.dropout(x, 0.1, training=training)  # expect: DRP003
        d = F.dropout(x, 0.1, training=not self.training)  # expect: DRP003
        d = F.dropout(x, 0.1, training=self.training or x.requires_grad)  # expect: DRP003
        d = F.dropout(x, 0.1, training=self.is_training)  # expect: DRP003
        d = F.dropout(x, 0.1, training=self.encoder.training)  # expect: DRP003
        d = F.dropout(x, 0.1, training=bool(self.training))  # expect: DRP003
        d = F.dropout(x, 0.1, training=1)  # expect: DRP003
        d = F.dropout(x, 0.1, training=None)  # expect: DRP003
        d = F.dropout(x, 0.1, training=torch.is_grad_enabled())  # expect: DRP003
        d = F.dropout(x, 0.1, training=self.training if self.mc else False)  # expect: DRP003
        return a, b, c, d


class OtherObject(nn.Module):
    def forward(self, x, model):
        return F.dropout(x, 0.1, training=model.training)  # expect: DRP003


class SubmoduleMode(nn.Module):
    def forward(self, x):
        return F.dropout(x, training=self.backbone.training)  # expect: DRP003
