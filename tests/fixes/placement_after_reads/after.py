import torch.nn.functional as F
from torch import nn


class Net(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.linear = nn.Linear(config.hidden, config.hidden)
        if config.use_extra:
            self.extra = nn.Linear(2, 2)
        self.config = config
        self.dropout = nn.Dropout(p=self.config.hidden_dropout)
        self.act = nn.GELU()

    def forward(self, x):
        return self.dropout(self.linear(x))
