import torch.nn.functional as F
from torch import nn


class Variants(nn.Module):
    def __init__(self):
        super().__init__()
        self.dropout = nn.Dropout(p=0.1)
        self.dropout1d = nn.Dropout1d(p=0.2)
        self.dropout2d = nn.Dropout2d(p=0.3)
        self.dropout3d = nn.Dropout3d(p=0.4)
        self.alpha_dropout = nn.AlphaDropout(p=0.5)
        self.feature_alpha_dropout = nn.FeatureAlphaDropout(p=0.6)
        self.linear = nn.Linear(4, 4)

    def forward(self, x, y, z):
        a = self.dropout(x)
        b = self.dropout1d(y)
        c = self.dropout2d(z)
        d = self.dropout3d(z.unsqueeze(0))
        e = self.alpha_dropout(x)
        f = self.feature_alpha_dropout(z)
        return a, b, c, d, e, f
