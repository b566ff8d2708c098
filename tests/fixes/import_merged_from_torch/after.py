import torch.nn.functional as F
from torch import Tensor, nn
from torch.nn.modules.module import Module


class Net(Module):  # `nn` joins the file's `from torch import ...` line
    def __init__(self):
        super().__init__()
        self.dropout2d = nn.Dropout2d(p=0.1)

    def forward(self, x: Tensor) -> Tensor:
        return self.dropout2d(x)
