# fix-options: --unsafe-fixes
from torch import nn


class EncoderLayer(nn.Module):
    """Hugging Face style: the rates are floats under the layers' natural names."""

    def __init__(self, config):
        super().__init__()
        self.dropout = config.dropout
        self.dropout_layer = nn.Dropout(p=self.dropout)
        self.activation_dropout = config.activation_dropout
        self.activation_dropout_layer = nn.Dropout(p=self.activation_dropout)
        self.fc = nn.Linear(config.width, config.width)

    def forward(self, x):
        x = self.dropout_layer(x)
        x = self.activation_dropout_layer(self.fc(x))
        return self.dropout_layer(x)


class Attention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.config = config
        self.attention_dropout = nn.Dropout(p=self.config.attention_dropout)
        self.hidden_dropout = nn.Dropout(p=self.config.hidden_dropout_prob)
        self.dropout = config.attention_dropout

    def forward(self, x):
        x = self.attention_dropout(x)
        return self.hidden_dropout(x)


class Taken(nn.Module):
    def __init__(self, rate):
        super().__init__()
        self.rate = rate
        self.dropout_1 = nn.Dropout(p=self.rate)
        self.dropout = rate
        self.dropout_layer = None

    def forward(self, x):
        return self.dropout_1(x)  # nothing better is free: a number
