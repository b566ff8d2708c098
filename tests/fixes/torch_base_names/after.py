import torch.nn.functional as F
from torch import nn


class Recurrent(nn.LSTM):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dropout_layer = nn.Dropout(p=0.2)

    # nn.LSTM keeps a float `self.dropout`: the new layer takes another name.
    def forward(self, x):
        out, _ = super().forward(x)
        return self.dropout_layer(out)


class Attention(nn.MultiheadAttention):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.dropout_layer = nn.Dropout(p=0.1)

    def forward(self, x):
        out, _ = super().forward(x, x, x)
        return self.dropout_layer(out)


class Encoder(nn.TransformerEncoderLayer):
    # Its forward looks at every submodule (for hooks): no new child, in place.
    def forward(self, src):
        return F.dropout(super().forward(src), 0.1, training=self.training)


class Stack(nn.Sequential):
    def forward(self, x):
        return F.dropout(super().forward(x), 0.1, training=self.training)
