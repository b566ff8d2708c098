"""A function or lambda defined under a training guard runs later, in eval mode too.

Guards cover what runs at once (comprehensions included), never the body of a
function or lambda created there.
"""

import torch.nn.functional as F
from torch import nn


class LambdaUnderGuard(nn.Module):
    def forward(self, x):
        if self.training:
            self.noise = lambda y: F.dropout(y, 0.1)  # expect: DRP001
            x = [F.dropout(h, 0.1) for h in x]
        return self.noise(x)


class AndLambda(nn.Module):
    def forward(self, x):
        self.hook = self.training and (lambda y: F.dropout(y, 0.2))  # expect: DRP001
        return x


class AfterEarlyReturn(nn.Module):
    def forward(self, x):
        if not self.training:
            return x
        x = F.dropout(x, 0.3)

        def later(y):
            return F.dropout(y, 0.3)  # expect: DRP001

        self.later = later
        return x


class GuardInsideTheDeferredBody(nn.Module):
    def forward(self, x):
        def noisy(y):
            if self.training:
                return F.dropout(y, 0.3)
            return y

        return noisy(x)
