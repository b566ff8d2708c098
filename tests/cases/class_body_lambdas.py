import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    # Only a lambda that is a method (assigned to a name, or a property getter)
    # receives the module; the others' first parameter is something else.
    drop = staticmethod(lambda x: F.dropout(x, 0.1))  # expect: DRP001
    make = classmethod(lambda cls, x: F.dropout(x, 0.2, training=cls.training))  # expect: DRP003
    table = {"a": lambda x: F.dropout(x, 0.3, training=x.training)}  # expect: DRP003
    chain = [lambda m, x: F.dropout(x, 0.4, training=m.training)]  # expect: DRP003
    act = lambda self, x: F.dropout(x, 0.5, training=self.training)  # noqa: E731
    rate = property(lambda self: F.dropout(self.w, training=self.training))

    def forward(self, x):
        return self.act(x)
