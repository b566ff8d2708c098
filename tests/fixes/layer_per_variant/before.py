import torch.nn.functional as F
from torch import nn


class Variants(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear = nn.Linear(4, 4)

    def forward(self, x, y, z):
        a = F.dropout(x, 0.1)
        b = F.dropout1d(y, 0.2)
        c = F.dropout2d(z, 0.3)
        d = F.dropout3d(z.unsqueeze(0), 0.4)
        e = F.alpha_dropout(x, 0.5)
        f = F.feature_alpha_dropout(z, 0.6)
        return a, b, c, d, e, f
