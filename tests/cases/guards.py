"""Calls that only run while the module is training are not reported."""

import torch.nn.functional as F
from torch import nn


class IfGuards(nn.Module):
    def forward(self, x):
        if self.training:
            x = F.dropout(x, self.p)
        if self.training and self.use_dropout:
            x = F.dropout(x, self.p)
        if self.p > 0 and self.training:
            x = F.dropout(x, self.p)
            if self.extra:
                x = F.dropout(x, self.p, inplace=True)
        if self.training or self.mc_dropout:
            x = F.dropout(x, self.p)  # expect: DRP001
        if self.training:
            pass
        else:
            x = F.dropout(x, self.p)  # expect: DRP001
        if not self.training:
            x = x * 0.5
        else:
            x = F.dropout(x, self.p)
        if self.is_training:
            x = F.dropout(x, self.p)  # expect: DRP001
        if not self.training:
            x = F.dropout(x, self.p)  # expect: DRP001
        if self.p > 0 and not self.training:
            x = F.dropout(x, self.p)  # expect: DRP001
        x = self.training and F.dropout(x, self.p)
        return x


class ElifGuards(nn.Module):
    def forward(self, x):
        if self.mode == "noise":
            x = x + 1
        elif self.training:
            x = F.dropout(x, self.p)
        elif self.other:
            x = F.dropout(x, self.p)  # expect: DRP001
        if not self.training:
            x = x * 2
        elif self.heavy:
            x = F.dropout(x, 0.9)
        return x


class ConditionalExpressions(nn.Module):
    def forward(self, x):
        y = F.dropout(x, self.p) if self.training else x
        y = x if not self.training else F.dropout(x, self.p)
        y = F.dropout(x, self.p) if self.training and self.p > 0 else y
        y = x if self.training else F.dropout(x, self.p)  # expect: DRP001
        y = F.dropout(x, self.p) if not self.training else y  # expect: DRP001
        return y


class EarlyExit(nn.Module):
    def forward(self, x):
        x = F.dropout(x, self.p)  # expect: DRP001
        if not self.training:
            return x
        x = F.dropout(x, self.p)
        if self.extra:
            x = F.dropout(x, self.p)
        return F.dropout(x, self.p)


class EarlyExitWithOr(nn.Module):
    def forward(self, x):
        if self.p == 0.0 or not self.training:
            return x
        return F.dropout(x, self.p)


class EarlyExitNegatedChain(nn.Module):
    def forward(self, x):
        if not (self.training and self.p > 0):
            return x
        return F.dropout(x, self.p)


class EarlyExitRaise(nn.Module):
    def forward(self, x):
        if not self.training:
            x = self.norm(x)
            raise RuntimeError("train only")
        return F.dropout(x, self.p)


class EarlyExitInLoop(nn.Module):
    def forward(self, xs):
        out = []
        for x in xs:
            if not self.training:
                out.append(x)
                continue
            out.append(F.dropout(x, self.p))
        return out


class NotAnEarlyExit(nn.Module):
    def forward(self, x):
        if not self.training:
            x = x * 1.0  # falls through
        x = F.dropout(x, self.p)  # expect: DRP001
        if self.fast:
            if not self.training:
                return x  # exits only the inner body's path
        x = F.dropout(x, self.p)  # expect: DRP001
        return x


class OtherObjectGuard(nn.Module):
    def forward(self, x, other):
        if other.training:
            x = F.dropout(x, self.p)  # expect: DRP001
        return x


class GuardInNestedFunction(nn.Module):
    def forward(self, x):
        def inner(t):
            if self.training:
                return F.dropout(t, self.p)
            return t

        return inner(x)
