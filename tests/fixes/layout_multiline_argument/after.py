import torch
import torch.nn.functional as F


def helper(x):
    return x


class Net(torch.nn.Module):  # calls in place (p is a local): the new argument in their layout
    def forward(self, x, keep_prob):
        a = torch.tanh(
            F.dropout(
                torch.matmul(x, x) +
                x,
                keep_prob,
                training=self.training
            ))
        b = F.dropout(
            x,
            keep_prob,
            training=self.training,
        )
        c = F.dropout(
            x,
            keep_prob,  # the rate
            training=self.training
        )
        d = F.dropout(x,
                      keep_prob,
                      training=self.training)
        e = F.dropout(
            x, keep_prob,
            training=self.training
        )
        f = F.dropout(helper(
            x), keep_prob, training=self.training)
        return a + b + c + d + e + f
