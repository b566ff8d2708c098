"""alpha_dropout and feature_alpha_dropout default to training=False: never active."""

import torch.nn.functional as F
from torch import nn
from torch.nn.functional import feature_alpha_dropout as fad


class SelfNormalizing(nn.Module):
    def forward(self, x):
        x = F.alpha_dropout(x, 0.1)  # expect: DRP001
        x = F.feature_alpha_dropout(x, p=0.1)  # expect: DRP001
        x = fad(x)  # expect: DRP001
        x = F.alpha_dropout(x, 0.1, training=True)  # expect: DRP002
        x = F.feature_alpha_dropout(x, 0.1, True)  # expect: DRP002
        x = F.alpha_dropout(x, 0.1, training=False)  # expect: DRP003
        x = F.alpha_dropout(x, 0.1, self.training)
        x = F.feature_alpha_dropout(x, 0.1, training=self.training)
        return x


class AllVariants(nn.Module):
    def forward(self, x):
        x = F.dropout(x)  # expect: DRP001
        x = F.dropout1d(x)  # expect: DRP001
        x = F.dropout2d(x)  # expect: DRP001
        x = F.dropout3d(x)  # expect: DRP001
        x = F.alpha_dropout(x)  # expect: DRP001
        x = F.feature_alpha_dropout(x)  # expect: DRP001
        x = F.dropout1d(x, 0.1, training=self.training)
        x = F.dropout3d(x, 0.1, True)  # expect: DRP002
        return x
