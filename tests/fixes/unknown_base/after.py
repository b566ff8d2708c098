import torch.nn.functional as F

from mylib.layers import Base


class Net(Base):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return F.dropout(
            x, 0.1, training=self.training
        )  # Base may already own `self.dropout`
