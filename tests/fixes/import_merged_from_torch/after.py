import torch.nn.functional as F
from lightning import LightningModule
from torch import Tensor, nn


class Net(LightningModule):  # `nn` joins the file's `from torch import ...` line
    def __init__(self):
        super().__init__()
        self.dropout2d = nn.Dropout2d(p=0.1)

    def forward(self, x: Tensor) -> Tensor:
        return self.dropout2d(x)
