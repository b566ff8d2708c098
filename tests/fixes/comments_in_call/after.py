import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        # Comments inside the call survive only in the in-place form.
        return F.dropout(  # drop it
            x,  # the input
            0.1,  # rate
            training=self.training,
        )
