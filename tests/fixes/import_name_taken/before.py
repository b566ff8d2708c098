import torch.nn.functional as F
from lightning import LightningModule

nn = "not torch.nn"


class Net(LightningModule):
    def __init__(self):
        super().__init__()

    def forward(self, x):
        return F.dropout(x, 0.1)
