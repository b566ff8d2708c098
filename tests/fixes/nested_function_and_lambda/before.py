import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, xs):
        def one(x):
            return F.dropout(x, 0.1)

        drop = lambda x: F.dropout(x, 0.1)  # noqa: E731
        return [drop(one(x)) for x in xs]
