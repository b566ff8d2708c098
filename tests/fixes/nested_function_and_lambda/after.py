import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.dropout = nn.Dropout(p=0.1)

    def forward(self, xs):
        def one(x):
            return self.dropout(x)

        drop = lambda x: self.dropout(x)  # noqa: E731
        return [drop(one(x)) for x in xs]
