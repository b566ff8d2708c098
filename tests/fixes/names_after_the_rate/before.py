# fix-options: --unsafe-fixes
from torch import nn


class EncoderLayer(nn.Module):
    """Hugging Face style: the rates are floats under the layers' natural names."""

    def __init__(self, config):
        super().__init__()
        self.dropout = config.dropout
        self.activation_dropout = config.activation_dropout
        self.fc = nn.Linear(config.width, config.width)

    def forward(self, x):
        x = nn.functional.dropout(x, p=self.dropout, training=self.is_training)
        x = nn.functional.dropout(self.fc(x), p=self.activation_dropout, training=self.is_training)
        return nn.functional.dropout(x, p=self.dropout, training=self.is_training)


class Attention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.dropout = config.attention_dropout

    def forward(self, x):
        x = nn.functional.dropout(x, p=self.config.attention_dropout)
        return nn.functional.dropout(x, p=self.config.hidden_dropout_prob)


class Taken(nn.Module):
    def __init__(self, rate):
        super().__init__()
        self.rate = rate
        self.dropout = rate
        self.dropout_layer = None

    def forward(self, x):
        return nn.functional.dropout(x, self.rate)  # nothing better is free: a number
