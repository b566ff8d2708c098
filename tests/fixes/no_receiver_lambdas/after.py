import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    # None of these lambdas receives the module: reported, never fixed.
    drop = staticmethod(lambda x: F.dropout(x, 0.1))
    make = classmethod(lambda cls, x: F.dropout(x, 0.2))
    table = {"a": lambda x: F.dropout(x, 0.3)}
    chain = [lambda x: F.dropout(x, 0.4)]
    # A lambda method does receive it: fixed in place.
    act = lambda self, x: F.dropout(x, 0.5, training=self.training)  # noqa: E731

    def forward(self, x):
        return self.act(self.drop(x))
