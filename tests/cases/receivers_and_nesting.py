"""The receiver is the method's first parameter, whatever its name; nested code sees it."""

import functools

import torch
import torch.nn.functional as F
from torch import nn


class OtherReceiverName(nn.Module):
    def forward(this, x):
        x = F.dropout(x, training=this.training)
        return F.dropout(x)  # expect: DRP001

    def wrong_name(this, x):
        return F.dropout(x, training=self.training)  # expect: DRP003

    def positional_only(me, x, /):
        return F.dropout(x, 0.1, me.training)


class Nested(nn.Module):
    def __init__(self, p):
        super().__init__()
        self.p = p
        self.good = lambda t: F.dropout(t, self.p, self.training)
        self.bad = lambda t: F.dropout(t, self.p)  # expect: DRP001
        # The default is read once, in __init__: it does not follow later eval() calls.
        self.stale = lambda t, training=self.training: F.dropout(t, 0.1, training)  # expect: DRP003

    def forward(self, xs):
        def block(t):
            return F.dropout(t, self.p, training=self.training)

        def careless(t):
            return F.dropout(t, self.p)  # expect: DRP001

        def deeper(t):
            def deepest(u):
                return F.dropout(u, training=self.training) + F.dropout(u)  # expect: DRP001

            return deepest(t)

        ys = [F.dropout(x, training=self.training) for x in xs]
        zs = [F.dropout(x) for x in xs]  # expect: DRP001
        ws = list(map(lambda t: F.dropout(t, 0.1, training=self.training), xs))
        return block(xs[0]), careless(xs[0]), deeper(xs[0]), ys, zs, ws

    def shadowed_receiver(self, x):
        def helper(self, t):  # this `self` is not the module
            return F.dropout(t, training=self.training)  # expect: DRP003

        return helper(self, x)


class Decorated(nn.Module):
    @staticmethod
    def drop(x):
        return F.dropout(x, 0.1)  # expect: DRP001

    @staticmethod
    def drop_with(x, training):
        return F.dropout(x, 0.1, training)  # expect: DRP003

    @staticmethod
    def first_param_named_self(self, x):  # no receiver in a static method
        return F.dropout(x, training=self.training)  # expect: DRP003

    @classmethod
    def from_class(cls, x):
        return F.dropout(x, training=cls.training)  # expect: DRP003

    @torch.no_grad()
    def predict(self, x):
        return F.dropout(x, training=self.training)

    @functools.lru_cache(maxsize=None)
    def cached(self, x):
        return F.dropout(x)  # expect: DRP001

    @property
    def noise(self):
        return F.dropout(self.base)  # expect: DRP001

    async def async_forward(self, x):
        return F.dropout(x)  # expect: DRP001


class FormattedStrings(nn.Module):
    def forward(self, x):
        print(f"mean after dropout: {F.dropout(x).mean()}")  # expect: DRP001
        return x


class Indented(nn.Module):
	def forward(self, x):
		return F.dropout(x)  # expect: DRP001


class InnerClassInMethod(nn.Module):
    def forward(self, x):
        class Local(nn.Module):
            def forward(inner, t):
                return F.dropout(t, training=self.training)  # expect: DRP003

        return Local()(x)
