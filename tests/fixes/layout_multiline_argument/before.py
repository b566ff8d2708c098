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
                keep_prob
            ))
        b = F.dropout(
            x,
            keep_prob,
        )
        c = F.dropout(
            x,
            keep_prob  # the rate
        )
        d = F.dropout(x,
                      keep_prob)
        e = F.dropout(
            x, keep_prob
        )
        f = F.dropout(helper(
            x), keep_prob)
        return a + b + c + d + e + f
