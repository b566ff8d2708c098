"""*args / **kwargs: a training= that cannot be seen is not reported."""

import torch
import torch.nn.functional as F
from torch import nn


class StarArgs(nn.Module):
    def forward(self, x, *args, **kwargs):
        x = F.dropout(*args)
        x = F.dropout(x, *args)
        x = F.dropout(x, **kwargs)
        x = F.dropout(x, 0.1, **kwargs)
        x = F.dropout(x, **{"training": True})
        x = F.dropout(*args, p=0.1)
        x = F.dropout(x, *args, inplace=True)
        x = torch.dropout(*args)
        x = torch.dropout(x, *args)
        x = F.dropout(*args, training=self.training)
        x = F.dropout(x, 0.1, self.training, *args)
        x = F.dropout(*args, training=True)  # expect: DRP002
        x = F.dropout(x, **kwargs, training=False)  # expect: DRP003
        x = F.dropout(x, 0.1, True, *args)  # expect: DRP002
        x = F.dropout(x, training=True, *args)  # expect: DRP002
        x = torch.dropout(*args, train=True)  # expect: DRP002
        return x
