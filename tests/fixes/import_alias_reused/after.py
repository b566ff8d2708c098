import torch.nn as tnn
import torch.nn.functional as F


class Net(tnn.Module):
    def __init__(self):
        super().__init__()
        self.dropout = tnn.Dropout(p=0.1)

    def forward(self, x):
        return self.dropout(x)
