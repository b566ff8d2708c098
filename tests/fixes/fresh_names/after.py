import torch.nn.functional as F
from torch import nn


class Attention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dropout = config.attention_dropout  # a float, as in Hugging Face models
        self.dropout_layer = nn.Dropout(p=self.dropout)
        self.dropout_1 = nn.Identity()

    def forward(self, x):
        return self.dropout_layer(x)
